"""A full disk pauses the bot instead of failing what it handles: nothing is counted as a failed try, nothing is
quarantined, the sync token does not advance, and everything goes on once space returns."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest
from nio import SyncResponse

from bot.disk_space import DiskSpace
from bot.room_state import RoomDirectory
from bot.scheduler import ScheduleRunner
from bot.sync_loop import SYNC_TOKEN_KEY, SyncLoop
from bot.undecrypted import UndecryptedEvents
from handlers.commands import Command, CommandRegistry
from storage import Database, DatabaseCorruptError, DiskFullError, Room, RoomMessage, StorageError, Transaction
from tests.unit.fakes import make_settings
from tests.unit.test_processor import ROOM, explode, make_processor, message
from tests.unit.test_sender import enqueue, make_sender


class FillableDisk:
    """The bot's database on a disk that can be filled: while `full`, every transaction that changed anything fails
    at its commit with the error a full disk gives (and is rolled back), as SQLITE_FULL does; reads still work."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.full = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self._db.transaction() as tx:
            conn = self._db._conn
            assert conn is not None
            before = conn.total_changes
            yield tx
            if self.full and conn.total_changes != before:
                raise DiskFullError("database error: database or disk is full")


@pytest.fixture
def disk(db) -> FillableDisk:
    return FillableDisk(db)


def disk_space(disk: FillableDisk, tmp_path) -> DiskSpace:
    return DiskSpace(disk, tmp_path, max_probe_seconds=0.05, free=lambda _: 1 << 30)  # type: ignore[arg-type]


async def inbox_row(db: Database, event_id: str) -> tuple[str, int]:
    async with db.transaction() as tx:
        rows = await tx.inbox.next_ready(1e12)
        counts = await tx.inbox.counts()
    found = [row for row in rows if row.event_id == event_id]
    if found:
        return found[0].state, found[0].attempts
    return next(state for state, count in counts.items() if count), 0


async def test_an_event_met_by_a_full_disk_stays_pending_with_no_try_counted_however_often(db, disk, tmp_path):
    processor, clock, _ = make_processor(disk, tmp_path)
    async with db.transaction() as tx:
        await tx.inbox.add([message("$1", "!dialogue ping")], clock())
    disk.full = True

    for _ in range(5):
        async with db.transaction() as tx:
            (row,) = await tx.inbox.next_ready(clock())
        with pytest.raises(DiskFullError):
            await processor.process(row)
        clock.now += 10

    async with db.transaction() as tx:
        counts = await tx.inbox.counts()
        (row,) = await tx.inbox.next_ready(clock())
        assert await tx.outbox.pending_count() == 0
    assert counts["quarantined"] == 0 and counts["pending"] == 1
    assert row.attempts == 0 and row.error_ref is None


async def test_a_handler_failure_that_cannot_be_recorded_on_a_full_disk_is_not_counted(db, disk, tmp_path):
    registry = CommandRegistry([Command("boom", "always fails", explode, parse=lambda raw: raw)])
    processor, clock, _ = make_processor(disk, tmp_path, registry)
    async with db.transaction() as tx:
        await tx.inbox.add([message("$1", "!dialogue boom")], clock())
    disk.full = True

    for _ in range(4):
        async with db.transaction() as tx:
            (row,) = await tx.inbox.next_ready(clock())
        with pytest.raises(DiskFullError):
            await processor.process(row)

    async with db.transaction() as tx:
        (row,) = await tx.inbox.next_ready(clock())
        counts = await tx.inbox.counts()
    assert row.attempts == 0 and counts["quarantined"] == 0


async def test_the_processor_pauses_on_a_full_disk_says_so_once_and_handles_the_event_once_space_returns(
    db, disk, tmp_path, caplog
):
    space = disk_space(disk, tmp_path)
    processor, clock, wakes = make_processor(disk, tmp_path)
    processor._disk = space
    clock.now = 1e12  # nothing waits for a retry time
    async with db.transaction() as tx:
        await tx.inbox.add([message("$1", "!dialogue ping")], clock())
    disk.full = True
    probing = asyncio.create_task(space.run())
    running = asyncio.create_task(processor.run())
    try:
        with caplog.at_level(logging.INFO):
            async with asyncio.timeout(10):
                while not space.paused:  # noqa: ASYNC110 - the pause has no event of its own to await
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.3)  # several probes fail meanwhile
                disk.full = False
                await space.wait_for_space()
                while (await inbox_row(db, "$1"))[0] != "done":  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
    finally:
        for task in (running, probing):
            task.cancel()
        await asyncio.gather(running, probing, return_exceptions=True)

    async with db.transaction() as tx:
        counts = await tx.inbox.counts()
        assert await tx.outbox.pending_count() == 1
    assert counts["done"] == 1 and counts["quarantined"] == 0
    messages = [(record.levelno, record.getMessage()) for record in caplog.records]
    assert messages.count((logging.WARNING, "disk full; intake paused until space returns")) == 1
    assert messages.count((logging.INFO, "disk space is back; intake resumed")) == 1
    assert not [record for record in caplog.records if record.getMessage() == "handler failed"]
    assert wakes, "the reply was queued and the sender woken"


async def test_a_sent_message_that_cannot_be_recorded_goes_again_with_the_same_transaction_id(db, disk):
    sender, client, clock = make_sender(disk)
    txn = await enqueue(db, ROOM, "one", clock())
    disk.full = True

    async with db.transaction() as tx:
        row = await tx.outbox.next_sendable(clock())
    assert row is not None
    with pytest.raises(DiskFullError):
        await sender.send(row)
    disk.full = False
    async with db.transaction() as tx:
        again = await tx.outbox.next_sendable(clock())
    assert again is not None and again.attempts == 0, "a full disk is not a failed try"
    await sender.send(again)

    assert [sent[3] for sent in client.sent] == [txn, txn]
    async with db.transaction() as tx:
        assert await tx.outbox.pending_count() == 0


async def test_the_sender_waits_for_space_instead_of_failing(db, disk, tmp_path):
    space = disk_space(disk, tmp_path)
    sender, client, clock = make_sender(disk)
    sender._disk = space
    await enqueue(db, ROOM, "one", clock())
    disk.full = True
    probing = asyncio.create_task(space.run())
    running = asyncio.create_task(sender.run())
    try:
        async with asyncio.timeout(10):
            while not space.paused:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            assert not running.done()
            disk.full = False
            while True:
                async with db.transaction() as tx:
                    if await tx.outbox.pending_count() == 0:
                        break
                await asyncio.sleep(0.01)
    finally:
        for task in (running, probing):
            task.cancel()
        await asyncio.gather(running, probing, return_exceptions=True)
    assert len({sent[3] for sent in client.sent}) == 1


class OneBatchClient:
    """A homeserver that answers a sync without a token with the same batch of one message, every time."""

    olm = None
    user_id = "@bot:test"
    should_upload_keys = False

    def __init__(self) -> None:
        self.since: list[str | None] = []

    async def sync(self, *, since: str | None = None, **_: object) -> SyncResponse:
        if since is not None:
            await asyncio.Event().wait()  # a long poll with nothing new
        self.since.append(since)
        source = message("$m1", "a contribution").source
        return SyncResponse.from_dict(
            {
                "next_batch": f"s{len(self.since)}",
                "rooms": {
                    "join": {ROOM: {"timeline": {"events": [source], "limited": False}, "state": {"events": []}}}
                },
            }
        )


async def test_a_sync_batch_met_by_a_full_disk_is_fetched_again_and_the_token_waits(db, disk, tmp_path):
    space = disk_space(disk, tmp_path)
    settings = make_settings(tmp_path)
    client = OneBatchClient()
    undecrypted = UndecryptedEvents(client, disk, settings, on_decrypted=lambda: None, on_outbox_changed=lambda: None)  # type: ignore[arg-type]
    loop = SyncLoop(client, disk, settings, RoomDirectory(), lambda: None, undecrypted, disk=space)  # type: ignore[arg-type]
    disk.full = True
    probing = asyncio.create_task(space.run())
    running = asyncio.create_task(loop.run())
    try:
        async with asyncio.timeout(10):
            while not space.paused:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            async with db.transaction() as tx:
                assert await tx.state.get(SYNC_TOKEN_KEY) is None
                assert sum((await tx.inbox.counts()).values()) == 0
            disk.full = False
            await loop.first_sync_done.wait()
    finally:
        for task in (running, probing):
            task.cancel()
        await asyncio.gather(running, probing, return_exceptions=True)
    assert client.since[:2] == [None, None], "the batch that could not be stored is asked for again"
    async with db.transaction() as tx:
        assert (await tx.inbox.counts())["pending"] == 1
        assert await tx.state.get(SYNC_TOKEN_KEY) is not None


async def test_a_scheduled_action_due_on_a_full_disk_is_stored_once_space_returns(db, disk, tmp_path):
    from handlers.scheduled import PlannedAction

    space = disk_space(disk, tmp_path)
    woken: list[int] = []
    runner = ScheduleRunner(disk, on_injected=lambda: woken.append(1), grace_seconds=60, disk=space)  # type: ignore[arg-type]
    action = PlannedAction(action="open", subject_id=1, room_id=ROOM, due=0.0, run_at=0.0)
    disk.full = True
    probing = asyncio.create_task(space.run())
    try:
        injecting = asyncio.create_task(runner._inject([action]))
        async with asyncio.timeout(10):
            while not space.paused:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            assert not injecting.done()
            disk.full = False
            await injecting
    finally:
        probing.cancel()
        await asyncio.gather(probing, return_exceptions=True)
    async with db.transaction() as tx:
        assert (await tx.inbox.counts())["pending"] == 1
    assert woken == [1]


async def test_sqlite_reporting_a_full_database_becomes_disk_full_error(db):
    # A real SQLITE_FULL: the file may not grow beyond the pages it has.
    conn = db._conn
    assert conn is not None
    await conn.execute("PRAGMA max_page_count = 1")
    with pytest.raises(DiskFullError):
        async with db.transaction() as tx:
            for number in range(200):
                await tx.outbox.enqueue(Room(ROOM), RoomMessage({"body": "x" * 2000, "n": number}), 0.0)


async def test_a_file_that_is_not_a_database_is_refused_as_corrupt_at_open(tmp_path):
    path = tmp_path / "bot.db"
    async with await Database.open(path) as database, database.transaction() as tx:
        await tx.state.set("k", "v")
    data = bytearray(path.read_bytes())
    data[:100] = b"\xa5" * 100
    path.write_bytes(bytes(data))

    with pytest.raises(DatabaseCorruptError):
        await Database.open(path)


async def test_damaged_pages_are_found_by_the_check_at_open(tmp_path):
    path = tmp_path / "bot.db"
    async with await Database.open(path) as database, database.transaction() as tx:
        for number in range(300):
            await tx.state.set(f"key{number}", "v" * 200)
    with sqlite3.connect(path) as raw:
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
    data = bytearray(path.read_bytes())
    for page in range(2, pages):
        data[page * page_size : page * page_size + 64] = b"\x5a" * 64
    path.write_bytes(bytes(data))

    with pytest.raises(StorageError) as caught:
        await Database.open(path)
    assert isinstance(caught.value, DatabaseCorruptError), caught.value
