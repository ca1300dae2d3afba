"""The outbox: transaction ids, per-room FIFO with independent backoff, and dropping sent content."""

from __future__ import annotations

import pytest

from storage import Database, OutboxRow, Room, RoomMessage, StorageError
from tests.support.storage_peek import peek

ROOM_A = "!a:example.org"
ROOM_B = "!b:example.org"


def text(body: str) -> dict[str, str]:
    return {"msgtype": "m.text", "body": body}


async def enqueue(db: Database, room_id: str, body: str, now: float = 100.0) -> str:
    async with db.transaction() as tx:
        return await tx.outbox.enqueue(Room(room_id), RoomMessage(text(body)), now)


async def sendable(db: Database, now: float = 100.0) -> OutboxRow | None:
    async with db.transaction() as tx:
        return await tx.outbox.next_sendable(now)


async def test_enqueue_returns_a_unique_prefixed_transaction_id(db: Database) -> None:
    txn_ids = [await enqueue(db, ROOM_A, f"m{i}") for i in range(20)]
    assert len(set(txn_ids)) == 20
    assert all(t.startswith("dlg") and len(t) == 3 + 32 for t in txn_ids)


async def test_next_sendable_returns_the_queued_message(db: Database) -> None:
    txn_id = await enqueue(db, ROOM_A, "hello")
    row = await sendable(db)
    assert row is not None
    assert (row.txn_id, row.destination, row.item, row.attempts) == (
        txn_id,
        Room(ROOM_A),
        RoomMessage(text("hello")),
        0,
    )


async def test_next_sendable_is_none_when_nothing_is_pending(db: Database) -> None:
    assert await sendable(db) is None


async def test_messages_in_one_room_go_out_in_order(db: Database) -> None:
    first = await enqueue(db, ROOM_A, "1")
    second = await enqueue(db, ROOM_A, "2")
    row = await sendable(db)
    assert row is not None and row.txn_id == first
    async with db.transaction() as tx:
        await tx.outbox.mark_sent(first, "$e1", now=101.0)
    row = await sendable(db)
    assert row is not None and row.txn_id == second


async def test_a_deferred_message_holds_back_later_messages_in_its_room(db: Database) -> None:
    first = await enqueue(db, ROOM_A, "1")
    await enqueue(db, ROOM_A, "2")
    async with db.transaction() as tx:
        await tx.outbox.defer(first, not_before=200.0, error="429")
    assert await sendable(db, now=150.0) is None
    row = await sendable(db, now=200.0)
    assert row is not None and row.txn_id == first


async def test_a_deferred_room_does_not_block_another_room(db: Database) -> None:
    a1 = await enqueue(db, ROOM_A, "a1")
    b1 = await enqueue(db, ROOM_B, "b1")
    async with db.transaction() as tx:
        await tx.outbox.defer(a1, not_before=200.0, error="timeout")
    row = await sendable(db, now=150.0)
    assert row is not None and row.txn_id == b1


async def test_the_oldest_ready_room_head_goes_first(db: Database) -> None:
    b1 = await enqueue(db, ROOM_B, "b1")
    a1 = await enqueue(db, ROOM_A, "a1")
    row = await sendable(db)
    assert row is not None and row.txn_id == b1
    async with db.transaction() as tx:
        await tx.outbox.mark_sent(b1, "$b1", now=101.0)
    row = await sendable(db)
    assert row is not None and row.txn_id == a1


async def test_mark_sent_drops_the_content_and_keeps_the_event_id(db: Database) -> None:
    txn_id = await enqueue(db, ROOM_A, "a contribution quoted back")
    async with db.transaction() as tx:
        await tx.outbox.mark_sent(txn_id, "$sent", now=105.0)
        assert await tx.outbox.sent_event_id(txn_id) == "$sent"
        assert await tx.outbox.pending_count() == 0
    assert await peek(db, "SELECT state, content, sent_at FROM outbox") == [("sent", None, 105.0)]


async def test_sent_event_id_is_none_before_sending_and_for_unknown_ids(db: Database) -> None:
    txn_id = await enqueue(db, ROOM_A, "x")
    async with db.transaction() as tx:
        assert await tx.outbox.sent_event_id(txn_id) is None
        assert await tx.outbox.sent_event_id("dlgunknown") is None


async def test_defer_counts_attempts(db: Database) -> None:
    txn_id = await enqueue(db, ROOM_A, "x")
    async with db.transaction() as tx:
        assert await tx.outbox.defer(txn_id, not_before=110.0, error="e1") == 1
        assert await tx.outbox.defer(txn_id, not_before=120.0, error="e2") == 2
    row = await sendable(db, now=120.0)
    assert row is not None and row.attempts == 2


async def test_mark_failed_drops_the_content_and_unblocks_the_room(db: Database) -> None:
    first = await enqueue(db, ROOM_A, "1")
    second = await enqueue(db, ROOM_A, "2")
    async with db.transaction() as tx:
        await tx.outbox.mark_failed(first, "M_FORBIDDEN")
    row = await sendable(db)
    assert row is not None and row.txn_id == second
    assert await peek(db, "SELECT state, content FROM outbox WHERE txn_id = ?", (first,)) == [("failed", None)]


async def test_a_sent_message_cannot_be_deferred(db: Database) -> None:
    txn_id = await enqueue(db, ROOM_A, "x")
    async with db.transaction() as tx:
        await tx.outbox.mark_sent(txn_id, "$e", now=101.0)
    with pytest.raises(StorageError):
        async with db.transaction() as tx:
            await tx.outbox.defer(txn_id, not_before=200.0, error="late")


async def test_pending_count_counts_only_unsent_messages(db: Database) -> None:
    first = await enqueue(db, ROOM_A, "1")
    await enqueue(db, ROOM_A, "2")
    await enqueue(db, ROOM_B, "3")
    async with db.transaction() as tx:
        await tx.outbox.mark_sent(first, "$e", now=101.0)
        assert await tx.outbox.pending_count() == 2


async def test_next_wake_time_considers_only_each_rooms_head(db: Database) -> None:
    a1 = await enqueue(db, ROOM_A, "a1", now=100.0)
    await enqueue(db, ROOM_A, "a2", now=100.0)  # behind a1; its own not_before does not count
    b1 = await enqueue(db, ROOM_B, "b1", now=100.0)
    async with db.transaction() as tx:
        await tx.outbox.defer(a1, not_before=300.0, error="e")
        await tx.outbox.defer(b1, not_before=250.0, error="e")
        assert await tx.outbox.next_wake_time() == 250.0
        await tx.outbox.mark_sent(b1, "$b1", now=260.0)
        assert await tx.outbox.next_wake_time() == 300.0


async def test_next_wake_time_is_none_when_nothing_is_pending(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.outbox.next_wake_time() is None
