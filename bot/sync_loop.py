"""The sync loop: receive events from the homeserver and put them, durably, into the inbox.

The order is what makes a crash harmless: the sync token is saved in the same transaction that stores the batch's
events, so a crash before it re-fetches the same batch (the inbox ignores event IDs it already has) and a crash
after it loses nothing. A `limited` timeline (more events arrived than one sync returns, for instance while the bot
was down) is back-filled with `/messages` before anything is committed.

A full disk (bot/disk_space.py) stops syncing until space returns: the batch in hand is dropped uncommitted, the
token stays where it was, and the next sync fetches everything again, back-filling if the pause was long.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from nio import (
    AsyncClient,
    MessageDirection,
    RoomMessagesError,
    SyncError,
    SyncResponse,
)
from nio.exceptions import LocalProtocolError

from bot.backoff import backoff_delay, worth_logging
from bot.device_keys import upload_device_keys
from bot.disk_space import DiskSpace
from bot.errors import NETWORK_ERRORS, SESSION_REJECTED_ADVICE, SESSION_REJECTED_ERRCODES, LoginError
from bot.invites import answer_invites
from bot.pruner import backfill_floor_ms
from bot.room_state import RoomDirectory
from bot.sync_events import RoomBatch, SyncBatch, inbox_event, is_own_join, server_source
from bot.undecrypted import UndecryptedEvents
from config import Settings
from dialogue.vocabulary import EventId, RoomId, UserId
from handlers.room_removal import is_own_membership
from storage import Database, DiskFullError, NewInboxEvent, is_disk_full

log = logging.getLogger(__name__)

SYNC_TOKEN_KEY = "sync.next_batch"
SYNC_TIMEOUT_MS = 30_000
# A larger timeline per sync means fewer back-fill round trips after a pause.
SYNC_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 100}}}
BACKFILL_PAGE_SIZE = 100
# A ceiling on one room's back-fill, so a room with an enormous history cannot stall the bot.
BACKFILL_MAX_EVENTS = 50_000


class SyncFailed(Exception):
    """The homeserver answered a sync or back-fill request with an error; worth retrying after a pause."""


class SyncUnanswered(SyncFailed):
    """A sync request got no answer in time (a dead connection, a port that accepts and never answers)."""

    def __init__(self, message: str, *, first_sync: bool) -> None:
        super().__init__(message)
        self.first_sync = first_sync


class SyncLoop:
    """Owns the `/sync` long-poll, back-fill, invites and the crypto housekeeping after each sync."""

    def __init__(
        self,
        client: AsyncClient,
        db: Database,
        settings: Settings,
        rooms: RoomDirectory,
        on_new_events: Callable[[], None],
        undecrypted: UndecryptedEvents,
        clock: Callable[[], float] = time.time,
        disk: DiskSpace | None = None,
    ) -> None:
        self._client = client
        self._db = db
        self._settings = settings
        self._rooms = rooms
        self._on_new_events = on_new_events
        self._undecrypted = undecrypted
        self._clock = clock
        self._disk = disk
        self._max_delay = settings.matrix.retry_max_seconds
        self._request_timeout = settings.matrix.request_timeout_seconds
        self.first_sync_done = asyncio.Event()

    @property
    def _user_id(self) -> UserId:
        return UserId(self._client.user_id)

    async def run(self) -> None:
        # A new device must publish its keys before it joins anything: a participant who sees the bot join and
        # looks up its devices too early would otherwise share the room key with no device of the bot's at all.
        await upload_device_keys(self._client, self._request_timeout, self._max_delay)
        async with self._db.transaction() as tx:
            since = await tx.state.get(SYNC_TOKEN_KEY)
        # The first sync after a start asks for full state: nio keeps room state only in memory, and sending
        # into a room whose encryption state is unknown must never happen.
        full_state = True
        failures = 0
        while True:
            try:
                response = await self._sync_with_watchdog(since, full_state)
                if isinstance(response, SyncError):
                    self._raise_for_sync_error(response)
                assert isinstance(response, SyncResponse)
                batch = await self._collect(response)
                await answer_invites(self._client, self._settings.bot, response)
                new_count = await self._commit(batch, response.next_batch)
            except DiskFullError as full:
                await self._pause_for_space(full)
                continue
            except (*NETWORK_ERRORS, SyncFailed, LocalProtocolError) as error:
                if is_disk_full(error):  # ENOSPC is an OSError, as a network failure is
                    await self._pause_for_space(error)
                    continue
                failures += 1
                delay = backoff_delay(failures, self._max_delay)
                # An outage of hours leaves a handful of lines (1st, 2nd, 4th … failure), not one per try.
                if isinstance(error, SyncUnanswered):
                    log.warning(
                        f"{error}; retrying",
                        extra={"first_sync": error.first_sync, "attempt": failures, "retry_in_s": round(delay, 1)},
                    )
                elif worth_logging(failures):
                    log.warning(
                        "sync failed; retrying",
                        extra={
                            "error": type(error).__name__,
                            "detail": str(error)[:200],
                            "attempt": failures,
                            "retry_in_s": round(delay, 1),
                        },
                    )
                await asyncio.sleep(delay)
                continue
            except Exception as error:
                if not is_disk_full(error):  # e.g. matrix-nio's key store, writing the keys a sync brought
                    raise
                await self._pause_for_space(error)
                continue
            if failures:
                log.info("sync works again", extra={"failed_attempts": failures})
            since, full_state, failures = response.next_batch, False, 0
            if new_count:
                log.info("events received", extra={"new_events": new_count})
                self._on_new_events()
            self.first_sync_done.set()
            try:
                await self._after_sync(batch, keys_may_have_arrived=bool(response.to_device_events))
            except DiskFullError as full:
                # The batch is stored; the events still awaiting keys get their turn after a later sync.
                await self._pause_for_space(full)

    async def _pause_for_space(self, error: BaseException) -> None:
        """Nothing of this sync was committed (or only what was complete): wait until there is space again."""
        if self._disk is None:
            raise error
        await self._disk.pause(error, "sync")

    async def _sync_with_watchdog(self, since: str | None, full_state: bool) -> object:
        """One sync request, abandoned if the homeserver does not answer in time.

        nio sets no time limit at all on a full-state sync (the first after each start), so a connection that went
        dead, or a port that accepts and never answers, would hang the bot for good. The homeserver answers a
        full-state sync at once and any other after at most the long-poll, so the request timeout on top of that is
        plenty; a homeserver still computing a large first sync keeps the result for a retry."""
        limit = (0 if full_state else SYNC_TIMEOUT_MS / 1000) + self._request_timeout
        started = time.monotonic()
        try:
            # asyncio.timeout, not wait_for: see bot/wakeup.py (a stop in the same turn as the answer is kept).
            async with asyncio.timeout(limit):
                return await self._client.sync(
                    timeout=SYNC_TIMEOUT_MS, sync_filter=SYNC_FILTER, since=since, full_state=full_state
                )
        except TimeoutError as timed_out:
            # Ours or nio's own time limit (a later sync has one): either way the homeserver did not answer.
            waited = time.monotonic() - started
            raise SyncUnanswered(f"sync did not answer within {waited:.1f} s", first_sync=full_state) from timed_out

    def _raise_for_sync_error(self, response: SyncError) -> None:
        if response.status_code in SESSION_REJECTED_ERRCODES:
            raise LoginError(
                f"The homeserver no longer accepts the bot's session ({response.status_code}). "
                + SESSION_REJECTED_ADVICE
            )
        raise SyncFailed(f"{response.status_code}: {response.message}")

    async def _collect(self, response: SyncResponse) -> SyncBatch:
        # The homeserver's room IDs become RoomIds here, where they enter the bot.
        batch = SyncBatch(left_rooms=[RoomId(room_id) for room_id in response.rooms.leave])
        for joined_id, info in response.rooms.join.items():
            room_id = RoomId(joined_id)
            room_batch = RoomBatch()
            for event in info.state:
                source = server_source(room_id, event)
                self._rooms.observe(room_id, source)
                if is_own_join(source, self._user_id, require_transition=False):
                    room_batch.joined_in_state_ts = int(source.get("origin_server_ts") or 0)
            timeline = [inbox_event(self._client, room_id, event, batch) for event in info.timeline.events]
            for item in timeline:
                # Decrypted events are the sender's word, not the server's: they never teach the bot room state.
                if not item.ignored and not item.was_encrypted:
                    self._rooms.observe(room_id, item.source)
                if is_own_join(item.source, self._user_id, require_transition=True):
                    room_batch.fresh_join_ts = int(item.source.get("origin_server_ts") or 0)
            earlier: list[NewInboxEvent] = []
            # Back-fill only what happened after the bot joined: if the join is in this timeline, everything
            # before it is history the bot was not there for.
            if info.timeline.limited and info.timeline.prev_batch and room_batch.fresh_join_ts is None:
                earlier = await self._backfill(room_id, info.timeline.prev_batch, room_batch, batch)
            room_batch.events = earlier + timeline
            batch.rooms[room_id] = room_batch
        for left_id, info in response.rooms.leave.items():
            room_id = RoomId(left_id)
            # Only the bot's own membership from a room it left: a kick or ban ends the room's dialogue there
            # (handlers/room_removal.py), after the room's earlier events, in the inbox's order.
            sources = [server_source(room_id, event) for event in info.timeline.events]
            removal = [
                NewInboxEvent(event_id=EventId(str(source.get("event_id", ""))), room_id=room_id, source=source)
                for source in sources
                if is_own_membership(source, self._user_id)
            ]
            if removal and room_id not in batch.rooms:
                batch.rooms[room_id] = RoomBatch(events=removal)
        return batch

    async def _backfill(
        self, room_id: RoomId, token: str, room_batch: RoomBatch, batch: SyncBatch
    ) -> list[NewInboxEvent]:
        async with self._db.transaction() as tx:
            joined_at = await tx.rooms.joined_at(room_id)
        collected: list[NewInboxEvent] = []
        while len(collected) < BACKFILL_MAX_EVENTS:
            response = await self._client.room_messages(
                room_id, start=token, direction=MessageDirection.back, limit=BACKFILL_PAGE_SIZE
            )
            if isinstance(response, RoomMessagesError):
                raise SyncFailed(f"back-fill: {response.status_code}: {response.message}")
            page = [inbox_event(self._client, room_id, event, batch) for event in response.chunk]
            async with self._db.transaction() as tx:
                known = await tx.inbox.known(item.event_id for item in page)
                # Older events may be handled ones whose IDs were pruned (bot/pruner.py); read with `known`, so a
                # prune between two pages cannot slip under it.
                floor_ms = max(joined_at or 0, await backfill_floor_ms(tx))
            reached_the_end = False
            for item in page:  # newest first
                timestamp = int(item.source.get("origin_server_ts") or 0)
                if item.event_id in known or timestamp < floor_ms:
                    reached_the_end = True
                    break
                collected.append(item)
                if is_own_join(item.source, self._user_id, require_transition=True):
                    room_batch.fresh_join_ts = timestamp
                    reached_the_end = True
                    break
            if reached_the_end or not response.chunk or not response.end or response.end == token:
                break
            token = response.end
        else:
            log.warning("back-fill stopped at its limit", extra={"room_id": room_id, "events": len(collected)})
        collected.reverse()
        if collected:
            log.info("back-filled a limited timeline", extra={"room_id": room_id, "events": len(collected)})
        return collected

    async def _commit(self, batch: SyncBatch, next_batch: str) -> int:
        async with self._db.transaction() as tx:
            new_count = await tx.inbox.add(batch.events, self._clock())
            for room_id, room_batch in batch.rooms.items():
                if room_batch.fresh_join_ts is not None:
                    await tx.rooms.set_joined(room_id, room_batch.fresh_join_ts)
                elif room_batch.joined_in_state_ts is not None and await tx.rooms.joined_at(room_id) is None:
                    await tx.rooms.set_joined(room_id, room_batch.joined_in_state_ts)
            for room_id in batch.left_rooms:
                await tx.rooms.mark_left(room_id)
            await tx.state.set(SYNC_TOKEN_KEY, next_batch)
        return new_count

    async def _after_sync(self, batch: SyncBatch, *, keys_may_have_arrived: bool) -> None:
        """What nio's own sync_forever does after each sync, so encrypted rooms keep working, then the events still
        awaiting keys get their turn (bot/undecrypted.py)."""
        client = self._client
        if client.olm is None:
            return
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except (*NETWORK_ERRORS, LocalProtocolError) as error:
            log.warning("key housekeeping failed; will retry after the next sync", extra={"error": repr(error)[:200]})
        await self._undecrypted.after_sync(batch.undecrypted, keys_may_have_arrived=keys_may_have_arrived)
