"""The inbox processor: hands each stored event to the handlers, exactly once in effect.

Each event is handled inside one transaction that also marks it done, so its effects (stored rows, queued replies)
and its completion commit together. A handler that raises is retried twice with a pause, then the event is
quarantined and the room gets a short reference number; the traceback, with the same number, goes to the log.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from nio import AsyncClient

from bot.attachments import AttachmentFetcher
from bot.errors import new_error_reference
from bot.flood import FloodVerdict, FloodWatch
from bot.room_state import RoomDirectory
from bot.wakeup import wait_for_wakeup
from config import Settings
from handlers.commands import CommandRegistry, parse_invocation
from handlers.context import BotInfo
from handlers.dispatch import HandlerEnv, handle_event
from handlers.events import InboundEvent
from handlers.replies import Reply, notice_content
from handlers.scheduled import is_internal
from storage import Database, InboxRow, Room, RoomMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_DELAYS_SECONDS = (1.0, 3.0)


def _may_change_agenda(event: InboundEvent) -> bool:
    """Commands and scheduled actions are what change the agenda's timers; contributions never do."""
    return is_internal(event) or (event.type == "m.room.message" and event.body.lstrip().startswith("!"))


class InboxProcessor:
    def __init__(
        self,
        client: AsyncClient,
        db: Database,
        settings: Settings,
        registry: CommandRegistry,
        bot: BotInfo,
        rooms: RoomDirectory,
        on_outbox_changed: Callable[[], None],
        clock: Callable[[], float] = time.time,
        ready: asyncio.Event | None = None,
        on_agenda_may_have_changed: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._client = client
        self._db = db
        self._settings = settings
        self._registry = registry
        self._bot = bot
        self._rooms = rooms
        self._on_outbox_changed = on_outbox_changed
        self._clock = clock
        self._wake = asyncio.Event()
        self._ready = ready
        self._on_agenda_may_have_changed = on_agenda_may_have_changed
        self._attachments = AttachmentFetcher(client)
        self._flood = FloodWatch()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        # Room snapshots come from the first (full-state) sync; an event handled before it would find no room.
        if self._ready is not None:
            await self._ready.wait()
        while True:
            self._wake.clear()
            async with self._db.transaction() as tx:
                rows = await tx.inbox.next_ready(self._clock())
            for row in rows:
                await self.process(row)
            if rows:
                continue
            async with self._db.transaction() as tx:
                wake_at = await tx.inbox.next_wake_time()
            timeout = None if wake_at is None else max(0.0, wake_at - self._clock())
            await wait_for_wakeup(self._wake, timeout)

    async def process(self, row: InboxRow) -> None:
        """Handle one event; never raises for a handler's failure."""
        if row.source is None:
            return
        event = InboundEvent.from_source(row.source, row.room_id, was_encrypted=row.was_encrypted, origin=row.origin)
        room = self._rooms.snapshot(self._client, row.room_id)
        if event.sender == self._client.user_id or room is None:
            async with self._db.transaction() as tx:
                await tx.inbox.mark_ignored(row.event_id)
            return
        now = self._clock()
        flood = self._judge_flood(row, event)
        env = HandlerEnv(
            settings=self._settings,
            registry=self._registry,
            bot=self._bot,
            now=now,
            rooms=lambda room_id: self._rooms.snapshot(self._client, room_id),
            fetch_attachment=self._attachments.fetch,
            acknowledge=not flood.flooding,
            notify_flood=flood.notify,
        )
        try:
            async with self._db.transaction() as tx:
                joined_at = await tx.rooms.joined_at(row.room_id)
                if joined_at is not None and event.origin_server_ts < joined_at:
                    await tx.inbox.mark_ignored(row.event_id)
                    return
                outbox_before = await tx.outbox.pending_count()
                await handle_event(event, room, env, tx)
                await tx.inbox.mark_done(row.event_id)
                queued = await tx.outbox.pending_count() != outbox_before
        except Exception:
            await self._record_failure(row, event, now)
            return
        log.debug("event processed", extra={"event_id": row.event_id, "type": event.type})
        if queued:
            self._on_outbox_changed()
        if self._on_agenda_may_have_changed is not None and _may_change_agenda(event):
            await self._on_agenda_may_have_changed()

    def _judge_flood(self, row: InboxRow, event: InboundEvent) -> FloodVerdict:
        """Count the event towards its sender's rate, once (a retry is the same event, not another one)."""
        if is_internal(event) or row.attempts > 0:
            return FloodVerdict(flooding=False, notify=False)
        verdict = self._flood.observe(
            event.sender, event.origin_server_ts, notifiable=self._is_contribution_like(event)
        )
        if verdict.notify:
            # Room and event only: the sender's ID stays out of the log.
            log.info("sender is flooding; throttled", extra={"room_id": row.room_id, "event_id": row.event_id})
        return verdict

    def _is_contribution_like(self, event: InboundEvent) -> bool:
        """A message that is not a command: what a ✅ would acknowledge, so what the flood notice is about.

        Commands keep their one answer each; the notice never lands on them as a second reply."""
        if event.type != "m.room.message":
            return False
        return parse_invocation(event.body, self._settings.bot.all_command_prefixes) is None

    async def _record_failure(self, row: InboxRow, event: InboundEvent, now: float) -> None:
        reference = new_error_reference()
        attempt = row.attempts + 1
        log.exception(
            "handler failed",
            extra={"ref": reference, "event_id": row.event_id, "type": event.type, "attempt": attempt},
        )
        async with self._db.transaction() as tx:
            delay = RETRY_DELAYS_SECONDS[min(attempt, len(RETRY_DELAYS_SECONDS)) - 1]
            attempts = await tx.inbox.record_failure(row.event_id, reference, now + delay)
            if attempts < MAX_ATTEMPTS:
                return
            await tx.inbox.quarantine(row.event_id, reference)
            reply = Reply.plain(
                f"Sorry, something went wrong handling that message (reference {reference}). "
                "Nothing was lost; the bot's operator can look it up with this reference."
            )
            await tx.outbox.enqueue(Room(row.room_id), RoomMessage(notice_content(reply, in_reply_to=event)), now)
        log.error("event quarantined", extra={"ref": reference, "event_id": row.event_id})
        self._on_outbox_changed()
