"""Limits on what participants send, against a real Synapse: an oversized roster file, an overlong contribution."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from demo.events import body_of, is_reply_from
from handlers.limits import CONTRIBUTION_MAX_CHARS, ROSTER_FILE_MAX_BYTES
from tests.integration.test_dialogue import run_dialogue, upload_file

pytestmark = pytest.mark.integration


def roster_rows(bot: Any) -> int:
    with sqlite3.connect(bot.data_dir / "bot.db") as db:
        return db.execute("SELECT count(*) FROM roster").fetchone()[0]


def oversized_roster(user_id: str) -> bytes:
    """A roster file one byte over the limit whose first row is valid (so a partial import would record it)."""
    first = f"{user_id},Grand Fenwick,State party\n".encode()
    return first + b"\n" * (ROSTER_FILE_MAX_BYTES + 1 - len(first))


async def import_roster(d: Any, file_event: str) -> str:
    """Roster commands are handled in the moderators' back-room, where the file was posted."""
    backroom = await d.backroom_id()
    asked = await d.moderator.send_text(
        backroom, "!dialogue roster import", extra_content={"m.relates_to": {"m.in_reply_to": {"event_id": file_event}}}
    )
    return body_of(await d.moderator.wait_for(backroom, is_reply_from(d.bot.user_id, asked), timeout=60))


async def test_a_roster_file_declared_too_large_is_refused_before_it_is_downloaded(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1)
    data = oversized_roster(d.participants[0].user_id)
    file_event = await upload_file(d.moderator, await d.backroom_id(), data, "roster.csv", encrypted=False)

    answer = await import_roster(d, file_event)

    assert answer == "The file is larger than 1 MiB, the most a roster file may have; nothing was recorded."
    assert roster_rows(d.bot) == 0
    assert "measured_by=info.size" in d.bot.log_text()


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_a_roster_file_whose_declared_size_lies_is_refused_while_downloading(make_user, bot_factory, encrypted):
    d = await run_dialogue(make_user, bot_factory, encrypted=encrypted, participants=1)
    data = oversized_roster(d.participants[0].user_id)
    file_event = await upload_file(
        d.moderator, await d.backroom_id(), data, "roster.csv", encrypted=encrypted, declared_size=100
    )

    answer = await import_roster(d, file_event)

    assert answer == "The file is larger than 1 MiB, the most a roster file may have; nothing was recorded."
    assert roster_rows(d.bot) == 0
    log = d.bot.log_text()
    assert "measured_by=info.size" not in log
    assert "measured_by=content-length" in log or "measured_by=received" in log


async def test_a_roster_file_with_a_field_over_the_limit_is_refused_by_row_number(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1)
    data = f"{d.participants[0].user_id},Grand Fenwick\n@b:example.org,{'Fenwick ' * 40}\n".encode()
    file_event = await upload_file(d.moderator, await d.backroom_id(), data, "roster.csv", encrypted=False)

    answer = await import_roster(d, file_event)

    assert answer == (
        "Row 2: a field is longer than 300 bytes, the most a roster field may have; nothing was recorded."
    )
    assert roster_rows(d.bot) == 0


async def test_a_contribution_over_the_maximum_length_is_refused_with_a_reply_and_not_stored(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1)
    person = d.participants[0]
    overlong = "Transfers matter. " * (CONTRIBUTION_MAX_CHARS // 18 + 1)
    assert len(overlong.strip()) > CONTRIBUTION_MAX_CHARS

    sent = await person.send_thread_reply(d.room, d.root, overlong)
    answer = await person.wait_for(d.room, is_reply_from(d.bot.user_id, sent), timeout=60)

    assert body_of(answer) == (
        "This message is longer than 20,000 characters, the most a contribution may have, so it was not "
        "recorded. Please split it into shorter messages."
    )
    assert "Transfers matter" not in await d.contributions()
    within = await person.send_thread_reply(d.room, d.root, "Transfers matter.")
    await d.acknowledged(person, within)
    assert "Transfers matter." in await d.contributions()


async def test_an_edit_over_the_maximum_length_is_refused_with_a_reply_and_the_contribution_kept(
    make_user, bot_factory
):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1)
    person = d.participants[0]
    point = await person.send_thread_reply(d.room, d.root, "Transfers matter.")
    await d.acknowledged(person, point)

    edit = await person.edit(d.room, point, "Stockpiles matter. " * (CONTRIBUTION_MAX_CHARS // 19 + 1))
    answer = await person.wait_for(d.room, is_reply_from(d.bot.user_id, edit), timeout=60)

    assert body_of(answer) == (
        "This edit is longer than 20,000 characters, the most a contribution may have, so it was not applied: "
        "the contribution stays as it was."
    )
    listed = await d.contributions()
    assert "Transfers matter." in listed
    assert "Stockpiles" not in listed
