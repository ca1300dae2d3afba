"""Time `PRAGMA quick_check` (what every start runs before migrations) and, for comparison, `integrity_check`, on a
bot.db of about 100 MB built through storage. Prints figures; nothing is asserted.

    .venv/bin/python benchmarks/quick_check_speed.py [--megabytes N]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import Database

ROW_BYTES = 2_000
ROWS_PER_TRANSACTION = 2_000


async def build(path: Path, megabytes: int) -> None:
    """Key-value rows of ~2 KB through storage's own transactions, enough for about `megabytes`."""
    db = await Database.open(path)
    try:
        rows = megabytes * 1_000_000 // ROW_BYTES
        for first in range(0, rows, ROWS_PER_TRANSACTION):
            async with db.transaction() as tx:
                for number in range(first, min(first + ROWS_PER_TRANSACTION, rows)):
                    await tx.state.set(f"bench.{number}", f"{number:08d}" * (ROW_BYTES // 8))
    finally:
        await db.close()


def timed(path: Path, pragma: str, runs: int = 3) -> list[float]:
    times = []
    for _ in range(runs):
        with closing(sqlite3.connect(path)) as conn:
            started = time.perf_counter()
            result = conn.execute(f"PRAGMA {pragma}").fetchall()
            times.append(time.perf_counter() - started)
            assert result == [("ok",)], result
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bot.db"
        started = time.perf_counter()
        asyncio.run(build(path, args.megabytes))
        print(f"built {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
        for pragma in ("quick_check", "integrity_check"):
            times = timed(path, pragma)
            print(f"PRAGMA {pragma}: " + ", ".join(f"{t * 1000:.0f} ms" for t in times) + " (warm page cache)")


if __name__ == "__main__":
    main()
