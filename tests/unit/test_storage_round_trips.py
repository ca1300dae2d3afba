"""Each statement costs one round trip to the database thread: the trip, not the statement, is what a busy machine
spends its time on (benchmarks/ingest.py)."""

from __future__ import annotations

import aiosqlite
import pytest

from storage import NewInboxEvent


@pytest.fixture
def trips(monkeypatch) -> list[str]:
    """The functions sent to aiosqlite's thread, in order."""
    sent: list[str] = []
    original = aiosqlite.Connection._execute

    async def recording(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", recording)
    return sent


async def test_a_query_a_change_and_a_batch_of_changes_each_take_one_round_trip(db, trips):
    event = NewInboxEvent(event_id="$1", room_id="!r:test", source={"sender": "@a:test", "type": "m.room.message"})
    async with db.transaction() as tx:
        trips.clear()  # BEGIN
        assert await tx.inbox.add([event], 1.0) == 1  # executemany
        assert len(trips) == 1
        assert len(await tx.inbox.next_ready(2.0)) == 1  # a query
        assert len(trips) == 2
        await tx.inbox.mark_done("$1")  # an UPDATE, with its changed-row count
        assert len(trips) == 3
        assert (await tx.inbox.counts())["done"] == 1
        assert len(trips) == 4
