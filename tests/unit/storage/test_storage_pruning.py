"""Pruning in storage: each prune removes what has served its purpose and leaves everything still needed."""

from __future__ import annotations

from typing import Any

from storage import Database, NewInboxEvent, Room, RoomMessage
from storage.contributions import TOMBSTONE_SECONDS

ROOM = "!room:example.org"
DAY = 24 * 3600.0


def event(event_id: str) -> NewInboxEvent:
    source: dict[str, Any] = {"event_id": event_id, "sender": "@alice:example.org", "content": {"body": "hi"}}
    return NewInboxEvent(event_id, ROOM, source)


async def receive(db: Database, event_id: str, at: float, state: str) -> None:
    async with db.transaction() as tx:
        await tx.inbox.add([event(event_id)], now=at)
        if state == "done":
            await tx.inbox.mark_done(event_id)
        elif state == "ignored":
            await tx.inbox.mark_ignored(event_id)
        elif state == "quarantined":
            await tx.inbox.quarantine(event_id, "REF123")


async def known(db: Database, *event_ids: str) -> set[str]:
    async with db.transaction() as tx:
        return await tx.inbox.known(event_ids)


# -- inbox -----------------------------------------------------------------------------------------------------------


async def test_handled_inbox_ids_older_than_the_cutoff_go_and_everything_else_stays(db: Database) -> None:
    await receive(db, "$old-done", 1 * DAY, "done")
    await receive(db, "$old-ignored", 1 * DAY, "ignored")
    await receive(db, "$old-pending", 1 * DAY, "pending")
    await receive(db, "$old-quarantined", 1 * DAY, "quarantined")
    await receive(db, "$recent-done", 40 * DAY, "done")

    async with db.transaction() as tx:
        removed = await tx.inbox.prune_handled(before=30 * DAY, limit=100)

    assert removed == 2
    assert await known(db, "$old-done", "$old-ignored", "$old-pending", "$old-quarantined", "$recent-done") == {
        "$old-pending",
        "$old-quarantined",
        "$recent-done",
    }


async def test_inbox_pruning_removes_at_most_the_batch_size_per_call(db: Database) -> None:
    for number in range(7):
        await receive(db, f"$e{number}", 1 * DAY, "done")

    async with db.transaction() as tx:
        first = await tx.inbox.prune_handled(before=30 * DAY, limit=5)
    async with db.transaction() as tx:
        second = await tx.inbox.prune_handled(before=30 * DAY, limit=5)

    assert (first, second) == (5, 2)
    assert await known(db, *(f"$e{number}" for number in range(7))) == set()


async def test_the_newest_receipt_time_is_that_of_the_latest_stored_event(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.inbox.newest_received_at() is None
    await receive(db, "$a", 5 * DAY, "done")
    await receive(db, "$b", 9 * DAY, "pending")

    async with db.transaction() as tx:
        assert await tx.inbox.newest_received_at() == 9 * DAY


# -- outbox ----------------------------------------------------------------------------------------------------------


async def queue(db: Database, at: float) -> str:
    async with db.transaction() as tx:
        return await tx.outbox.enqueue(Room(ROOM), RoomMessage({"body": "reply"}), now=at)


async def sent(db: Database, txn_id: str, at: float) -> None:
    async with db.transaction() as tx:
        await tx.outbox.mark_sent(txn_id, f"$sent-{txn_id}", now=at)


async def outbox_txn_ids(db: Database) -> set[str]:
    # No repository lists every row; the pending count and sent_event_id are what callers use, so ask those.
    async with db.transaction() as tx:
        rows = await tx.outbox.sendable_heads(now=1e12)
    return {row.txn_id for row in rows}


async def test_sent_and_failed_outbox_rows_older_than_the_cutoff_go_pending_and_recent_stay(db: Database) -> None:
    old_sent = await queue(db, 1 * DAY)
    await sent(db, old_sent, 1 * DAY)
    old_failed = await queue(db, 1 * DAY)
    async with db.transaction() as tx:
        await tx.outbox.mark_failed(old_failed, "M_FORBIDDEN")
    old_pending = await queue(db, 1 * DAY)
    recent_sent = await queue(db, 1 * DAY)
    await sent(db, recent_sent, 40 * DAY)  # queued long ago, sent recently: sent_at is what counts

    async with db.transaction() as tx:
        removed = await tx.outbox.prune_finished(before=30 * DAY, limit=100)
        assert removed == 2
        assert await tx.outbox.sent_event_id(old_sent) is None
        assert await tx.outbox.sent_event_id(recent_sent) == f"$sent-{recent_sent}"
        assert await tx.outbox.pending_count() == 1
    assert await outbox_txn_ids(db) == {old_pending}


async def test_a_sent_challenge_prompt_is_kept_however_old_because_threads_find_their_challenge_through_it(
    db: Database,
) -> None:
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "D", b"secret" * 4, 1.0)
        challenge = await tx.challenges.add(dialogue.id, "A", "a?")
    prompt = await queue(db, 1 * DAY)
    async with db.transaction() as tx:
        await tx.challenges.open(challenge.id, prompt, now=1 * DAY)
    await sent(db, prompt, 1 * DAY)

    async with db.transaction() as tx:
        removed = await tx.outbox.prune_finished(before=30 * DAY, limit=100)
        assert removed == 0
        assert await tx.outbox.sent_event_id(prompt) == f"$sent-{prompt}"
        found = await tx.challenges.by_thread_root(ROOM, f"$sent-{prompt}")
    assert found is not None and found.id == challenge.id


async def test_outbox_pruning_removes_at_most_the_batch_size_per_call(db: Database) -> None:
    for _ in range(7):
        await sent(db, await queue(db, 1 * DAY), 1 * DAY)

    async with db.transaction() as tx:
        first = await tx.outbox.prune_finished(before=30 * DAY, limit=5)
    async with db.transaction() as tx:
        second = await tx.outbox.prune_finished(before=30 * DAY, limit=5)

    assert (first, second) == (5, 2)


# -- tombstones and confirmations ------------------------------------------------------------------------------------


async def test_tombstones_past_their_window_go_and_those_in_it_stay(db: Database) -> None:
    now = 100 * DAY
    async with db.transaction() as tx:
        await tx.contributions.tombstone(
            "$expired", now - TOMBSTONE_SECONDS - 1, room_id=ROOM, redactor_key="r", by_moderator=False
        )
        await tx.contributions.tombstone(
            "$waiting", now - TOMBSTONE_SECONDS + 60, room_id=ROOM, redactor_key="r", by_moderator=False
        )

    async with db.transaction() as tx:
        removed = await tx.contributions.prune_tombstones(now, limit=100)
        assert removed == 1
        assert await tx.contributions.tombstones_for("$expired") == []
        assert len(await tx.contributions.tombstones_for("$waiting")) == 1


async def test_expired_confirmations_go_and_unexpired_ones_can_still_be_taken(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.confirmations.request(ROOM, "k-expired", "purge", expires_at=50.0)
        await tx.confirmations.request(ROOM, "k-waiting", "purge", expires_at=200.0)

    async with db.transaction() as tx:
        removed = await tx.confirmations.prune_expired(now=100.0, limit=100)
    async with db.transaction() as tx:
        assert removed == 1
        assert await tx.confirmations.take(ROOM, "k-waiting", "purge", now=150.0) is True


async def test_confirmation_pruning_removes_at_most_the_batch_size_per_call(db: Database) -> None:
    async with db.transaction() as tx:
        for number in range(7):
            await tx.confirmations.request(ROOM, f"k{number}", "purge", expires_at=50.0)

    async with db.transaction() as tx:
        first = await tx.confirmations.prune_expired(now=100.0, limit=5)
    async with db.transaction() as tx:
        second = await tx.confirmations.prune_expired(now=100.0, limit=5)

    assert (first, second) == (5, 2)


async def test_tombstone_pruning_removes_at_most_the_batch_size_per_call(db: Database) -> None:
    async with db.transaction() as tx:
        for number in range(7):
            await tx.contributions.tombstone(f"$e{number}", 1.0, room_id=ROOM, redactor_key="r", by_moderator=False)

    async with db.transaction() as tx:
        first = await tx.contributions.prune_tombstones(now=100 * DAY, limit=5)
    async with db.transaction() as tx:
        second = await tx.contributions.prune_tombstones(now=100 * DAY, limit=5)

    assert (first, second) == (5, 2)


async def test_inbox_ids_with_the_kept_prefix_stay_however_old(db: Database) -> None:
    await receive(db, "$keep.1", 1 * DAY, "done")
    await receive(db, "$other", 1 * DAY, "done")

    async with db.transaction() as tx:
        removed = await tx.inbox.prune_handled(before=30 * DAY, limit=100, keep_prefix="$keep.")

    assert removed == 1
    assert await known(db, "$keep.1", "$other") == {"$keep.1"}
