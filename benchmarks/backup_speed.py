"""How long does `dialogue-bot backup` take, and does it hold up the bot's writes while it copies?

Run: .venv/bin/python benchmarks/backup_speed.py [--rows N ...]

For each size, a database is filled with N outbox rows of about 1 kB (so the file is roughly N kB), then a writer
commits one small transaction after another, as the running bot does, while `create_backup` copies the data
directory. Printed: the database's size, the backup's wall time, and the writer's commit latency (median and
worst) without and during the backup.
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

from bot.backup import create_backup
from privacy.pseudonym import new_dialogue_secret
from storage import Database, Room, RoomMessage


async def fill(db: Database, rows: int) -> None:
    async with db.transaction() as tx:
        await tx.dialogues.create("!room:bench", "Benchmark", new_dialogue_secret(), now=0.0)
    for start in range(0, rows, 1_000):
        async with db.transaction() as tx:
            for _ in range(min(1_000, rows - start)):
                await tx.outbox.enqueue(Room("!room:bench"), RoomMessage({"body": "x" * 1_000}), now=0.0)


async def commit_latencies(db: Database, stop: asyncio.Event) -> list[float]:
    latencies = []
    while not stop.is_set():
        began = time.perf_counter()
        async with db.transaction() as tx:
            await tx.state.set("tick", str(began))
        latencies.append(time.perf_counter() - began)
        await asyncio.sleep(0.001)
    return latencies


async def measure(rows: int, workdir: Path) -> None:
    data_dir = workdir / f"data-{rows}"
    db = await Database.open(data_dir / "bot.db")
    try:
        await fill(db, rows)
        stop = asyncio.Event()
        idle_writer = asyncio.create_task(commit_latencies(db, stop))
        await asyncio.sleep(1.0)
        stop.set()
        idle = await idle_writer

        stop = asyncio.Event()
        busy_writer = asyncio.create_task(commit_latencies(db, stop))
        began = time.perf_counter()
        await create_backup(data_dir, workdir / f"backup-{rows}")
        took = time.perf_counter() - began
        stop.set()
        busy = await busy_writer
    finally:
        await db.close()
    size_mb = (data_dir / "bot.db").stat().st_size / 1e6
    print(
        f"{rows:>8} rows  {size_mb:7.1f} MB  backup {took:6.2f} s  "
        f"commit latency idle median {statistics.median(idle) * 1e3:5.1f} ms / worst {max(idle) * 1e3:6.1f} ms;  "
        f"during backup median {statistics.median(busy) * 1e3:5.1f} ms / worst {max(busy) * 1e3:6.1f} ms "
        f"({len(busy)} commits)"
    )


async def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        for rows in sizes:
            await measure(rows, Path(workdir))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    asyncio.run(main(parser.parse_args().rows))
