"""What does emptying the write-ahead log after every handled event cost?

Run: .venv/bin/python benchmarks/checkpoint_cost.py [--events N] [--dir PATH]

Handles N synthetic inbox events the way the processor does (store, then one transaction that marks each done and
drops its source), once without and once with a `PRAGMA wal_checkpoint(TRUNCATE)` after every event, on a database
that already holds 2,000 contributions. Prints events per second and the median and 95th-percentile time per event.
Use --dir to measure on the disk the bot's data_dir lives on (the default is a temporary directory).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import Database, NewInboxEvent

ROOM = "!room:example.org"


async def _fill(db: Database) -> None:
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "D", bytes(range(32)), 1.0)
        challenge = await tx.challenges.add(dialogue.id, "A", "a?")
        for number in range(2_000):
            await tx.contributions.add(
                dialogue_id=dialogue.id,
                challenge_id=challenge.id,
                member_key=f"k{number % 300}",
                text=f"contribution {number} " + "words " * 40,
                channel="room",
                event_id=f"$fill{number}",
                room_id=ROOM,
                origin_ts=number,
                now=1.0,
            )


async def _run(path: Path, events: int, checkpoint: bool) -> list[float]:
    db = await Database.open(path)
    try:
        await _fill(db)
        timings = []
        for number in range(events):
            event_id = f"$ev{number}"
            source = {"event_id": event_id, "sender": "@someone:example.org", "content": {"body": "x " * 200}}
            start = time.perf_counter()
            async with db.transaction() as tx:
                await tx.inbox.add([NewInboxEvent(event_id, ROOM, source)], now=1.0)
            async with db.transaction() as tx:
                await tx.inbox.mark_done(event_id)
            if checkpoint:
                await db.checkpoint()
            timings.append(time.perf_counter() - start)
        return timings
    finally:
        await db.close()


def _report(label: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{label:<28} {len(timings) / sum(timings):8.0f} events/s   median {statistics.median(timings) * 1000:6.2f} ms"
        f"   p95 {p95 * 1000:6.2f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for label, checkpoint in (("no checkpoint", False), ("checkpoint after each event", True)):
            _report(label, await _run(Path(tmp) / f"{checkpoint}.db", args.events, checkpoint))


if __name__ == "__main__":
    asyncio.run(main())
