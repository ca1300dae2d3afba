"""The agenda's timers, kept by APScheduler and rebuilt from the database.

At start, and after every event that may have changed the agenda, the runner reads the schedules and closing
windows from storage and replaces its timers with a fresh plan (`handlers.scheduled.plan_actions`). A timer does
nothing but put an internal event into the inbox; the processor then carries it out like any other event. So a
crash loses nothing (the plan is rebuilt at the next start) and doubles nothing (the event ID is fixed by what the
action is about, and the inbox takes each ID once). On a full disk a due action waits for space and is stored then
(bot/disk_space.py), instead of being lost until the next rebuild.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.disk_space import DiskSpace
from handlers.scheduled import PlannedAction, plan_actions
from storage import Database, DiskFullError, NewInboxEvent

log = logging.getLogger(__name__)


class ScheduleRunner:
    def __init__(
        self,
        db: Database,
        on_injected: Callable[[], None],
        grace_seconds: float,
        default_timezone: str = "UTC",
        clock: Callable[[], float] = time.time,
        disk: DiskSpace | None = None,
    ) -> None:
        self._default_timezone = default_timezone
        self._db = db
        self._on_injected = on_injected
        self._grace_seconds = grace_seconds
        self._clock = clock
        self._disk = disk
        self._scheduler = AsyncIOScheduler(timezone=UTC)

    async def start(self) -> None:
        self._scheduler.start()
        await self.rebuild()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def rebuild(self) -> None:
        """Replace every timer with the plan the database implies now."""
        async with self._db.transaction() as tx:
            schedules = await tx.schedules.pending()
            windows = await tx.schedules.closing()
            digests = await tx.schedules.digests()
            consensus_closings = await tx.consensus.unannounced_closings()
        now = self._clock()
        plan = plan_actions(
            schedules,
            windows,
            now=now,
            grace_seconds=self._grace_seconds,
            digests=digests,
            default_timezone=self._default_timezone,
            consensus_closings=consensus_closings,
        )
        self._scheduler.remove_all_jobs()
        due_now = [action for action in plan if action.run_at <= now]
        for action in plan:
            if action.run_at > now:
                self._scheduler.add_job(
                    self._inject,
                    DateTrigger(run_date=datetime.fromtimestamp(action.run_at, UTC)),
                    args=[[action]],
                    id=action.event_id,
                    # However late the loop gets to it, run it: the inbox makes a late run harmless.
                    misfire_grace_time=None,
                )
        if due_now:
            await self._inject(due_now)
        log.debug("agenda timers rebuilt", extra={"timers": len(plan) - len(due_now), "due_now": len(due_now)})

    async def _inject(self, actions: list[PlannedAction]) -> None:
        events = [
            NewInboxEvent(
                event_id=action.event_id, room_id=action.room_id, source=action.inbox_source(), origin="scheduled"
            )
            for action in actions
        ]
        while True:
            try:
                async with self._db.transaction() as tx:
                    added = await tx.inbox.add(events, self._clock())
                break
            except DiskFullError as full:
                if self._disk is None:
                    raise
                await self._disk.pause(full, "scheduler")
        if added:
            log.info("scheduled actions due", extra={"actions": ",".join(a.action for a in actions)})
            self._on_injected()
