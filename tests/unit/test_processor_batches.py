"""Ready events handled several to a transaction: one transaction for a run of them, a failure that costs only its own
event, and the sender woken only once the batch has committed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from collections.abc import AsyncIterator

from bot.batching import BatchLimits
from bot.processor import InboxProcessor
from bot.room_state import RoomDirectory
from handlers.commands import Command, CommandRegistry
from handlers.context import BotInfo
from handlers.registry import build_registry
from storage import Database, Transaction
from tests.unit.fakes import BOT_ID, RecordingClient, make_settings
from tests.unit.test_processor import ROOM, Clock, explode, message
from tests.unit.test_processor_outcome import (
    TIMEOUT,
    Harness,
    HeldRunner,
    add,
    inbox_state,
    outbox_bodies,
    registry_with_fetch,
    runs_committed,
)


class CountingDatabase:
    """The database, counting the transactions the processor opens."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.transactions = 0

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        self.transactions += 1
        async with self._db.transaction() as tx:
            yield tx


def registry_with_boom() -> CommandRegistry:
    return CommandRegistry([*build_registry(), Command("boom", "always fails", explode, parse=lambda raw: raw)])


def make_processor(db, tmp_path, on_outbox_changed=lambda: None, limits=None):
    client = RecordingClient()
    client.add_room(ROOM)
    clock = Clock()
    counting = CountingDatabase(db)
    processor = InboxProcessor(
        client,  # type: ignore[arg-type]
        counting,  # type: ignore[arg-type]
        make_settings(tmp_path),
        registry_with_boom(),
        BotInfo(user_id=BOT_ID, version="test", started_at=0.0, encryption_enabled=False),
        RoomDirectory(),
        on_outbox_changed=on_outbox_changed,
        clock=clock,
        batch_limits=limits,
    )
    return processor, clock, counting


async def ready(db, clock):
    async with db.transaction() as tx:
        return await tx.inbox.next_ready(clock())


def pongs_answered(db_path) -> list[str]:
    """The events answered "pong", in the order the answers were queued, as committed (read by another connection)."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute("SELECT content FROM outbox ORDER BY seq").fetchall()
    return [
        content["m.relates_to"]["m.in_reply_to"]["event_id"]
        for content in (json.loads(row[0]) for row in rows)
        if content.get("body") == "pong"
    ]


async def test_a_run_of_ready_events_is_handled_in_one_transaction(db, tmp_path):
    processor, clock, counting = make_processor(db, tmp_path)
    events = [message(f"$p{n}", "!dialogue ping", sender=f"@p{n % 4}:test", ts=2_000_000 + n) for n in range(12)]
    async with db.transaction() as tx:
        await tx.inbox.add(events, clock())
    rows = await ready(db, clock)

    assert await processor.process_ready(rows) == 12

    assert counting.transactions == 1
    assert sorted(pongs_answered(tmp_path / "bot.db")) == sorted(f"$p{n}" for n in range(12))
    async with db.transaction() as tx:
        assert (await tx.inbox.counts())["done"] == 12


async def test_a_failing_event_gets_its_failure_and_its_batch_neighbours_go_through_once(db, tmp_path, caplog):
    processor, clock, _ = make_processor(db, tmp_path)
    events = [
        message("$a1", "!dialogue ping", sender="@alice:test", ts=2_000_001),
        message("$b1", "!dialogue boom", sender="@bob:test", ts=2_000_002),
        message("$c1", "!dialogue ping", sender="@carol:test", ts=2_000_003),
        message("$a2", "!dialogue ping", sender="@alice:test", ts=2_000_004),
    ]
    async with db.transaction() as tx:
        await tx.inbox.add(events, clock())

    with caplog.at_level(logging.INFO):
        await processor.process_ready(await ready(db, clock))

    # Each neighbour answered exactly once, in the ready order; the failure counted once, for its own event only.
    assert pongs_answered(tmp_path / "bot.db") == ["$a1", "$c1", "$a2"]
    failures = [record for record in caplog.records if record.getMessage() == "handler failed"]
    assert [record.event_id for record in failures] == ["$b1"]  # type: ignore[attr-defined]
    with contextlib.closing(sqlite3.connect(tmp_path / "bot.db")) as conn:
        states = dict(conn.execute("SELECT event_id, state || ':' || attempts FROM inbox").fetchall())
    assert states == {"$a1": "done:0", "$b1": "pending:1", "$c1": "done:0", "$a2": "done:0"}


async def test_the_sender_is_woken_only_once_the_batch_has_committed(db, tmp_path):
    seen_at_wake: list[int] = []
    db_path = tmp_path / "bot.db"
    processor, clock, _ = make_processor(db, tmp_path, lambda: seen_at_wake.append(len(pongs_answered(db_path))))
    events = [message(f"$p{n}", "!dialogue ping", sender=f"@p{n}:test", ts=2_000_000 + n) for n in range(5)]
    async with db.transaction() as tx:
        await tx.inbox.add(events, clock())

    await processor.process_ready(await ready(db, clock))

    # Another connection sees every answer of the batch from the first wake on: none is sent before its commit.
    assert seen_at_wake and all(count == 5 for count in seen_at_wake)


async def test_a_full_batch_leaves_the_rest_for_the_next_transaction(db, tmp_path):
    processor, clock, counting = make_processor(db, tmp_path, limits=BatchLimits(max_events=4, max_seconds=60.0))
    events = [message(f"$p{n}", "!dialogue ping", sender="@alice:test", ts=2_000_000 + n) for n in range(10)]
    async with db.transaction() as tx:
        await tx.inbox.add(events, clock())

    assert await processor.process_ready(await ready(db, clock)) == 10

    assert counting.transactions == 3  # 4 + 4 + 2
    assert pongs_answered(tmp_path / "bot.db") == [f"$p{n}" for n in range(10)]


async def test_an_event_asking_for_slow_work_in_a_batch_leaves_nothing_of_its_first_run_and_holds_its_sender(
    db, tmp_path
):
    runner = HeldRunner()
    h = Harness(db, tmp_path, registry_with_fetch(), runner)
    await add(
        db,
        message("$a", "!dialogue ping", sender="@alice:test", ts=2_000_001),
        message("$fetch", "!dialogue fetch", sender="@bob:test", ts=2_000_002),
        message("$c", "!dialogue ping", sender="@carol:test", ts=2_000_003),
        message("$bob2", "!dialogue ping", sender="@bob:test", ts=2_000_004),
    )
    async with db.transaction() as tx:
        rows = await tx.inbox.next_ready(h.clock())

    await h.processor.process_ready(rows)
    await asyncio.wait_for(runner.started.wait(), TIMEOUT)

    assert outbox_bodies(tmp_path) == ["pong", "pong"]  # alice's and carol's, once each
    assert (inbox_state(tmp_path, "$fetch"), runs_committed(tmp_path)) == ("pending", 0)
    assert inbox_state(tmp_path, "$bob2") == "pending"  # behind its sender's slow command
    runner.release.set()
    await asyncio.wait_for(h.processor.wait_for_slow_work(), TIMEOUT)
    async with db.transaction() as tx:
        rows = await tx.inbox.next_ready(h.clock())
    await h.processor.process_ready(rows)
    assert outbox_bodies(tmp_path) == ["pong", "pong", "got 17 bytes", "pong"]
    assert (inbox_state(tmp_path, "$fetch"), runs_committed(tmp_path)) == ("done", 1)
