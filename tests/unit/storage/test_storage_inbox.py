"""The inbox: de-duplication, processing order, retries, decryption and quarantine."""

from __future__ import annotations

from typing import Any

import pytest

from storage import Database, InboxRow, NewInboxEvent, StorageError
from tests.support.storage_peek import peek

ROOM = "!room:example.org"


def event(event_id: str, room_id: str = ROOM, *, awaiting_key: bool = False, body: str = "hi") -> NewInboxEvent:
    source: dict[str, Any] = {
        "event_id": event_id,
        "sender": "@alice:example.org",
        "content": {"body": body},
    }
    return NewInboxEvent(event_id, room_id, source, awaiting_key=awaiting_key)


async def add(db: Database, *events: NewInboxEvent, now: float = 100.0) -> int:
    async with db.transaction() as tx:
        return await tx.inbox.add(events, now=now)


async def ready(db: Database, now: float = 100.0, limit: int = 50) -> list[InboxRow]:
    async with db.transaction() as tx:
        return await tx.inbox.next_ready(now, limit)


def ids(rows: list[InboxRow]) -> list[str]:
    return [row.event_id for row in rows]


async def test_add_returns_how_many_events_were_new(db: Database) -> None:
    assert await add(db, event("$a"), event("$b")) == 2
    assert await add(db, event("$b"), event("$c")) == 1


async def test_a_duplicate_within_one_batch_is_stored_once(db: Database) -> None:
    assert await add(db, event("$a"), event("$a", body="replay")) == 1
    rows = await ready(db)
    assert len(rows) == 1
    assert rows[0].source is not None
    assert rows[0].source["content"]["body"] == "hi"


async def test_an_event_is_not_added_again_after_it_was_done(db: Database) -> None:
    await add(db, event("$a"))
    async with db.transaction() as tx:
        await tx.inbox.mark_done("$a")
    assert await add(db, event("$a")) == 0
    assert await ready(db) == []


async def test_known_reports_events_in_any_state(db: Database) -> None:
    await add(db, event("$pending"), event("$done"), event("$locked", awaiting_key=True))
    async with db.transaction() as tx:
        await tx.inbox.mark_done("$done")
        assert await tx.inbox.known(["$pending", "$done", "$locked", "$new"]) == {
            "$pending",
            "$done",
            "$locked",
        }
        assert await tx.inbox.known([]) == set()


async def test_mark_done_drops_the_stored_event(db: Database) -> None:
    await add(db, event("$a"))
    async with db.transaction() as tx:
        await tx.inbox.mark_done("$a")
    assert await peek(db, "SELECT state, source FROM inbox WHERE event_id = '$a'") == [("done", None)]


async def test_mark_ignored_drops_the_stored_event(db: Database) -> None:
    await add(db, event("$a"))
    async with db.transaction() as tx:
        await tx.inbox.mark_ignored("$a")
    assert await peek(db, "SELECT state, source FROM inbox WHERE event_id = '$a'") == [("ignored", None)]


async def test_next_ready_returns_pending_events_in_insertion_order(db: Database) -> None:
    await add(db, event("$c"), event("$a"))
    await add(db, event("$b", "!other:example.org"))
    rows = await ready(db)
    assert ids(rows) == ["$c", "$a", "$b"]
    assert rows[0].seq < rows[1].seq < rows[2].seq
    assert (rows[0].room_id, rows[0].state, rows[0].attempts, rows[0].error_ref) == (ROOM, "pending", 0, None)
    assert rows[0].source == event("$c").source


async def test_next_ready_respects_the_limit(db: Database) -> None:
    await add(db, *(event(f"$e{i}") for i in range(5)))
    assert ids(await ready(db, limit=2)) == ["$e0", "$e1"]


async def test_next_ready_skips_events_whose_retry_time_has_not_come(db: Database) -> None:
    await add(db, event("$a"), sent_by("$b", "@bob:example.org"))
    async with db.transaction() as tx:
        await tx.inbox.record_failure("$a", "err-1", retry_at=160.0)
    assert ids(await ready(db, now=159.9)) == ["$b"]
    assert ids(await ready(db, now=160.0)) == ["$a", "$b"]


async def test_next_ready_skips_events_no_longer_pending(db: Database) -> None:
    await add(db, event("$done"), event("$ignored"), event("$quarantined"), event("$locked", awaiting_key=True))
    async with db.transaction() as tx:
        await tx.inbox.mark_done("$done")
        await tx.inbox.mark_ignored("$ignored")
        await tx.inbox.quarantine("$quarantined", "err-q")
    assert await ready(db) == []


async def test_an_undecryptable_event_waits_for_its_key_and_then_becomes_ready(db: Database) -> None:
    await add(db, event("$a", awaiting_key=True))
    assert await ready(db) == []

    async with db.transaction() as tx:
        waiting = await tx.inbox.awaiting_key()
        assert ids(waiting) == ["$a"]
        assert waiting[0].state == "awaiting_key"
        await tx.inbox.mark_decrypted("$a", {"type": "m.room.message", "content": {"body": "plain"}})
        assert await tx.inbox.awaiting_key() == []

    rows = await ready(db)
    assert ids(rows) == ["$a"]
    assert rows[0].source == {"type": "m.room.message", "content": {"body": "plain"}}


async def test_mark_decrypted_refuses_an_event_that_is_not_awaiting_a_key(db: Database) -> None:
    await add(db, event("$a"))
    async with db.transaction() as tx:
        await tx.inbox.mark_done("$a")
    with pytest.raises(StorageError):
        async with db.transaction() as tx:
            await tx.inbox.mark_decrypted("$a", {"content": {"body": "must not come back"}})


async def test_record_failure_counts_attempts_and_keeps_the_error_reference(db: Database) -> None:
    await add(db, event("$a"))
    async with db.transaction() as tx:
        assert await tx.inbox.record_failure("$a", "err-1", retry_at=110.0) == 1
        assert await tx.inbox.record_failure("$a", "err-2", retry_at=130.0) == 2
    (row,) = await ready(db, now=130.0)
    assert (row.attempts, row.error_ref, row.state) == (2, "err-2", "pending")


async def test_state_changes_for_an_unknown_event_raise(db: Database) -> None:
    with pytest.raises(StorageError, match=r"\$missing"):
        async with db.transaction() as tx:
            await tx.inbox.record_failure("$missing", "err", retry_at=1.0)


async def test_quarantine_keeps_the_event_out_of_processing_with_its_source(db: Database) -> None:
    await add(db, event("$a"))
    async with db.transaction() as tx:
        await tx.inbox.record_failure("$a", "err-1", retry_at=0.0)
        await tx.inbox.quarantine("$a", "err-final")
        assert (await tx.inbox.counts())["quarantined"] == 1
    assert await ready(db) == []


async def test_requeue_quarantined_makes_one_event_ready_with_attempts_reset(db: Database) -> None:
    await add(db, event("$a"), event("$b"))
    async with db.transaction() as tx:
        await tx.inbox.record_failure("$a", "err-1", retry_at=500.0)
        await tx.inbox.quarantine("$a", "err-final")
        await tx.inbox.quarantine("$b", "err-final")
        assert await tx.inbox.requeue_quarantined("$a") == 1
    rows = await ready(db)
    assert ids(rows) == ["$a"]
    assert rows[0].attempts == 0
    assert rows[0].source == event("$a").source


async def test_requeue_quarantined_without_an_id_requeues_all(db: Database) -> None:
    await add(db, event("$a"), event("$b"), event("$c"))
    async with db.transaction() as tx:
        await tx.inbox.quarantine("$a", "e")
        await tx.inbox.quarantine("$c", "e")
        await tx.inbox.mark_done("$b")
        assert await tx.inbox.requeue_quarantined() == 2
        assert await tx.inbox.requeue_quarantined() == 0
    assert ids(await ready(db)) == ["$a", "$c"]


async def test_counts_lists_every_state_including_empty_ones(db: Database) -> None:
    await add(db, event("$a"), event("$b"), event("$c", awaiting_key=True))
    async with db.transaction() as tx:
        await tx.inbox.mark_done("$a")
        assert await tx.inbox.counts() == {
            "pending": 1,
            "awaiting_key": 1,
            "done": 1,
            "quarantined": 0,
            "ignored": 0,
        }


async def test_next_wake_time_is_the_earliest_retry_among_pending_events(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.inbox.next_wake_time() is None
    await add(db, event("$a"), event("$b"), event("$c"))
    async with db.transaction() as tx:
        await tx.inbox.record_failure("$a", "e", retry_at=300.0)
        await tx.inbox.record_failure("$b", "e", retry_at=200.0)
        await tx.inbox.record_failure("$c", "e", retry_at=100.0)
        await tx.inbox.mark_done("$c")
        assert await tx.inbox.next_wake_time() == 200.0


async def test_an_event_added_as_ignored_keeps_only_its_id_and_is_never_handed_out(db: Database) -> None:
    forged = NewInboxEvent("$forged", ROOM, {"event_id": "$forged", "content": {"body": "secret"}}, ignored=True)

    assert await add(db, forged) == 1
    assert await add(db, event("$forged")) == 0  # a re-delivery is recognised

    assert await ready(db) == []
    async with db.transaction() as tx:
        assert (await tx.inbox.counts())["ignored"] == 1
        assert await tx.inbox.known(["$forged"]) == {"$forged"}
        assert await tx.inbox.awaiting_key() == []


def sent_by(event_id: str, sender: str) -> NewInboxEvent:
    return NewInboxEvent(event_id, ROOM, {"event_id": event_id, "sender": sender, "content": {"body": "x"}})


async def test_next_ready_takes_senders_in_turn_so_a_flood_does_not_hold_up_the_others(db: Database) -> None:
    await add(db, *(sent_by(f"$a{n}", "@a:x") for n in range(5)), sent_by("$b0", "@b:x"), sent_by("$b1", "@b:x"))
    await add(db, sent_by("$c0", "@c:x"))

    assert ids(await ready(db)) == ["$a0", "$b0", "$c0", "$a1", "$b1", "$a2", "$a3", "$a4"]


async def test_next_ready_keeps_each_senders_own_order_across_batches(db: Database) -> None:
    await add(db, *(sent_by(f"$a{n}", "@a:x") for n in range(4)), sent_by("$b0", "@b:x"))

    first = await ready(db, limit=3)
    async with db.transaction() as tx:
        for row in first:
            await tx.inbox.mark_done(row.event_id)

    assert ids(first) == ["$a0", "$b0", "$a1"]
    assert ids(await ready(db)) == ["$a2", "$a3"]


async def test_a_sender_whose_earlier_event_waits_for_a_retry_waits_with_it(db: Database) -> None:
    # An edit must never be handled before the message it edits, even when handling that message failed once.
    await add(db, sent_by("$a0", "@a:x"), sent_by("$a1-edit", "@a:x"), sent_by("$b0", "@b:x"))
    async with db.transaction() as tx:
        await tx.inbox.record_failure("$a0", "err-1", retry_at=160.0)

    assert ids(await ready(db, now=100.0)) == ["$b0"]
    assert ids(await ready(db, now=160.0)) == ["$a0", "$b0", "$a1-edit"]


async def test_internal_events_without_a_sender_take_turns_like_a_sender(db: Database) -> None:
    internal = NewInboxEvent("$timer", ROOM, {"event_id": "$timer", "sender": "", "type": "dialogue_bot.scheduled"})
    await add(db, *(sent_by(f"$a{n}", "@a:x") for n in range(3)), internal)

    assert ids(await ready(db)) == ["$a0", "$timer", "$a1", "$a2"]


async def test_awaiting_key_pages_go_up_to_the_bound_or_to_the_end_without_one(db: Database) -> None:
    await add(db, *(event(f"$k{n}", awaiting_key=True) for n in range(4)))
    async with db.transaction() as tx:
        unbounded = await tx.inbox.awaiting_key_page(0, None, 10)
        bounded = await tx.inbox.awaiting_key_page(unbounded[0].seq, unbounded[2].seq, 10)
    assert [row.event_id for row in unbounded] == ["$k0", "$k1", "$k2", "$k3"]
    assert [row.event_id for row in bounded] == ["$k1", "$k2"]
