"""Pausing intake while the disk is full, and resuming once space returns.

A write that fails for lack of space (storage's DiskFullError) is nobody's fault: the event in hand is not counted
as a failed try, the sync token does not advance, nothing is quarantined. Whoever meets it (the sync loop, the
processor, the sender, the scheduler, the pruner) reports it here and waits. The first report logs one WARNING and
starts probing; a probe that writes to the database and finds at least :data:`MIN_FREE_BYTES` free ends the pause
with one INFO line, and everyone waiting goes on. What arrived meanwhile is fetched by the next sync, since the
token did not move.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.backoff import backoff_delay
from storage import Database, DiskFullError, StorageError, is_disk_full

log = logging.getLogger(__name__)

PROBE_MAX_SECONDS = 30.0
"""Longest wait between two probes: space that returns is noticed within this."""
MIN_FREE_BYTES = 1 << 20
"""Free space a probe wants to see besides its own successful write. One written page can still fit into space the
write-ahead log already holds; without this margin intake would resume, fail at the next event and pause again."""
_PROBE_KEY = "disk.probe"


def free_bytes(path: Path) -> int:
    """Bytes an unprivileged process may still write on the file system holding `path`."""
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


class DiskSpace:
    """Knows whether intake is paused for a full disk; `run` (a background task of the bot) does the probing."""

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        *,
        max_probe_seconds: float = PROBE_MAX_SECONDS,
        min_free_bytes: int = MIN_FREE_BYTES,
        free: Callable[[Path], int] = free_bytes,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self._data_dir = data_dir
        self._max_probe_seconds = max_probe_seconds
        self._min_free_bytes = min_free_bytes
        self._free = free
        self._clock = clock
        self._space = asyncio.Event()
        self._space.set()
        self._full = asyncio.Event()
        self._paused_at = 0.0
        self._reported_by: set[str] = set()

    @property
    def paused(self) -> bool:
        """Whether intake is paused until space returns."""
        return not self._space.is_set()

    def report(self, error: BaseException, where: str) -> None:
        """A write failed for lack of space (`where`: which part of the bot met it). Pauses intake, once."""
        self._reported_by.add(where)
        if self.paused:
            return
        self._space.clear()
        self._full.set()
        self._paused_at = self._clock()
        log.warning(
            "disk full; intake paused until space returns",
            extra={"data_dir": str(self._data_dir), "where": where, "error": str(error)[:200]},
        )

    async def wait_for_space(self) -> None:
        """Return at once while there is space; otherwise once a probe has found it again."""
        await self._space.wait()

    async def pause(self, error: BaseException, where: str) -> None:
        """Report a full disk and wait until space returns."""
        self.report(error, where)
        await self.wait_for_space()

    async def run(self) -> None:
        """Probe, with a capped back-off, whenever intake is paused; until cancelled."""
        while True:
            await self._full.wait()
            probes = 0
            while True:
                probes += 1
                await asyncio.sleep(backoff_delay(probes, self._max_probe_seconds))
                if await self._probe():
                    break
            self._full.clear()
            self._space.set()
            log.info(
                "disk space is back; intake resumed",
                extra={
                    "data_dir": str(self._data_dir),
                    "paused_s": round(self._clock() - self._paused_at, 1),
                    "probes": probes,
                    "paused_parts": ",".join(sorted(self._reported_by)),
                },
            )
            self._reported_by.clear()

    async def _probe(self) -> bool:
        """Whether a test write succeeds and the margin is free. Writes and deletes one key in one transaction, so the
        database is as it was, but a page still had to be written to the log."""
        try:
            if await asyncio.to_thread(self._free, self._data_dir) < self._min_free_bytes:
                return False
            async with self._db.transaction() as tx:
                await tx.state.set(_PROBE_KEY, str(self._clock()))
                await tx.state.delete(_PROBE_KEY)
        except (StorageError, OSError) as error:
            if is_disk_full(error):
                return False
            raise
        return True


async def round_or_pause(disk: DiskSpace | None, one_round: Callable[[], Awaitable[None]], where: str) -> None:
    """One round of a loop that writes to the database: a full disk pauses the loop until space returns (whatever the
    round had in hand was rolled back and stays pending) instead of ending it. Without a DiskSpace it propagates."""
    if disk is not None:
        await disk.wait_for_space()
    try:
        await one_round()
    except DiskFullError as full:
        if disk is None:
            raise
        await disk.pause(full, where)
