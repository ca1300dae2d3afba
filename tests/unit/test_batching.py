"""Which ready inbox events the processor handles together in one transaction (bot/batching.py)."""

from __future__ import annotations

from bot.batching import BatchLimits, take_batch
from storage import InboxRow


def row(seq: int, sender: str = "@alice:test", *, attempts: int = 0, source: bool = True) -> InboxRow:
    return InboxRow(
        seq=seq,
        event_id=f"$e{seq}",
        room_id="!room:test",
        state="pending",
        source={"sender": sender, "type": "m.room.message"} if source else None,
        attempts=attempts,
        error_ref=None,
        was_encrypted=False,
        origin="sync",
    )


def never_held(_row: InboxRow) -> bool:
    return False


def seqs(rows: list[InboxRow]) -> list[int]:
    return [item.seq for item in rows]


def test_ready_events_are_taken_together_in_their_order_up_to_the_limit() -> None:
    rows = [row(seq, f"@p{seq % 3}:test") for seq in range(1, 8)]
    batch, rest = take_batch(rows, never_held, max_events=5)
    assert seqs(batch) == [1, 2, 3, 4, 5]
    assert seqs(rest) == [6, 7]
    batch, rest = take_batch(rest, never_held, max_events=5)
    assert seqs(batch) == [6, 7]
    assert rest == []


def test_a_retry_is_handled_alone_so_a_second_failure_costs_no_neighbour_a_rerun() -> None:
    rows = [row(1), row(2, "@bob:test", attempts=1), row(3, "@carol:test")]
    batch, rest = take_batch(rows, never_held, max_events=50)
    assert seqs(batch) == [1]
    batch, rest = take_batch(rest, never_held, max_events=50)
    assert seqs(batch) == [2]
    batch, rest = take_batch(rest, never_held, max_events=50)
    assert seqs(batch) == [3]
    assert rest == []


def test_held_events_and_events_without_a_body_are_left_out_and_not_handed_back() -> None:
    rows = [row(1, "@held:test"), row(2), row(3, source=False), row(4, "@held:test"), row(5, "@bob:test")]
    batch, rest = take_batch(rows, lambda item: (item.source or {}).get("sender") == "@held:test", max_events=50)
    assert seqs(batch) == [2, 5]
    assert rest == []


def test_nothing_ready_gives_an_empty_batch() -> None:
    assert take_batch([], never_held, max_events=50) == ([], [])
    assert take_batch([row(1)], lambda _row: True, max_events=50) == ([], [])


def test_a_batch_takes_more_while_under_both_the_count_and_the_time_limit() -> None:
    limits = BatchLimits(max_events=3, max_seconds=0.05)
    assert limits.room_for_more(count=0, elapsed=0.0)
    assert limits.room_for_more(count=2, elapsed=0.049)
    assert not limits.room_for_more(count=3, elapsed=0.0)
    assert not limits.room_for_more(count=1, elapsed=0.05)


def test_a_batch_always_takes_its_first_event_however_slow_the_clock() -> None:
    assert BatchLimits(max_events=50, max_seconds=0.0).room_for_more(count=0, elapsed=10.0)
