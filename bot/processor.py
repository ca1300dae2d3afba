"""The inbox processor: hands each stored event to the handlers, exactly once in effect.

Each event is handled inside a transaction that also marks it done, so its effects (stored rows, queued replies)
and its completion commit together. Ready events are handled several to a transaction (bot/batching.py), one after
another as they would be alone: a transaction per event cost more than the handling itself. What the handlers ask for
afterwards (waking the sender, rebuilding timers) happens once the batch has committed. When anything in a batch
raises, or one of its events needs slow work, the whole batch is rolled back and its events are handled again one per
transaction, so only the failing event counts a failure and the others go through. The handlers say what they did
(`handlers.outcome.Outcome`): the processor wakes the sender when messages were queued and rebuilds the agenda's
timers when the agenda may have changed.

Slow work a handler needs (a file download, a synopsis compile) never runs inside that transaction: the handler's
first run stops and asks for it, the transaction is rolled back, and the work runs in a background job outside any
transaction while the processor goes on with other people's events. The job then runs the event again, in a new
transaction that reads the state afresh, applies the effects and marks it done (handlers/slow_work.py). The
sender's later events wait until then, so each person's events still take effect in order.

A handler that raises, or slow work that fails, is retried twice with a pause, then the event is quarantined and
the room gets a short reference number; the traceback, with the same number, goes to the log. A full disk is not a
failure: the event stays pending with its tries uncounted and the processor waits for space (bot/disk_space.py). A
damaged database stops the bot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from nio import AsyncClient

from bot import compile_notice
from bot.attachments import AttachmentFetcher
from bot.batching import BatchLimits, take_batch
from bot.disk_space import DiskSpace, round_or_pause
from bot.errors import new_error_reference
from bot.flood import FloodVerdict, FloodWatch
from bot.room_state import RoomDirectory
from bot.slow_work_runner import SlowWorkRunner
from bot.wakeup import wait_for_wakeup
from config import Settings
from handlers.commands import CommandRegistry, parse_invocation
from handlers.context import BotInfo, RoomSnapshot
from handlers.dispatch import HandlerEnv, handle_event, language_of_reply
from handlers.events import InboundEvent
from handlers.handler_settings import HandlerSettings
from handlers.outcome import Outcome
from handlers.replies import Reply, notice_content
from handlers.scheduled import is_internal
from handlers.slow_work import CompileSynopsis, SlowRequest, SlowWork
from i18n import bot_marked, bot_text
from storage import (
    Database,
    DatabaseCorruptError,
    DiskFullError,
    InboxRow,
    Room,
    RoomMessage,
    Transaction,
    is_disk_full,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_DELAYS_SECONDS = (1.0, 3.0)
FAILURE_REPLY = bot_marked(
    "Sorry, something went wrong handling that message (reference {reference}). "
    "Nothing was lost; the bot's operator can look it up with this reference."
)
MAX_SLOW_JOBS = 4
"""Events whose slow work may run at once; the next one waits for one of them to finish. It must stay far below the
50 events `next_ready` hands out, so that events held back behind slow work can never fill a whole batch."""
SLOW_WORK_ROUNDS = 3
"""How often an event's slow work is done outside the transaction before the last run may do it inside: only when
what the work depends on keeps changing while it runs (a withdrawal during every compile), so it ends regardless."""
HELD_RECHECK_SECONDS = 1.0
"""While every ready event waits behind slow work, look again this often for retries that have come due."""
IDLE_RECHECK_SECONDS = 30.0
"""With nothing to do, look at the inbox at least this often: `dialogue-bot quarantine requeue` (another process)
makes events pending again without waking this one."""


@dataclass(slots=True)
class _Handling:
    """One event through its runs: what stays fixed, and the slow work done for it so far."""

    row: InboxRow
    event: InboundEvent
    flood: FloodVerdict
    slow_work: SlowWork
    compiled: bool = False  # a synopsis compile was done outside the transaction (and may have been announced)


class _RollBack(Exception):
    """Not an error: leaves the event's transaction without committing what the run before the slow work did."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__("slow work needed")
        self.outcome = outcome


class _Ignored:
    """The event is not for the handlers (the bot's own, or from before the bot joined): marked ignored."""


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
        slow_work_runner: Callable[[SlowRequest], Awaitable[object]] | None = None,
        compile_notice_after: float = compile_notice.NOTICE_AFTER_SECONDS,
        disk: DiskSpace | None = None,
        batch_limits: BatchLimits | None = None,
    ) -> None:
        self._client = client
        self._db = db
        # All the handlers see of the configuration: not the Matrix section with the bot's credentials.
        self._settings = HandlerSettings.of(settings)
        self._registry = registry
        self._bot = bot
        self._rooms = rooms
        self._on_outbox_changed = on_outbox_changed
        self._clock = clock
        self._wake = asyncio.Event()
        self._ready = ready
        self._on_agenda_may_have_changed = on_agenda_may_have_changed
        self._run_slow_work = slow_work_runner or SlowWorkRunner(AttachmentFetcher(client))
        self._flood = FloodWatch()
        self._compile_notice_after = compile_notice_after
        self._disk = disk
        self._batch_limits = batch_limits or BatchLimits()
        # Events whose slow work is under way, and their senders (whose later events wait until it is done).
        self._slow_jobs: dict[str, asyncio.Task[None]] = {}
        self._held_senders: set[str] = set()
        # What stopped a slow-work job other than a handler's failure (the database, say): fatal, as it would be
        # had it happened in the processor's own loop, so it is raised there.
        self._job_crash: BaseException | None = None

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        if isinstance(self._run_slow_work, SlowWorkRunner):
            # The compile's child process imports the synopsis stack (seconds) while the first sync runs, so the
            # first compile does not wait for it (bot/compile_worker.py).
            await self._run_slow_work.warm()
        # Room snapshots come from the first (full-state) sync; an event handled before it would find no room.
        if self._ready is not None:
            await self._ready.wait()
        try:
            while True:
                if self._job_crash is not None:
                    raise self._job_crash
                # A full disk leaves what was in hand pending, its tries not counted.
                await round_or_pause(self._disk, self._one_round, "processor")
        finally:
            await self._cancel_slow_jobs()
            if isinstance(self._run_slow_work, SlowWorkRunner):
                await self._run_slow_work.close()

    async def _one_round(self) -> None:
        self._wake.clear()
        async with self._db.transaction() as tx:
            rows = await tx.inbox.next_ready(self._clock())
        if not await self.process_ready(rows):
            await wait_for_wakeup(self._wake, await self._idle_timeout(held=bool(rows)))

    async def process_ready(self, rows: Sequence[InboxRow]) -> int:
        """Handle these ready events (as `next_ready` ordered them), several to a transaction; return how many were
        handled (held ones are left pending). Raises as :meth:`process` does."""
        handled = 0
        rest: Sequence[InboxRow] = rows
        while rest:
            # Taken batch by batch: handling one batch may have just put a sender on hold.
            batch, rest = take_batch(rest, self.is_held, max_events=self._batch_limits.max_events)
            # Built once per event: its flood count must not run again when it is handled in a later transaction.
            handlings = [handling for row in batch if (handling := self._handling(row)) is not None]
            while handlings:
                if len(handlings) == 1:
                    await self._process_alone(handlings[0])
                    done = 1
                else:
                    done = await self._process_batch(handlings)
                handled += done
                handlings = handlings[done:]  # what the batch's time limit left for the next transaction
        return handled

    async def _idle_timeout(self, *, held: bool) -> float:
        if held:
            return HELD_RECHECK_SECONDS
        async with self._db.transaction() as tx:
            wake_at = await tx.inbox.next_wake_time()
        if wake_at is None:
            return IDLE_RECHECK_SECONDS
        return min(IDLE_RECHECK_SECONDS, max(0.0, wake_at - self._clock()))

    def is_held(self, row: InboxRow) -> bool:
        """Whether the event must wait: its own slow work, or an earlier event of its sender's, is under way."""
        sender = row.source.get("sender") if row.source is not None else None
        # The source is the event's JSON: a sender that is not a string (a list, say) cannot be on hold.
        return row.event_id in self._slow_jobs or (isinstance(sender, str) and sender in self._held_senders)

    async def process(self, row: InboxRow) -> None:
        """Handle one event in its own transaction; never raises for a handler's failure. Raises DiskFullError (the
        event is left pending, its tries uncounted) and DatabaseCorruptError.

        An event that needs slow work continues in a background job: this returns once that job has started."""
        handling = self._handling(row)
        if handling is not None:
            await self._process_alone(handling)

    def _handling(self, row: InboxRow) -> _Handling | None:
        if row.source is None:
            return None
        event = InboundEvent.from_source(row.source, row.room_id, was_encrypted=row.was_encrypted, origin=row.origin)
        slow_work = SlowWork(self._run_slow_work, inline=False)
        if event.sender == self._client.user_id or self._room(row.room_id) is None:
            # About to be marked ignored: not a message of anyone's that counts towards a rate.
            return _Handling(row, event, FloodVerdict(flooding=False, notify=False), slow_work)
        return _Handling(row, event, self._judge_flood(row, event), slow_work)

    async def _process_alone(self, handling: _Handling) -> None:
        request = await self._settle(await self._run_once(handling))
        if request is not None:
            await self._start_slow_job(handling, request)

    async def _process_batch(self, handlings: Sequence[_Handling]) -> int:
        """Handle the first of these events in one transaction, as many as the batch limits allow; return how many.

        Should anything raise (a handler's failure, slow work asked for), the transaction is rolled back and all of
        them are handled one per transaction instead, which isolates the failure exactly as without batches."""
        outcomes: list[Outcome] = []
        try:
            async with self._db.transaction() as tx:
                started = time.monotonic()
                joined_at: dict[str, int | None] = {}  # read once per room: only the sync loop changes it
                for handling in handlings:
                    if not self._batch_limits.room_for_more(count=len(outcomes), elapsed=time.monotonic() - started):
                        break
                    outcome = await self._apply(handling, tx, self._clock(), joined_at)
                    if isinstance(outcome, Outcome) and outcome.slow_work is not None:
                        raise _RollBack(outcome)
                    outcomes.append(outcome if isinstance(outcome, Outcome) else Outcome())
        except (DiskFullError, DatabaseCorruptError):
            raise  # not the events' fault: they stay pending, their tries uncounted
        except Exception as error:
            if is_disk_full(error):
                raise DiskFullError(f"while handling an event: {error}") from error
            log.debug("batch rolled back; its events are handled one by one", extra={"events": len(handlings)})
            for handling in handlings:
                # Checked event by event: one of them may have just put its sender on hold.
                if not self.is_held(handling.row):
                    await self._process_alone(handling)
            return len(handlings)
        # Only now that the batch is durable: wake the sender, rebuild the timers.
        for outcome in outcomes:
            await self._follow(outcome)
        log.debug("events processed together", extra={"events": len(outcomes)})
        return len(outcomes)

    async def wait_for_slow_work(self) -> None:
        """Return once no slow work is under way (for tests and tools that drive `process` themselves)."""
        while self._slow_jobs:
            await asyncio.wait(list(self._slow_jobs.values()))

    def _room(self, room_id: str) -> RoomSnapshot | None:
        return self._rooms.snapshot(self._client, room_id)

    async def _apply(
        self, handling: _Handling, tx: Transaction, now: float, joined_at: dict[str, int | None]
    ) -> Outcome | _Ignored:
        """Run the handlers on one event inside `tx` and mark it done, or mark it ignored; raises what they raise.

        `joined_at` caches the rooms' join times for the transaction."""
        row, event = handling.row, handling.event
        room = self._room(row.room_id)
        if event.sender == self._client.user_id or room is None:
            await tx.inbox.mark_ignored(row.event_id)
            return _Ignored()
        if row.room_id not in joined_at:
            joined_at[row.room_id] = await tx.rooms.joined_at(row.room_id)
        joined = joined_at[row.room_id]
        if joined is not None and event.origin_server_ts < joined:
            await tx.inbox.mark_ignored(row.event_id)
            return _Ignored()
        env = HandlerEnv(
            settings=self._settings,
            registry=self._registry,
            bot=self._bot,
            now=now,
            rooms=self._room,
            slow_work=handling.slow_work,
            acknowledge=not handling.flood.flooding,
            notify_flood=handling.flood.notify,
        )
        outcome = await handle_event(event, room, env, tx)
        if outcome.slow_work is not None:
            return outcome  # the caller rolls back: the run after the slow work does it all again
        if handling.compiled and await compile_notice.queue_outcome(
            tx, row.room_id, event, now, failed=False, room=room
        ):
            # Only ever a lone event's run (one that had slow work): the sender waits for the commit anyway.
            self._on_outbox_changed()
        await tx.inbox.mark_done(row.event_id)
        return outcome

    async def _run_once(self, handling: _Handling) -> Outcome | None:
        """One run of the handlers in one transaction. The outcome; None when the event failed or was ignored."""
        row, event = handling.row, handling.event
        now = self._clock()
        try:
            async with self._db.transaction() as tx:
                outcome = await self._apply(handling, tx, now, {})
                if isinstance(outcome, _Ignored):
                    return None
                if outcome.slow_work is not None:
                    # Nothing from this run may count: the run after the slow work does it all again.
                    raise _RollBack(outcome)
        except _RollBack as stop:
            return stop.outcome
        except (DiskFullError, DatabaseCorruptError):
            raise  # not the event's fault: never counted as a try, never quarantined
        except Exception as error:
            if is_disk_full(error):  # a handler's own file write, or a storage error it wrapped
                raise DiskFullError(f"while handling an event: {error}") from error
            await self._record_failure(row, event, now)
            return None
        log.debug("event processed", extra={"event_id": row.event_id, "type": event.type})
        return outcome

    async def _settle(self, outcome: Outcome | None) -> SlowRequest | None:
        """After one run: act on a finished outcome, or return the slow work it still asks for (None when the event
        is done, failed or ignored)."""
        if outcome is None:
            return None
        if outcome.slow_work is None:
            await self._follow(outcome)
            return None
        return outcome.slow_work

    async def _follow(self, outcome: Outcome) -> None:
        if outcome.wakes_sender:
            self._on_outbox_changed()
        if outcome.rebuilds_schedule and self._on_agenda_may_have_changed is not None:
            await self._on_agenda_may_have_changed()

    async def _start_slow_job(self, handling: _Handling, request: SlowRequest) -> None:
        while len(self._slow_jobs) >= MAX_SLOW_JOBS:
            await asyncio.wait(list(self._slow_jobs.values()), return_when=asyncio.FIRST_COMPLETED)
        event_id = handling.row.event_id
        self._held_senders.add(handling.event.sender)
        self._slow_jobs[event_id] = asyncio.create_task(self._finish_with_slow_work(handling, request))

    async def _finish_with_slow_work(self, handling: _Handling, request: SlowRequest) -> None:
        """Do the work outside any transaction, then run the event again with its result, until it is done."""
        try:
            for attempt in range(1, SLOW_WORK_ROUNDS + 1):
                started = time.monotonic()
                try:
                    await self._perform(handling, request)
                except (DiskFullError, DatabaseCorruptError):
                    raise
                except Exception:
                    await self._record_failure(handling.row, handling.event, self._clock())
                    return
                # How long a download or compile took, so an operator can tell a slow answer from a stuck bot.
                seconds = round(time.monotonic() - started, 3)
                work = type(request).__name__
                log.info("slow work done", extra={"event_id": handling.row.event_id, "work": work, "seconds": seconds})
                handling.slow_work.inline = attempt == SLOW_WORK_ROUNDS
                next_request = await self._settle(await self._run_once(handling))
                if next_request is None:
                    return
                request = next_request
        except DiskFullError as full:
            # The event stays pending; the processor runs it again from the start once there is space.
            if self._disk is None:
                self._job_crash = full
            else:
                self._disk.report(full, "processor")
        except Exception as crash:
            self._job_crash = crash
        finally:
            del self._slow_jobs[handling.row.event_id]
            self._held_senders.discard(handling.event.sender)
            self._wake.set()

    async def _perform(self, handling: _Handling, request: SlowRequest) -> None:
        if not isinstance(request, CompileSynopsis):
            await handling.slow_work.perform(request)
            return
        handling.compiled = True

        async def announce() -> None:
            async with self._db.transaction() as tx:
                queued = await compile_notice.queue_notice(
                    tx, handling.row.room_id, handling.event, self._clock(), self._room(handling.row.room_id)
                )
            if queued:
                self._on_outbox_changed()

        await compile_notice.announce_if_slow(handling.slow_work.perform(request), self._compile_notice_after, announce)

    async def _cancel_slow_jobs(self) -> None:
        """On shutdown: their events stay pending (nothing of them was committed) and run again at the next start."""
        jobs = list(self._slow_jobs.values())
        for job in jobs:
            job.cancel()
        if jobs:
            await asyncio.wait(jobs)

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
            room = self._room(row.room_id)
            await compile_notice.queue_outcome(tx, row.room_id, event, now, failed=True, room=room)
            # In the language a reply to the event would have (the room's dialogue, or the sender's own in a
            # direct chat): read in this transaction, so it is what the event itself would have been answered in.
            language = await language_of_reply(tx, event.sender, room, row.room_id)
            reply = Reply.plain(bot_text(language, FAILURE_REPLY, reference=reference))
            await tx.outbox.enqueue(Room(row.room_id), RoomMessage(notice_content(reply, in_reply_to=event)), now)
        log.error("event quarantined", extra={"ref": reference, "event_id": row.event_id})
        self._on_outbox_changed()
