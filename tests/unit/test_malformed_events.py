"""Malformed events the fuzzing found (tests/unit/test_processor_fuzz.py), each kept as a plain regression test.

Each once stopped the processor or the sync loop's commit: a crash that comes back at every restart, since the event
stays in the inbox (or in the sync batch) and is read again."""

from __future__ import annotations

import json
import math
import sqlite3
from contextlib import closing
from typing import Any

import pytest

from bot.decryption import inbox_source
from storage import Database, NewInboxEvent
from tests.unit.test_processor import ROOM, make_processor

ALICE = "@alice:test"
GOOD = "Victim assistance needs steady funding."


@pytest.fixture
async def db(db: Database) -> Database:
    """The unit tests' database, with a dialogue whose first challenge is open."""
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "Strengthening the norms", b"s" * 32, 1_000.0)
        challenge = await tx.challenges.add(dialogue.id, "Transfers", "What do transfers mean?")
        await tx.challenges.open(challenge.id, "txn-prompt", 1_000.0)
    return db


def contribution(event_id: str, body: str = GOOD, **fields: Any) -> dict[str, Any]:
    source: dict[str, Any] = {
        "event_id": event_id,
        "sender": ALICE,
        "type": "m.room.message",
        "origin_server_ts": 2_000_000,
        "content": {"msgtype": "m.text", "body": body},
    }
    source.update(fields)
    return source


def decrypted(event_id: str, payload: dict[str, Any]) -> NewInboxEvent:
    """A megolm event as the sync loop stores it once decrypted: the server's envelope, the sender's payload."""
    envelope = {"event_id": event_id, "sender": ALICE, "origin_server_ts": 2_000_000, "type": "m.room.encrypted"}
    source = inbox_source(envelope, {"room_id": ROOM, **payload}, ROOM)
    assert source is not None
    return NewInboxEvent(event_id=event_id, room_id=ROOM, source=source, was_encrypted=True)


async def handle_all(db: Database, tmp_path, *events: NewInboxEvent) -> None:
    processor, clock, _ = make_processor(db, tmp_path)
    async with db.transaction() as tx:  # the sync loop's commit
        await tx.inbox.add(list(events), clock())
    for _ in range(4):  # the processor loop's turns, past the retries of anything that failed
        async with db.transaction() as tx:
            rows = await tx.inbox.next_ready(clock())
        for row in rows:
            if not processor.is_held(row):
                await processor.process(row)
        clock.now += 10


async def acknowledged_and_stored(db: Database, event_id: str) -> str | None:
    """The stored text of the contribution `event_id`, provided a ✅ for it was also queued."""
    async with db.transaction() as tx:
        stored = await tx.contributions.by_event(event_id)
    with closing(sqlite3.connect(db.path)) as conn:
        reactions = conn.execute("SELECT content FROM outbox WHERE kind = 'reaction'").fetchall()
    acknowledged = {json.loads(row[0])["event_id"] for row in reactions}
    return stored.text if stored is not None and event_id in acknowledged else None


@pytest.mark.parametrize("timestamp", ["soon", [1], {"ms": 1}, math.inf, math.nan], ids=repr)
async def test_an_event_with_a_timestamp_of_the_wrong_type_does_not_stop_the_next_one(db, tmp_path, timestamp):
    odd = NewInboxEvent(event_id="$odd", room_id=ROOM, source=contribution("$odd", origin_server_ts=timestamp))
    good = NewInboxEvent(event_id="$good", room_id=ROOM, source=contribution("$good"))

    await handle_all(db, tmp_path, odd, good)

    assert await acknowledged_and_stored(db, "$good") == GOOD


async def test_a_sender_that_is_not_a_string_does_not_stop_the_next_event(db, tmp_path):
    odd = NewInboxEvent(event_id="$odd", room_id=ROOM, source=contribution("$odd", sender=["@alice:test"]))
    good = NewInboxEvent(event_id="$good", room_id=ROOM, source=contribution("$good"))

    await handle_all(db, tmp_path, odd, good)

    assert await acknowledged_and_stored(db, "$good") == GOOD


async def test_a_lone_surrogate_in_an_encrypted_payload_is_stored_and_the_contribution_kept(db, tmp_path):
    # JSON may escape half a surrogate pair ("\ud800"); Python decodes it to a string UTF-8 cannot encode.
    odd = decrypted("$odd", {"type": "m.room.message", "content": {"msgtype": "m.text", "body": "Half \ud800 a pair"}})
    good = decrypted("$good", {"type": "m.room.message", "content": {"msgtype": "m.text", "body": GOOD}})

    await handle_all(db, tmp_path, odd, good)

    assert await acknowledged_and_stored(db, "$odd") == "Half \ufffd a pair"
    assert await acknowledged_and_stored(db, "$good") == GOOD


async def test_a_number_json_cannot_hold_in_an_encrypted_payload_does_not_poison_the_inbox(db, tmp_path):
    # Python's JSON parser accepts NaN and Infinity; SQLite's JSON functions, which the inbox queries use, do not.
    content = {"msgtype": "m.text", "body": "Odd numbers", "x.score": math.nan, "x.max": [math.inf, -math.inf]}
    odd = decrypted("$odd", {"type": "m.room.message", "content": content})
    good = decrypted("$good", {"type": "m.room.message", "content": {"msgtype": "m.text", "body": GOOD}})

    await handle_all(db, tmp_path, odd, good)

    assert await acknowledged_and_stored(db, "$odd") == "Odd numbers"
    assert await acknowledged_and_stored(db, "$good") == GOOD
