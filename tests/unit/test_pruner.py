"""The scheduled pruner: what one run removes, what it keeps, and the horizon it leaves for back-fill."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.pruner import ARRIVAL_MARGIN_SECONDS, SCHEDULED_ID_PREFIX, PruneCounts, Pruner, backfill_floor_ms
from bot.room_state import RoomDirectory
from bot.sync_events import RoomBatch, SyncBatch
from bot.sync_loop import SyncLoop
from bot.undecrypted import UndecryptedEvents
from handlers.scheduled import ACTIONS, PlannedAction
from storage import Database, NewInboxEvent, Room, RoomMessage
from tests.unit.fakes import make_settings

ROOM = "!room:example.org"
DAY = 24 * 3600.0
NOW = 100 * DAY


def pruner(db: Database, *, now: float = NOW, retention_days: int = 30, batch_size: int = 5000) -> Pruner:
    return Pruner(db, retention_days=retention_days, clock=lambda: now, batch_size=batch_size)


async def handled(db: Database, event_id: str, at: float) -> None:
    source: dict[str, Any] = {"event_id": event_id, "sender": "@alice:example.org", "content": {"body": "hi"}}
    async with db.transaction() as tx:
        await tx.inbox.add([NewInboxEvent(event_id, ROOM, source)], now=at)
        await tx.inbox.mark_done(event_id)


async def known(db: Database, *event_ids: str) -> set[str]:
    async with db.transaction() as tx:
        return await tx.inbox.known(event_ids)


async def floor_ms(db: Database) -> int:
    async with db.transaction() as tx:
        return await backfill_floor_ms(tx)


async def test_one_run_prunes_every_kind_of_expired_row_and_keeps_the_rest(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await handled(db, "$old", NOW - 31 * DAY)
    await handled(db, "$recent", NOW - 29 * DAY)
    async with db.transaction() as tx:
        old_reply = await tx.outbox.enqueue(Room(ROOM), RoomMessage({"body": "r"}), now=NOW - 31 * DAY)
        await tx.outbox.mark_sent(old_reply, "$r1", now=NOW - 31 * DAY)
        recent_reply = await tx.outbox.enqueue(Room(ROOM), RoomMessage({"body": "r"}), now=NOW - 29 * DAY)
        await tx.outbox.mark_sent(recent_reply, "$r2", now=NOW - 29 * DAY)
        await tx.contributions.tombstone("$gone", NOW - 8 * DAY, room_id=ROOM, redactor_key="r", by_moderator=False)
        await tx.confirmations.request(ROOM, "k", "purge", expires_at=NOW - 1)
    caplog.set_level(logging.INFO, logger="bot.pruner")

    counts = await pruner(db).prune_once()

    assert (counts.inbox, counts.outbox, counts.tombstones, counts.confirmations) == (1, 1, 1, 1)
    assert await known(db, "$old", "$recent") == {"$recent"}
    async with db.transaction() as tx:
        assert await tx.outbox.sent_event_id(old_reply) is None
        assert await tx.outbox.sent_event_id(recent_reply) == "$r2"
    assert any(record.getMessage() == "pruned old rows" for record in caplog.records)


async def test_the_horizon_is_the_retention_cutoff_while_events_keep_arriving(db: Database) -> None:
    await handled(db, "$old", NOW - 31 * DAY)
    await handled(db, "$today", NOW - 60)

    await pruner(db).prune_once()

    assert await floor_ms(db) == int((NOW - 30 * DAY) * 1000)


async def test_after_a_long_outage_nothing_newer_than_the_last_sync_is_pruned_and_the_horizon_stays_behind_it(
    db: Database,
) -> None:
    # The bot was down for 40 days: the newest stored event is 40 days old. Events sent during the outage have not
    # been fetched yet; back-fill must reach them, so the horizon must stay before the last thing the bot received.
    last_sync = NOW - 40 * DAY
    await handled(db, "$long-before", last_sync - 2 * DAY)
    await handled(db, "$just-before", last_sync - ARRIVAL_MARGIN_SECONDS / 2)
    await handled(db, "$last", last_sync)

    counts = await pruner(db).prune_once()

    assert counts.inbox == 1
    assert await known(db, "$long-before", "$just-before", "$last") == {"$just-before", "$last"}
    assert await floor_ms(db) == int((last_sync - ARRIVAL_MARGIN_SECONDS) * 1000)


async def test_the_horizon_never_moves_back(db: Database) -> None:
    await handled(db, "$a", NOW - 31 * DAY)
    await handled(db, "$b", NOW - 60)
    await pruner(db).prune_once()
    before = await floor_ms(db)

    await pruner(db, now=NOW - 5 * DAY).prune_once()  # e.g. the clock was set back

    assert await floor_ms(db) == before


async def test_an_empty_database_has_no_horizon_and_a_run_removes_nothing(db: Database) -> None:
    counts = await pruner(db).prune_once()

    assert (counts.inbox, counts.outbox, counts.tombstones, counts.confirmations) == (0, 0, 0, 0)
    assert await floor_ms(db) == 0


async def test_a_backlog_larger_than_a_batch_is_all_pruned_in_one_run(db: Database) -> None:
    for number in range(7):
        await handled(db, f"$e{number}", NOW - 40 * DAY)
    await handled(db, "$today", NOW - 60)

    counts = await pruner(db, batch_size=3).prune_once()

    assert counts.inbox == 7
    assert await known(db, *(f"$e{number}" for number in range(7)), "$today") == {"$today"}


# -- back-fill stops at the horizon ---------------------------------------------------------------------------------


class PagingClient:
    """Answers /messages (backwards) from a scripted room history; nothing else is asked of it during a back-fill."""

    user_id = "@bot:example.org"
    olm = None

    def __init__(self, newest_first: list[dict[str, Any]]) -> None:
        self._history = newest_first

    async def room_messages(self, room_id: str, start: str, direction: Any, limit: int) -> Any:
        offset = int(start)
        chunk = [SimpleNamespace(source=source) for source in self._history[offset : offset + limit]]
        return SimpleNamespace(chunk=chunk, end=str(offset + len(chunk)))


def message(event_id: str, origin_ts_ms: int) -> dict[str, Any]:
    return {
        "type": "m.room.message",
        "event_id": event_id,
        "sender": "@alice:example.org",
        "origin_server_ts": origin_ts_ms,
        "content": {"msgtype": "m.text", "body": "!dialogue ping"},
    }


async def test_back_fill_stops_at_events_older_than_the_horizon_so_pruned_ones_are_not_handled_again(
    db: Database, tmp_path: Path
) -> None:
    # The bot joined long ago, handled "$old" 40 days ago, and has since pruned its ID. A limited timeline now makes
    # it page back: the walk must end at the horizon instead of walking on to the join and storing "$old" anew.
    await handled(db, "$old", NOW - 40 * DAY)
    await handled(db, "$today", NOW - 60)
    async with db.transaction() as tx:
        await tx.rooms.set_joined(ROOM, int((NOW - 50 * DAY) * 1000))
    await pruner(db).prune_once()
    assert await known(db, "$old") == set()
    history = [
        message("$missed", int((NOW - 10) * 1000)),
        message("$old", int((NOW - 40 * DAY) * 1000)),
        message("$older", int((NOW - 45 * DAY) * 1000)),
    ]
    settings = make_settings(tmp_path)
    client = PagingClient(history)
    undecrypted = UndecryptedEvents(client, db, settings, on_decrypted=lambda: None, on_outbox_changed=lambda: None)  # type: ignore[arg-type]
    loop = SyncLoop(client, db, settings, RoomDirectory(), on_new_events=lambda: None, undecrypted=undecrypted)  # type: ignore[arg-type]
    batch = SyncBatch()

    collected = await loop._backfill(ROOM, "0", RoomBatch(), batch)

    assert [event.event_id for event in collected] == ["$missed"]


# -- the schedule ----------------------------------------------------------------------------------------------------


class FlakyPruner(Pruner):
    """A pruner whose first run meets a full disk; records its runs."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, retention_days=30, clock=lambda: NOW, interval_seconds=0)
        self.runs = 0
        self.second_run = asyncio.Event()

    async def prune_once(self) -> PruneCounts:
        self.runs += 1
        if self.runs == 1:
            raise sqlite3.OperationalError("database or disk is full")
        self.second_run.set()
        return await super().prune_once()


async def test_a_failed_run_is_logged_and_the_schedule_goes_on_until_cancelled(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.pruner")
    flaky = FlakyPruner(db)

    task = asyncio.create_task(flaky.run())
    await asyncio.wait_for(flaky.second_run.wait(), timeout=10)
    task.cancel()
    await asyncio.wait([task], timeout=10)

    assert task.cancelled()
    assert any(record.getMessage() == "pruning failed; will retry at the next run" for record in caplog.records)


async def test_a_handled_scheduled_action_is_never_forgotten_so_re_planning_it_cannot_repeat_it(db: Database) -> None:
    # A reminder is planned again at every rebuild until its window closes, which may be more than the retention
    # away; only its ID in the inbox keeps it from being sent twice (bot/scheduler.py).
    reminder = PlannedAction("remind", 7, ROOM, due=NOW + 5 * DAY, run_at=NOW - 31 * DAY)
    scheduled = NewInboxEvent(reminder.event_id, ROOM, reminder.inbox_source())
    async with db.transaction() as tx:
        await tx.inbox.add([scheduled], now=NOW - 31 * DAY)
        await tx.inbox.mark_done(reminder.event_id)
    await handled(db, "$today", NOW - 60)

    await pruner(db).prune_once()

    async with db.transaction() as tx:
        assert await tx.inbox.add([scheduled], now=NOW) == 0


def test_scheduled_event_ids_start_with_the_prefix_the_pruner_keeps() -> None:
    for action in ACTIONS:
        assert PlannedAction(action, 1, ROOM, due=NOW, run_at=NOW).event_id.startswith(SCHEDULED_ID_PREFIX)


async def test_a_consensus_dm_row_is_kept_while_its_round_may_be_answered_and_pruned_after_the_retention(
    db: Database,
) -> None:
    # The row records whom the DM went to; reactions find their theme through it. It goes once the round has been
    # closed for longer than the retention, like any other sent row.
    from storage import Person
    from storage.consensus import ConsensusTheme

    person = "@voter:example.org"
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "D", b"s" * 32, NOW - 90 * DAY)
        rows: dict[str, str] = {}
        for name, closes_at in (
            ("long closed", NOW - 31 * DAY),
            ("recently closed", NOW - 29 * DAY),
            ("open", NOW + DAY),
        ):
            challenge = await tx.challenges.add(dialogue.id, name, "a?")
            round_id = await tx.consensus.open_round(
                dialogue.id, challenge.id, [ConsensusTheme(1, "C1", "s")], NOW - 60 * DAY, closes_at
            )
            txn_id = await tx.outbox.enqueue(Person(person), RoomMessage({"body": "agree?"}), now=NOW - 60 * DAY)
            await tx.consensus.record_message(txn_id, round_id, 1)
            await tx.outbox.mark_sent(txn_id, f"${name.replace(' ', '-')}", now=NOW - 60 * DAY)
            rows[name] = txn_id

    counts = await pruner(db).prune_once()

    assert counts.outbox == 1
    async with db.transaction() as tx:
        assert await tx.outbox.sent_event_id(rows["long closed"]) is None
        assert await tx.consensus.message_target("$long-closed", person) is None
        assert await tx.consensus.message_target("$recently-closed", person) is not None
        assert await tx.consensus.message_target("$open", person) is not None
    with sqlite3.connect(db.path) as raw:
        destinations = [row[0] for row in raw.execute("SELECT destination FROM outbox")]
    assert destinations == [person, person]
