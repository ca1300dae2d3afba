"""Structured log lines: one line per event, facts as fields."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logging_setup import configure_logging


@pytest.fixture(autouse=True)
def restore_logging():
    """configure_logging changes process-wide state; put it back so later tests see pytest's own setup."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    names = ("nio", "nio.events", "nio.responses", "aiohttp", "peewee", "apscheduler")
    saved_levels = {name: logging.getLogger(name).level for name in names}
    yield
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    for name, level in saved_levels.items():
        logging.getLogger(name).setLevel(level)


def emit(fmt: str) -> str:
    stream = io.StringIO()
    configure_logging("INFO", fmt, stream)
    logging.getLogger("bot.test").info("message sent", extra={"room_id": "!r:x", "retry_in_s": 1.5})
    return stream.getvalue()


def test_text_lines_carry_the_message_and_the_fields_as_key_value_pairs():
    line = emit("text").strip()
    assert "\n" not in line
    assert ' INFO bot.test msg="message sent" room_id=!r:x retry_in_s=1.5' in line


def test_json_lines_are_one_object_each():
    record = json.loads(emit("json"))
    assert record["msg"] == "message sent" and record["room_id"] == "!r:x" and record["level"] == "INFO"


def test_nio_validation_warnings_which_print_whole_events_are_silenced_below_debug():
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    logging.getLogger("nio.events.misc").warning("Error validating event: {'sender': '@alice:x', 'body': 'hi'}")
    logging.getLogger("nio.crypto").info("Creating Inbound session for @alice:x")
    assert stream.getvalue() == ""


def test_matrix_ids_and_room_aliases_are_redacted_at_info_and_above_from_the_message_and_the_fields():
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    logging.getLogger("bot.sender").warning(
        "message send failed for %s; retrying",
        "@carol-1b2c:example.org",
        extra={"room_id": "@carol-1b2c:example.org", "reason": "invite to #ops-room:example.org failed"},
    )
    line = stream.getvalue()
    assert "carol-1b2c" not in line and "#ops-room" not in line
    assert "@[user]" in line and "#[alias]" in line
    assert "room_id=@[user]" in line


def test_room_ids_and_event_ids_stay_since_they_name_no_one():
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    logging.getLogger("bot.sender").info("message sent", extra={"room_id": "!abc:example.org", "event_id": "$e1"})
    record = json.loads(stream.getvalue())
    assert record["room_id"] == "!abc:example.org" and record["event_id"] == "$e1"


def test_nio_warnings_keep_their_meaning_but_lose_the_user_ids():
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    logging.getLogger("nio.crypto.log").warning(
        "Received a undecryptable Megolm event from a unknown device: @dave:example.org DEVICEID"
    )
    line = stream.getvalue()
    assert "@dave:example.org" not in line and "undecryptable Megolm event" in line


def test_tracebacks_at_error_are_redacted_too():
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    try:
        raise ValueError("no device for @erin:example.org")
    except ValueError:
        logging.getLogger("bot.processor").exception("handler failed")
    text = stream.getvalue()
    assert "ValueError" in text and "@erin:example.org" not in text and "@[user]" in text


def test_debug_lines_keep_matrix_ids_for_troubleshooting():
    stream = io.StringIO()
    configure_logging("DEBUG", "text", stream)
    logging.getLogger("bot.sync").debug("membership of %s", "@frank:example.org")
    logging.getLogger("bot.sync").info("membership of %s", "@frank:example.org")
    debug_line, info_line = stream.getvalue().splitlines()
    assert "@frank:example.org" in debug_line
    assert "@frank:example.org" not in info_line


def test_nio_info_lines_which_name_rooms_and_users_are_not_emitted_at_info():
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    logging.getLogger("nio.rooms").info("Room !r:x handling event of type RoomMemberEvent")
    logging.getLogger("nio.client.async_client").info("New joined room !r:x")
    assert stream.getvalue() == ""


def test_with_debug_on_nios_whole_event_warnings_come_out_as_debug_lines_not_warnings():
    stream = io.StringIO()
    configure_logging("DEBUG", "text", stream)
    logging.getLogger("nio.events.misc").warning("Error validating event: {'sender': '@alice:x', 'body': 'hi'}")
    logging.getLogger("nio.responses").warning("Error validating response: 'Alice Liddell' is not of type 'integer'")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert all(" DEBUG nio." in line for line in lines), lines
