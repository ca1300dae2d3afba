"""Does the database stop growing once the pruner runs?

Run: .venv/bin/python benchmarks/db_growth.py [--messages N] [--days D] [--retention-days R] [--dir PATH]

Drives N messages (default 100,000) through the real storage layer over D simulated days (default 60), the way the
running bot does: the sync loop stores each batch of 10 in the inbox; the processor handles each event in its own
transaction (marks it done, dropping its body, and queues a ~300-byte reply); the sender marks the reply sent (its
content dropped) and the bot's own reply comes back from the sync and is stored as ignored. Every 100th message is a
redaction of an unseen event (a tombstone), every 50th asks for a confirmation that is never given. Contributions are
left out on purpose: they are the dialogue's content and stay until the dialogue is purged.

The clock is simulated; once per simulated hour the real `bot.pruner.Pruner` runs with that clock. The same run is
made without pruning. Printed at 10k, 50k and 100k (or the same fractions of N): the size of bot.db after a WAL
checkpoint, its free pages, the inbox rows, and the wall time so far; then the time one pruning run takes.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.pruner import Pruner
from storage import Database, NewInboxEvent, Room, RoomMessage

ROOM = "!room:example.org"
SYNC_BATCH = 10
REPLY = {"msgtype": "m.notice", "body": "pong " + "x" * 280}
HOUR = 3600.0


@dataclass
class Checkpoint:
    messages: int
    size_bytes: int
    free_pages: int
    page_size: int
    inbox_rows: int
    wall_seconds: float


@dataclass
class Result:
    checkpoints: list[Checkpoint] = field(default_factory=list)
    prune_seconds: list[float] = field(default_factory=list)


class SimulatedClock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _file_figures(path: Path) -> tuple[int, int, int]:
    """The file's size, and from its own bookkeeping (read-only) its free pages, which SQLite reuses before growing
    the file, and the page size."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    return path.stat().st_size, int(free), int(page_size)


async def _measure(db: Database, path: Path, messages: int, started: float) -> Checkpoint:
    await db.checkpoint()
    async with db.transaction() as tx:
        inbox_rows = sum((await tx.inbox.counts()).values())
    size, free, page_size = await asyncio.to_thread(_file_figures, path)
    return Checkpoint(messages, size, free, page_size, inbox_rows, time.perf_counter() - started)


async def _run(path: Path, messages: int, days: float, retention_days: int, prune: bool) -> Result:
    result = Result()
    clock = SimulatedClock(1_800_000_000.0)
    step = days * 24 * HOUR / messages
    measure_at = {messages // 10, messages // 2, messages}
    db = await Database.open(path)
    pruner = Pruner(db, retention_days=retention_days, clock=clock)
    next_prune = clock.now
    started = time.perf_counter()
    try:
        for first in range(0, messages, SYNC_BATCH):
            numbers = range(first, min(messages, first + SYNC_BATCH))
            events = [
                NewInboxEvent(
                    f"$m{number}",
                    ROOM,
                    {"event_id": f"$m{number}", "sender": f"@p{number % 50}:example.org", "content": {"body": "hi"}},
                )
                for number in numbers
            ]
            async with db.transaction() as tx:
                await tx.inbox.add(events, clock.now)
            for number in numbers:
                clock.now += step
                async with db.transaction() as tx:
                    await tx.inbox.mark_done(f"$m{number}")
                    txn_id = await tx.outbox.enqueue(Room(ROOM), RoomMessage(REPLY), clock.now)
                    if number % 100 == 0:
                        await tx.contributions.tombstone(
                            f"$unseen{number}", clock.now, room_id=ROOM, redactor_key="r", by_moderator=False
                        )
                    if number % 50 == 0:
                        await tx.confirmations.request(ROOM, f"k{number}", "purge", clock.now + 300)
                async with db.transaction() as tx:
                    await tx.outbox.mark_sent(txn_id, f"$reply{number}", clock.now)
                    own = NewInboxEvent(f"$reply{number}", ROOM, {"event_id": f"$reply{number}"}, ignored=True)
                    await tx.inbox.add([own], clock.now)
                if prune and clock.now >= next_prune:
                    began = time.perf_counter()
                    await pruner.prune_once()
                    result.prune_seconds.append(time.perf_counter() - began)
                    next_prune = clock.now + HOUR
                if number + 1 in measure_at:
                    result.checkpoints.append(await _measure(db, path, number + 1, started))
    finally:
        await db.close()
    return result


def _print(label: str, result: Result) -> None:
    print(f"\n{label}")
    print(f"{'messages':>10} {'bot.db MB':>10} {'free MB':>9} {'inbox rows':>11} {'wall s':>8}")
    for point in result.checkpoints:
        free_mb = point.free_pages * point.page_size / 1e6
        print(
            f"{point.messages:>10,} {point.size_bytes / 1e6:>10.2f} {free_mb:>9.2f} "
            f"{point.inbox_rows:>11,} {point.wall_seconds:>8.1f}"
        )
    if result.prune_seconds:
        runs = sorted(result.prune_seconds)
        print(
            f"pruning runs: {len(runs)}, median {statistics.median(runs) * 1000:.0f} ms, "
            f"95th percentile {runs[int(len(runs) * 0.95)] * 1000:.0f} ms, longest {runs[-1] * 1000:.0f} ms"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--days", type=float, default=60.0)
    parser.add_argument("--retention-days", type=int, default=30)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the databases (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        print(
            f"{args.messages:,} messages over {args.days:g} simulated days, retention {args.retention_days} days, "
            f"pruning every simulated hour"
        )
        for label, prune in (("without pruning", False), ("with pruning", True)):
            result = await _run(
                Path(tmp) / f"{label.replace(' ', '-')}.db", args.messages, args.days, args.retention_days, prune
            )
            _print(label, result)


if __name__ == "__main__":
    asyncio.run(main())
