"""What a participant withdraws, asks to forget, or a moderator purges is gone from the bot's database files.

A real bot and real clients: each participant writes a unique token, the data is removed the way people remove it
in chat, and then the raw bytes of bot.db, bot.db-wal and bot.db-shm are scanned while the bot keeps running.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from contextlib import closing
from pathlib import Path

import nio
import pytest

from demo.events import body_of, content_of, is_file_from, is_reply_from
from privacy import contributor_key, matrix_id_reference
from tests.integration.helpers import invite_bot_and_wait
from tests.integration.test_consensus import (
    WINDOW,
    answer_late_and_sync,
    bot_says,
    close_challenge,
    consensus_dialogue,
    statements,
)
from tests.integration.test_dialogue import run_dialogue
from tests.integration.test_synopsis import pull

pytestmark = pytest.mark.integration


def raw_bytes(data_dir: Path) -> bytes:
    db = data_dir / "bot.db"
    parts = [db, db.with_name("bot.db-wal"), db.with_name("bot.db-shm")]
    return b"".join(path.read_bytes() for path in parts if path.exists())


def token() -> str:
    return f"zq-{secrets.token_hex(8)}"


def column_values(data_dir: Path, table: str, column: str) -> set[str]:
    with closing(sqlite3.connect(data_dir / "bot.db")) as db:
        return {str(row[0]) for row in db.execute(f"SELECT {column} FROM {table}")}


async def test_withdrawn_and_forgotten_words_and_the_forgotten_member_are_not_in_the_files(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=2)
    alice, bob = d.participants
    withdrawn, forgotten, kept = token(), token(), token()
    mine = await alice.send_thread_reply(d.room, d.root, f"Alice says {withdrawn}")
    bobs = await bob.send_thread_reply(d.room, d.root, f"Bob says {forgotten}")
    stays = await alice.send_thread_reply(d.room, d.root, f"Alice also says {kept}")
    for event_id, user in ((mine, alice), (bobs, bob), (stays, alice)):
        await d.acknowledged(user, event_id)
    assert forgotten.encode() in raw_bytes(d.bot.data_dir)

    withdraw = await alice.send_text(
        d.room, "!dialogue withdraw", extra_content={"m.relates_to": {"m.in_reply_to": {"event_id": mine}}}
    )
    answer = await alice.wait_for(d.room, is_reply_from(d.bot.user_id, withdraw))
    assert body_of(answer).startswith("Withdrawn")
    assert withdrawn.encode() not in raw_bytes(d.bot.data_dir)

    assert "To confirm" in body_of(await d.command(bob, "!dialogue forget-me"))
    assert body_of(await d.command(bob, "!dialogue forget-me confirm")).startswith("Done")
    data = raw_bytes(d.bot.data_dir)
    assert forgotten.encode() not in data
    assert bob.user_id.encode() not in data
    assert kept.encode() in data  # the scan does see what is still stored

    # Contributions are stored under keyed references, never the event IDs a homeserver admin could look up
    # (the inbox keeps every event ID, to recognise re-deliveries, but nothing links it to a contribution).
    assert len(column_values(d.bot.data_dir, "contributions", "event_ref")) == 1
    assert stays not in column_values(d.bot.data_dir, "contributions", "event_ref")
    assert stays not in column_values(d.bot.data_dir, "contribution_events", "event_ref")
    assert d.room not in column_values(d.bot.data_dir, "contributions", "room_ref")


def dialogue_secret(data_dir: Path) -> bytes:
    with closing(sqlite3.connect(data_dir / "bot.db")) as db:
        [(secret,)] = db.execute("SELECT secret FROM dialogues").fetchall()
    return bytes(secret)


async def consensus_marks(d) -> list[tuple[str | None, str | None]]:
    structure = json.loads(await pull(d, "json"))
    return [(theme["mark"], theme["voter_band"]) for theme in structure["consensus"][0]["themes"]]


async def test_forget_me_and_purge_leave_no_consensus_vote_in_the_files(make_user, bot_factory):
    d = await consensus_dialogue(make_user, bot_factory, participants=3)
    await close_challenge(d)
    await d.command(d.moderator, f"!dialogue consensus 1 for {WINDOW}")
    inboxes = [await statements(d, person) for person in d.participants]
    reactions: list[list[str]] = []
    for person, (room, messages) in zip(d.participants, inboxes, strict=True):
        reactions.append([await person.send_reaction(room, message.event_id, "👍") for message in messages])
    await d.moderator.wait_for(
        d.room, bot_says(d.bot.user_id, "The consensus round on challenge 1 has closed"), timeout=120
    )
    for person, (room, messages) in zip(d.participants, inboxes, strict=True):
        await answer_late_and_sync(d, person, room, messages[0])  # every vote before it has been handled

    secret = dialogue_secret(d.bot.data_dir)
    keys = [contributor_key(secret, person.user_id).encode() for person in d.participants]
    refs = [[matrix_id_reference(secret, "event", event).encode() for event in mine] for mine in reactions]
    data = raw_bytes(d.bot.data_dir)
    assert all(key in data for key in keys)
    assert all(ref in data for mine in refs for ref in mine)
    assert await consensus_marks(d) == [("broad agreement", "a few")] * 2

    leaver = d.participants[2]
    assert "To confirm" in body_of(await d.command(leaver, "!dialogue forget-me"))
    assert body_of(await d.command(leaver, "!dialogue forget-me confirm")).startswith("Done")
    data = raw_bytes(d.bot.data_dir)
    assert keys[2] not in data
    assert not [ref for ref in refs[2] if ref in data]
    assert keys[0] in data and keys[1] in data  # the others' votes are still there, and the scan sees them
    assert await consensus_marks(d) == [(None, None)] * 2  # two answers left: fewer than k, so no mark

    await d.command(d.moderator, "!dialogue end")
    await d.command(d.moderator, "!dialogue adopt")
    assert "To confirm" in body_of(await d.command(d.moderator, "!dialogue purge"))
    assert body_of(await d.command(d.moderator, "!dialogue purge confirm")).startswith("Purged.")
    data = raw_bytes(d.bot.data_dir)
    assert [key for key in keys if key in data] == []
    assert [ref for mine in refs for ref in mine if ref in data] == []


async def test_a_purge_leaves_no_contribution_or_participant_in_the_files(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1)
    alice = d.participants[0]
    await d.command(d.moderator, "!dialogue adopt")  # adopted before the tokens, so the kept synopsis lacks them
    in_thread, in_private = token(), token()
    await d.acknowledged(alice, await alice.send_thread_reply(d.room, d.root, f"In the thread: {in_thread}"))
    dm = await alice.create_room(encrypted=False, is_direct=True)
    await invite_bot_and_wait(alice, dm, d.bot.user_id)
    sent = await alice.send_text(dm, f"Privately: {in_private}")
    echo = await alice.wait_for(dm, is_reply_from(d.bot.user_id, sent), timeout=60)
    assert "Recorded privately" in body_of(echo)
    assert in_private.encode() in raw_bytes(d.bot.data_dir)

    await d.command(d.moderator, "!dialogue end")
    assert "To confirm" in body_of(await d.command(d.moderator, "!dialogue purge"))
    assert body_of(await d.command(d.moderator, "!dialogue purge confirm")).startswith("Purged.")
    data = raw_bytes(d.bot.data_dir)
    assert in_thread.encode() not in data
    assert in_private.encode() not in data
    assert alice.user_id.encode() not in data


@pytest.mark.parametrize("admin", [False, True], ids=["bot-not-admin", "bot-server-admin"])
async def test_a_purge_deletes_uploaded_synopsis_files_or_says_they_stay(make_user, bot_factory, admin):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1, admin=admin)
    alice = d.participants[0]
    await d.acknowledged(alice, await alice.send_thread_reply(d.room, d.root, "A point for the synopsis."))
    backroom = await d.backroom_id()
    await d.moderator.send_text(backroom, "!dialogue synopsis md")
    uploaded = await d.moderator.wait_for(backroom, is_file_from(d.bot.user_id), timeout=60)
    mxc = content_of(uploaded)["url"]
    assert isinstance(await d.moderator.client.download(mxc=mxc), nio.DownloadResponse)
    await d.command(d.moderator, "!dialogue adopt")
    await d.command(d.moderator, "!dialogue end")
    await d.command(d.moderator, "!dialogue purge")

    purged = body_of(await d.command(d.moderator, "!dialogue purge confirm"))
    assert purged.startswith("Purged.")
    assert "1 synopsis file(s) the bot uploaded are still in the homeserver's media store" in purged
    outcome = body_of(
        await d.moderator.wait_for(
            d.room,
            lambda event: (
                event.sender == d.bot.user_id and body_of(event).startswith("The ") and "media store" in body_of(event)
            ),
            description="how the deletion went",
            timeout=60,
        )
    )
    download = await d.moderator.client.download(mxc=mxc)
    if admin:
        assert outcome == "The 1 synopsis file(s) the bot uploaded were deleted from the homeserver's media store."
        assert isinstance(download, nio.DownloadError)
    else:
        assert outcome.startswith("The homeserver did not let the bot delete 1 synopsis file(s)")
        assert "until its admin deletes them" in outcome
        assert mxc in outcome
        assert isinstance(download, nio.DownloadResponse)
