"""Which ready inbox events the processor handles together, in one transaction.

A transaction per event costs more than the event's own handling (BEGIN, COMMIT, each a round trip to the database
thread), so ready events are handled several to a transaction. What must stay true decides what is taken:
- the order `next_ready` gives (each sender's events in order) is kept: a batch is a run of consecutive events;
- an event waiting behind slow work, or with no body left, is not handled now;
- a retry (an event that failed before) is handled alone, so that failing again costs its neighbours nothing.
How much one transaction may hold is bounded by count and by time, since every other writer waits meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from storage import InboxRow

MAX_BATCH_EVENTS = 50
"""At most this many events per transaction (as many as one `next_ready` hands out)."""
MAX_BATCH_SECONDS = 0.05
"""No further event joins a transaction that has been open this long: the sync loop and the sender wait for it."""


@dataclass(frozen=True, slots=True)
class BatchLimits:
    max_events: int = MAX_BATCH_EVENTS
    max_seconds: float = MAX_BATCH_SECONDS

    def room_for_more(self, *, count: int, elapsed: float) -> bool:
        """Whether a transaction holding `count` events, open for `elapsed` seconds, may take one more. The first
        event is always taken, so a batch makes progress however slow the machine."""
        return count == 0 or (count < self.max_events and elapsed < self.max_seconds)


def take_batch(
    rows: Sequence[InboxRow], held: Callable[[InboxRow], bool], *, max_events: int = MAX_BATCH_EVENTS
) -> tuple[list[InboxRow], list[InboxRow]]:
    """The next batch from the front of `rows`, and the rows after it.

    Held rows and rows without a body are dropped (not handed back): they are not ready now, and the processor looks
    at the inbox again once what holds them is done. A retry is a batch of its own."""
    batch: list[InboxRow] = []
    for index, row in enumerate(rows):
        if row.source is None or held(row):
            continue
        if row.attempts > 0:
            if batch:
                return batch, list(rows[index:])
            return [row], list(rows[index + 1 :])
        batch.append(row)
        if len(batch) >= max_events:
            return batch, list(rows[index + 1 :])
    return batch, []
