"""Scheduled pruning, so the database stops growing however long the bot runs.

Once at start and then every hour, in short transactions of at most :data:`BATCH_SIZE` rows (the sync loop, the
processor and the sender wait for each one), the pruner deletes:

- handled inbox rows (done or ignored) received more than ``bot.retention_days`` ago: only their event ID is left,
  which guards against handling the same event twice (see "When may an event ID be forgotten" below). The
  scheduler's own internal events are kept (:data:`SCHEDULED_ID_PREFIX`);
- sent and failed outbox rows finished more than ``bot.retention_days`` ago, except challenge prompts, through which
  thread replies find their challenge, and a consensus round's direct messages until the round has been closed that
  long (reactions find their theme through them; each names its recipient, so they must not stay for good);
- tombstones past their window (storage/contributions.py ``TOMBSTONE_SECONDS``) and expired confirmations.

``once`` markers are not pruned: there are a few per member and dialogue (not per message), and each must stay as long
as its dialogue, or a welcome would be sent twice.

When may an event ID be forgotten? An event comes back to the bot in only two ways. A sync resumes from the saved
token, so it returns only events newer than anything stored. Back-fill of a limited timeline walks back through the
room's history until an event the inbox knows, the bot's join, or (since pruning) the *horizon*: the
``origin_server_ts`` below which IDs may have been pruned, recorded in ``state`` before any row goes, and never moved
back. So a pruned event met again by back-fill ends the walk instead of being handled a second time.

The horizon must also never cut off events the bot has not fetched yet: after an outage longer than the retention,
everything sent during the outage lies behind the saved token and ahead of the last stored event. So the cutoff is
capped at the newest stored event's arrival, less :data:`ARRIVAL_MARGIN_SECONDS` for the sender's clock and delivery:
events older than that had reached the bot by then. (A sync without a token, which only a new data directory makes,
starts over anyway.)
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.disk_space import DiskSpace
from storage import Database, DatabaseCorruptError, DiskFullError, StorageError, Transaction

log = logging.getLogger(__name__)

PRUNE_INTERVAL_SECONDS = 3600.0
BATCH_SIZE = 5000
# How long after its origin_server_ts an event may still arrive, as far as pruning counts on: the sending server's clock
# may be off, and federation slow. A straggler later than this that back-fill meets below the horizon is not fetched.
ARRIVAL_MARGIN_SECONDS = 3600.0
HORIZON_KEY = "prune.inbox_horizon_ms"
# The IDs of the scheduler's internal events (handlers/scheduled.py PlannedAction.event_id). They are never pruned: a
# rebuilt plan injects an action again (a reminder, until its window closes, however far off) and only the stored ID
# makes the repeat harmless. There are a few per challenge and one digest a day, so they do not grow with messages.
SCHEDULED_ID_PREFIX = "$dialogue-bot."


async def backfill_floor_ms(tx: Transaction) -> int:
    """The ``origin_server_ts`` (ms) below which back-fill must stop, because such events' IDs may be pruned; 0 if
    nothing was ever pruned."""
    value = await tx.state.get(HORIZON_KEY)
    return 0 if value is None else int(value)


@dataclass(frozen=True, slots=True)
class PruneCounts:
    """How many rows one run removed, per kind."""

    inbox: int = 0
    outbox: int = 0
    tombstones: int = 0
    confirmations: int = 0


class Pruner:
    """Owns the pruning schedule; ``run`` is a background task of the bot (bot/app.py)."""

    def __init__(
        self,
        db: Database,
        *,
        retention_days: int,
        clock: Callable[[], float] = time.time,
        interval_seconds: float = PRUNE_INTERVAL_SECONDS,
        batch_size: int = BATCH_SIZE,
        disk: DiskSpace | None = None,
    ) -> None:
        self._db = db
        self._retention_seconds = retention_days * 24 * 3600.0
        self._clock = clock
        self._interval_seconds = interval_seconds
        self._batch_size = batch_size
        self._disk = disk

    async def run(self) -> None:
        """Prune now and then every interval, until cancelled."""
        while True:
            try:
                await self.prune_once()
            except DiskFullError as full:
                # Deleting rows writes pages too. The others pause; pruning just waits for its next run.
                if self._disk is not None:
                    self._disk.report(full, "pruner")
                log.info("pruning skipped: the disk is full; will retry at the next run")
            except DatabaseCorruptError:
                raise
            except (StorageError, sqlite3.OperationalError) as error:
                # Pruning is housekeeping: a locked database must not stop the bot. The next run retries.
                log.warning("pruning failed; will retry at the next run", extra={"error": str(error)[:200]})
            await asyncio.sleep(self._interval_seconds)

    async def prune_once(self) -> PruneCounts:
        """One run over every kind of expired row; logs and returns the counts."""
        started = time.monotonic()
        now = self._clock()
        inbox_cutoff = await self._advance_horizon(now)
        outbox_cutoff = now - self._retention_seconds
        counts = PruneCounts(
            inbox=0 if inbox_cutoff is None else await self._in_batches(self._inbox(inbox_cutoff)),
            outbox=await self._in_batches(lambda tx, limit: tx.outbox.prune_finished(outbox_cutoff, limit)),
            tombstones=await self._in_batches(lambda tx, limit: tx.contributions.prune_tombstones(now, limit)),
            confirmations=await self._in_batches(lambda tx, limit: tx.confirmations.prune_expired(now, limit)),
        )
        log.info(
            "pruned old rows",
            extra={
                "inbox": counts.inbox,
                "outbox": counts.outbox,
                "tombstones": counts.tombstones,
                "confirmations": counts.confirmations,
                "seconds": round(time.monotonic() - started, 3),
            },
        )
        return counts

    async def _advance_horizon(self, now: float) -> float | None:
        """Choose the inbox cutoff and record it as the horizon before any row goes; None if nothing may go."""
        async with self._db.transaction() as tx:
            newest = await tx.inbox.newest_received_at()
            if newest is None:
                return None
            cutoff = min(now - self._retention_seconds, newest - ARRIVAL_MARGIN_SECONDS)
            recorded = await backfill_floor_ms(tx)
            # Rows below an earlier, higher horizon may already be gone: keep it (e.g. after the clock was set back).
            horizon_ms = max(recorded, int(cutoff * 1000))
            if horizon_ms != recorded:
                await tx.state.set(HORIZON_KEY, str(horizon_ms))
        return cutoff

    @staticmethod
    def _inbox(cutoff: float) -> Callable[[Transaction, int], Awaitable[int]]:
        return lambda tx, limit: tx.inbox.prune_handled(cutoff, limit, keep_prefix=SCHEDULED_ID_PREFIX)

    async def _in_batches(self, prune: Callable[[Transaction, int], Awaitable[int]]) -> int:
        """Repeat ``prune`` until a call removes less than a full batch.

        Each call is its own short transaction; the database lock is fair, so whoever waited during one batch goes
        before the next.
        """
        total = 0
        while True:
            async with self._db.transaction() as tx:
                removed = await prune(tx, self._batch_size)
            total += removed
            if removed < self._batch_size:
                return total
