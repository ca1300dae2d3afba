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
