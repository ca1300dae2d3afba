"""How long does handling one inbox event take on each storage backend?

Run: .venv/bin/python benchmarks/storage_backends.py [--events N] [--dsn DSN]

Handles N synthetic inbox events the way the processor does (one transaction storing the event, one taking it as
ready and marking it done) on a SQLite file in a temporary directory and on PostgreSQL: the server at --dsn if given,
else a throwaway one from the pgserver wheel (unix socket, same machine). Also times opening an empty database
(migrating it to the latest schema) on each. Prints events per second and the median and 95th-percentile time per
event. Nothing here is asserted: the figures depend on the machine and its load.
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


async def _open(location: Path | str) -> Database:
    if isinstance(location, Path):
        return await Database.open(location)
    return await Database.open_postgres(location)


async def _run(location: Path | str, events: int) -> tuple[float, list[float]]:
    started = time.perf_counter()
    db = await _open(location)
    opened = time.perf_counter() - started
    timings = []
    try:
        for number in range(events):
            event_id = f"$ev{number}"
            source = {"event_id": event_id, "sender": f"@p{number % 7}:example.org", "content": {"body": "x " * 200}}
            start = time.perf_counter()
            async with db.transaction() as tx:
                await tx.inbox.add([NewInboxEvent(event_id, ROOM, source)], now=1.0)
            async with db.transaction() as tx:
                for row in await tx.inbox.next_ready(2.0, 10):
                    await tx.inbox.mark_done(row.event_id)
            timings.append(time.perf_counter() - start)
    finally:
        await db.close()
    return opened, timings


def _report(name: str, opened: float, timings: list[float]) -> None:
    ordered = sorted(timings)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{name:10s} open+migrate {opened * 1000:7.1f} ms   {len(timings) / sum(timings):7.1f} events/s   "
        f"median {statistics.median(timings) * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms"
    )


async def _main(events: int, dsn: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _report("sqlite", *await _run(Path(folder) / "bot.db", events))
        if dsn is not None:
            _report("postgres", *await _run(dsn, events))
            return
        import pgserver  # the test extra's server: only this benchmark and the tests use it

        server = await asyncio.to_thread(pgserver.get_server, Path(folder) / "pg", cleanup_mode="stop")
        try:
            _report("postgres", *await _run(server.get_uri(), events))
        finally:
            await asyncio.to_thread(server.cleanup)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--dsn", help="an empty PostgreSQL database (default: a throwaway local server)")
    arguments = parser.parse_args()
    asyncio.run(_main(arguments.events, arguments.dsn))
