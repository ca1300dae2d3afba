"""What does taking senders in turn cost? Time of one `inbox.next_ready` with a large backlog.

Run: .venv/bin/python benchmarks/inbox_fairness.py

The inbox hands out pending events round-robin across senders, reading each event's sender from its stored JSON
(`storage/inbox.py`), so every fetch looks at every pending event. This prints how long one fetch of 50 takes, and how
long handing out the whole backlog in fetches of 50 would spend in those queries alone, for backlogs of 1,000 and
10,000 events from one flooding sender and 20 others (a restart after a long outage is the worst case).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import Database, NewInboxEvent

ROOM = "!room:example.org"


def backlog(count: int) -> list[NewInboxEvent]:
    events = []
    for n in range(count):
        sender = "@flooder:example.org" if n % 2 == 0 else f"@person{n % 20}:example.org"
        source = {"event_id": f"$e{n}", "sender": sender, "type": "m.room.message", "content": {"body": "x" * 300}}
        events.append(NewInboxEvent(f"$e{n}", ROOM, source))
    return events


async def measure(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bot.db")
        try:
            async with db.transaction() as tx:
                await tx.inbox.add(backlog(count), now=0.0)
            timings = []
            for _ in range(20):
                started = time.perf_counter()
                async with db.transaction() as tx:
                    rows = await tx.inbox.next_ready(now=1.0, limit=50)
                timings.append(time.perf_counter() - started)
            one = sorted(timings)[len(timings) // 2]
            # Fetches needed to drain the backlog: the queue shrinks by 50 each time, so the mean size is half.
            drain = one * (count / 50) / 2
            print(f"{count:>6} pending: one fetch of {len(rows)} {one * 1000:7.1f} ms; draining all ~{drain:5.1f} s")
        finally:
            await db.close()


async def main() -> None:
    for count in (1_000, 10_000):
        await measure(count)


if __name__ == "__main__":
    asyncio.run(main())
