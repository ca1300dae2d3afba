"""Events the bot could not decrypt yet: retried over the whole backlog, their keys requested, their senders told.

An encrypted event whose room key has not reached the bot is stored as 'awaiting_key' (bot/sync_loop.py). After
every sync the sync loop hands over to `UndecryptedEvents`, which sweeps over all of them, oldest first from where
it stands, a bounded number per sync; its cursor wraps around, so however many can never be read, a newer event
whose key arrives is still reached. On each visit an event is:

- decrypted, if its key has arrived since: it then goes to the handlers like any other event;
- ignored, if it was sent before the bot joined its room: history the bot was not there for, never asked about;
- otherwise its key is requested (m.room_key_request) from the sending device and from the bot's own other
  devices, once per megolm session, again after `KEY_REREQUEST_SECONDS` and then ever less often (at most daily)
  in this process, and again after a restart (nio's own `request_room_key` asks only the bot's own devices, and
  never twice for a session, even across restarts);
- and once it has waited `bot.undecryptable_notice_minutes`, its sender is told by direct message, once (a marker
  in `once_markers`), that a message they sent at <time> in <room> could not be read (in their own language, else
  that of the room's dialogue: handlers/languages.py). No content: the bot has none. A sender's messages found in
  one cycle share one message, and a sender hears this at most once per `bot.undecryptable_notice_minutes` (the
  rest wait for a later cycle). The event keeps waiting for its key, so a key that arrives after the notice still
  gets it handled.

A sweep is owed at start (events stored before a restart need their keys asked for again), whenever to-device
messages arrived (they carry room keys), and every so often (for requests and notices that fall due).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from nio import AsyncClient, MegolmEvent

from bot.decryption import decrypt_for_inbox
from bot.errors import NETWORK_ERRORS
from config import Settings
from dialogue.vocabulary import EventId, RoomId, UserId
from handlers.languages import language_for_person
from handlers.outgoing import queue_direct_message
from handlers.replies import Reply
from i18n import bot_marked, bot_text, bot_text_plural
from storage import Database, Dialogue, Transaction
from storage.errors import RowNotFoundError
from storage.inbox import AwaitingKeyRow

log = logging.getLogger(__name__)

# Rows read per transaction, and visited at most after one sync (the rest wait for the next sync): a huge backlog
# costs each sync a bounded moment, and the cursor makes sure every row's turn comes.
ROWS_PER_STEP = 200
ROWS_PER_CYCLE = 2_000
# A key request that went unanswered is sent again after this long, then after twice as long each time, up to a
# day (and after every restart): a sender's device is not pestered for a key it may no longer have.
KEY_REREQUEST_SECONDS = 30 * 60
MAX_KEY_REREQUEST_SECONDS = 24 * 60 * 60
# The longest time between two sweeps when no key arrives, so requests and notices that fall due go out.
MAX_SECONDS_BETWEEN_SWEEPS = 5 * 60
NOTICE_SCOPE = "undecryptable-notice"
# A notice about many messages names when and where the first few were sent, and counts the rest.
MAX_PLACES_LISTED = 5


SINGLE_NOTICE_NAMED_ROOM = bot_marked(
    "A message you sent at {time} in “{room}” could not be read by the bot: its encryption key never reached the "
    "bot, so it is not part of the dialogue. Please send it again, and check that your client shares room keys with "
    "the bot's session ({device}), for instance by allowing unverified sessions or by verifying the bot. Should a key "
    "still arrive, its message will be handled as usual."
)
SINGLE_NOTICE = bot_marked(
    "A message you sent at {time} in the dialogue room could not be read by the bot: its encryption key never "
    "reached the bot, so it is not part of the dialogue. Please send it again, and check that your client shares "
    "room keys with the bot's session ({device}), for instance by allowing unverified sessions or by verifying the "
    "bot. Should a key still arrive, its message will be handled as usual."
)


async def _dialogue_of(tx: Transaction, envelopes: Sequence[_Envelope]) -> Dialogue | None:
    """The dialogue a notice is about, when all its messages were sent in one room (else None: only the sender's own
    choice of language applies)."""
    rooms = {envelope.room_id for envelope in envelopes}
    return await tx.dialogues.latest_in_room(rooms.pop()) if len(rooms) == 1 else None


def _from_before_the_join(sent_at_ms: int, joined_at_ms: int | None) -> bool:
    """History the bot was not there for: sent before it (last) joined the room."""
    return joined_at_ms is not None and sent_at_ms < joined_at_ms


class SweepCursor:
    """Where the sweep over the events awaiting keys stands, by inbox seq, and whether a full sweep is owed.

    `owe_sweep()` asks for every awaiting event to be visited again, starting where the cursor stands: it runs to
    the newest event, wraps around to the oldest, and ends where it was asked for. Asking again mid-sweep moves
    that end point, so a sweep is never restarted from the oldest event (which, with keys arriving often, would
    keep the newest events from ever being reached). A finished sweep leaves the cursor at the start.
    """

    def __init__(self) -> None:
        self.position = 0
        self._stop_at: int | None = None
        self._wrapped = False

    @property
    def sweep_owed(self) -> bool:
        return self._stop_at is not None

    def owe_sweep(self) -> None:
        self._stop_at = self.position
        self._wrapped = False

    def window(self) -> tuple[int, int | None]:
        """The next page: events with seq above the first number and, once wrapped, up to the second."""
        return self.position, (self._stop_at if self._wrapped else None)

    def advance(self, last_seq: int | None, page_was_full: bool) -> None:
        """Move past a page whose newest event had `last_seq` (None if it was empty)."""
        if page_was_full and last_seq is not None:
            self.position = last_seq
            return
        # A short page: the newest event (or, once wrapped, the sweep's end) is reached.
        if self._wrapped or not self._stop_at:
            self.position, self._stop_at, self._wrapped = 0, None, False
        else:
            self.position, self._wrapped = 0, True


@dataclass
class _Tally:
    """What one cycle did, for the log: counts only, never whose events."""

    decrypted: int = 0
    dropped: int = 0
    history_ignored: int = 0
    keys_requested: int = 0
    senders_told: int = 0

    def __bool__(self) -> bool:
        return any((self.decrypted, self.dropped, self.history_ignored, self.keys_requested, self.senders_told))


@dataclass(frozen=True, slots=True)
class _Envelope:
    """The few fields of a stored encrypted event a visit needs, read without building nio's event (which validates
    the whole event against a schema: most of a visit's cost, and needed only to decrypt or to ask for a key)."""

    event_id: EventId
    room_id: RoomId
    sender: UserId
    sent_at_ms: int
    session_id: str
    sender_key: str
    source: dict[str, Any]

    @classmethod
    def of(cls, row: AwaitingKeyRow) -> _Envelope:
        content = row.source.get("content")
        content = content if isinstance(content, dict) else {}
        sent_at = row.source.get("origin_server_ts")
        return cls(
            event_id=row.event_id,
            room_id=row.room_id,
            sender=UserId(str(row.source.get("sender", ""))),
            sent_at_ms=sent_at if isinstance(sent_at, int) else 0,
            session_id=str(content.get("session_id", "")),
            sender_key=str(content.get("sender_key", "")),
            source=row.source,
        )

    def megolm(self) -> MegolmEvent | None:
        """nio's event, delivered in this row's room; None if it is not a valid megolm event."""
        event = MegolmEvent.from_dict(self.source)
        if not isinstance(event, MegolmEvent):
            return None
        event.room_id = self.room_id
        return event


class UndecryptedEvents:
    """The events awaiting keys, worked through by the sync loop after each sync (see the module docstring)."""

    def __init__(
        self,
        client: AsyncClient,
        db: Database,
        settings: Settings,
        on_decrypted: Callable[[], None],
        on_outbox_changed: Callable[[], None],
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._db = db
        self._settings = settings
        self._on_decrypted = on_decrypted
        self._on_outbox_changed = on_outbox_changed
        self._clock = clock
        self._monotonic = monotonic
        self._notice_after_seconds = settings.bot.undecryptable_notice_minutes * 60
        self._seconds_between_sweeps = min(MAX_SECONDS_BETWEEN_SWEEPS, self._notice_after_seconds / 2)
        self._cursor = SweepCursor()
        self._cursor.owe_sweep()  # at start: ask again for the keys of whatever waited through the restart
        self._next_periodic_sweep = 0.0
        # (room ID, megolm session ID) -> when its key was last requested (monotonic) and how long to wait before
        # asking again; this process only.
        self._requested: dict[tuple[str, str], tuple[float, float]] = {}
        self._last_logged_count: int | None = None
        # Events whose sender was told (or found told) in this process: later sweeps need not ask the database.
        self._noticed: set[str] = set()
        # Sender -> when they were last told (monotonic), this process only.
        self._sender_told_at: dict[str, float] = {}

    @property
    def sweeping(self) -> bool:
        """Whether a sweep is under way (it goes on after the next sync)."""
        return self._cursor.sweep_owed

    async def after_sync(self, new_undecrypted: Sequence[MegolmEvent], *, keys_may_have_arrived: bool) -> None:
        """Ask for the keys of this sync's unreadable events, then take the sweep a bounded step further."""
        tally = _Tally()
        if new_undecrypted:
            await self._request_keys_of_new(new_undecrypted, tally)
        if keys_may_have_arrived or (not self._cursor.sweep_owed and self._monotonic() >= self._next_periodic_sweep):
            self._cursor.owe_sweep()
        swept = self._cursor.sweep_owed
        if swept:
            await self._sweep_one_cycle(tally)
        if tally.keys_requested:
            await self._send_key_requests()
        if swept or tally:
            await self._log(tally)

    async def _request_keys_of_new(self, events: Sequence[MegolmEvent], tally: _Tally) -> None:
        async with self._db.transaction() as tx:
            joined_at = {room_id: await tx.rooms.joined_at(room_id) for room_id in {event.room_id for event in events}}
        for event in events:
            if not _from_before_the_join(event.server_timestamp, joined_at.get(event.room_id)):
                self._request_key(event, tally)

    async def _sweep_one_cycle(self, tally: _Tally) -> None:
        budget = ROWS_PER_CYCLE
        unreadable: list[_Envelope] = []
        while self._cursor.sweep_owed and budget > 0:
            after, up_to = self._cursor.window()
            limit = min(ROWS_PER_STEP, budget)
            async with self._db.transaction() as tx:
                rows = await tx.inbox.awaiting_key_page(after, up_to, limit)
                joined_at = {room_id: await tx.rooms.joined_at(room_id) for room_id in {row.room_id for row in rows}}
            budget -= limit
            await self._visit(rows, joined_at, unreadable, tally)
            self._cursor.advance(rows[-1].seq if rows else None, len(rows) == limit)
            await asyncio.sleep(0)  # decrypting a page is CPU work: let other tasks run between pages
        await self._tell_senders(unreadable, tally)
        if not self._cursor.sweep_owed:
            self._next_periodic_sweep = self._monotonic() + self._seconds_between_sweeps

    async def _visit(
        self,
        rows: Sequence[AwaitingKeyRow],
        joined_at: dict[RoomId, int | None],
        unreadable: list[_Envelope],
        tally: _Tally,
    ) -> None:
        """Decrypt, ignore or ask for the key of each row; add those whose notice is due to `unreadable`."""
        decrypted: list[tuple[EventId, dict[str, Any]]] = []
        not_to_wait_for: list[str] = []
        now = self._clock()
        for row in rows:
            envelope = _Envelope.of(row)
            if self._has_room_key(envelope):
                megolm = envelope.megolm()
                outcome = decrypt_for_inbox(self._client, megolm, row.room_id) if megolm is not None else None
                if outcome is not None and not outcome.awaiting_key:
                    if outcome.source is None:
                        not_to_wait_for.append(row.event_id)  # forged or malformed: dropped (decryption logs it)
                        tally.dropped += 1
                    else:
                        decrypted.append((row.event_id, outcome.source))
                    continue
            if _from_before_the_join(envelope.sent_at_ms, joined_at.get(row.room_id)):
                not_to_wait_for.append(row.event_id)
                tally.history_ignored += 1
                continue
            if self._key_request_due(envelope.room_id, envelope.session_id):
                megolm = envelope.megolm()
                if megolm is not None:
                    self._request_key(megolm, tally)
            if (
                now - row.received_at >= self._notice_after_seconds
                and envelope.sender != self._client.user_id
                and row.event_id not in self._noticed
            ):
                unreadable.append(envelope)
        if not decrypted and not not_to_wait_for:
            return
        async with self._db.transaction() as tx:
            for event_id, source in decrypted:
                try:
                    await tx.inbox.mark_decrypted(event_id, source)
                except RowNotFoundError:
                    continue  # no longer waiting (purged meanwhile): nothing to hand over
                tally.decrypted += 1
            await tx.inbox.ignore_awaiting(not_to_wait_for)
        if tally.decrypted:
            self._on_decrypted()

    async def _tell_senders(self, unreadable: Sequence[_Envelope], tally: _Tally) -> None:
        """One direct message per sender about their messages found unreadable in this cycle, each message told
        once (a marker per event); a sender told lately waits for the next cycle after `notice_after` has passed,
        so that a large backlog brings them a few messages, not hundreds."""
        now, moment = self._clock(), self._monotonic()
        by_sender: dict[UserId, list[_Envelope]] = defaultdict(list)
        for envelope in unreadable:
            told_at = self._sender_told_at.get(envelope.sender)
            if told_at is None or moment - told_at >= self._notice_after_seconds:
                by_sender[envelope.sender].append(envelope)
        if not by_sender:
            return
        told: list[str] = []
        async with self._db.transaction() as tx:
            for sender, envelopes in by_sender.items():
                untold = [
                    envelope for envelope in envelopes if await tx.once.mark(NOTICE_SCOPE, envelope.event_id, now)
                ]
                if untold:
                    language = await language_for_person(tx, sender, await _dialogue_of(tx, untold))
                    await queue_direct_message(tx, sender, self._notice(untold, language), now)
                    told.append(sender)
        # Remembered only once committed; the markers in the database are what count across restarts.
        self._noticed.update(envelope.event_id for envelopes in by_sender.values() for envelope in envelopes)
        self._sender_told_at.update(dict.fromkeys(told, moment))
        tally.senders_told += len(told)
        if told:
            self._on_outbox_changed()

    def _has_room_key(self, envelope: _Envelope) -> bool:
        """Whether nio holds the event's megolm session. Checked first because most visits to a long-waiting event
        find no key, and a failed decryption costs a nio warning in the log and more time than this look-up."""
        olm = self._client.olm
        if olm is None:
            return False
        return olm.inbound_group_store.get(envelope.room_id, envelope.sender_key, envelope.session_id) is not None

    def _key_request_due(self, room_id: str, session_id: str) -> bool:
        if not session_id:
            return False
        requested = self._requested.get((room_id, session_id))
        return requested is None or self._monotonic() - requested[0] >= requested[1]

    def _request_key(self, event: MegolmEvent, tally: _Tally) -> None:
        """Queue an m.room_key_request for the event's session, unless one went out for it lately.

        Addressed to the device that sent the event (the one that can share the key again) and to the bot's own
        other devices, as nio itself does; nio sends it with the other to-device messages and remembers it, which
        it needs in order to accept a forwarded key. The request names the room and session, nothing else."""
        client = self._client
        if client.olm is None or not event.session_id or not event.room_id:
            return
        if not self._key_request_due(event.room_id, event.session_id):
            return
        key = (event.room_id, event.session_id)
        previous = self._requested.get(key)
        wait = KEY_REREQUEST_SECONDS if previous is None else min(MAX_KEY_REREQUEST_SECONDS, previous[1] * 2)
        self._requested[key] = (self._monotonic(), wait)
        outgoing = client.olm.outgoing_to_device_messages
        outgoing.append(event.as_key_request(event.sender, client.device_id, device_id=event.device_id or None))
        if event.sender != client.user_id:
            outgoing.append(event.as_key_request(client.user_id, client.device_id))
        tally.keys_requested += 1

    async def _send_key_requests(self) -> None:
        try:
            await self._client.send_to_device_messages()
        except NETWORK_ERRORS as error:
            # They stay queued in nio and go out with the next sync's housekeeping.
            log.warning("key requests not sent yet; will retry", extra={"error": type(error).__name__})

    def _notice(self, events: Sequence[_Envelope], language: str | None) -> Reply:
        """The private message to one sender: when and where, never what (the bot cannot know, and it stays so).

        Each variant is one whole message (one message, or many; a room with a name, or without), so a translation
        never has to fit words around a fragment."""
        device = self._client.device_id
        if len(events) == 1:
            [event] = events
            name = self._room_name(event.room_id)
            message = SINGLE_NOTICE_NAMED_ROOM if name else SINGLE_NOTICE
            return Reply.plain(bot_text(language, message, time=self._when(event.sent_at_ms), room=name, device=device))
        places = [self._place(event, language) for event in events[:MAX_PLACES_LISTED]]
        if len(events) > MAX_PLACES_LISTED:
            more = len(events) - MAX_PLACES_LISTED
            places.append(bot_text_plural(language, "- and {count} more", "- and {count} more", more))
        # Sent for two messages or more; the singular is there for languages whose plural rule also calls for it.
        return Reply.plain(
            bot_text_plural(
                language,
                "{count} message you sent could not be read by the bot:\n{places}\nIts encryption key never reached "
                "the bot, so it is not part of the dialogue. Please send it again, and check that your client shares "
                "room keys with the bot's session ({device}), for instance by allowing unverified sessions or by "
                "verifying the bot. Should a key still arrive, its message will be handled as usual.",
                "{count} messages you sent could not be read by the bot:\n{places}\nTheir encryption keys never "
                "reached the bot, so they are not part of the dialogue. Please send them again, and check that your "
                "client shares room keys with the bot's session ({device}), for instance by allowing unverified "
                "sessions or by verifying the bot. Should a key still arrive, its message will be handled as usual.",
                len(events),
                places="\n".join(places),
                device=device,
            )
        )

    def _place(self, event: _Envelope, language: str | None) -> str:
        """One line of the list: when, and in which room."""
        name = self._room_name(event.room_id)
        when = self._when(event.sent_at_ms)
        if name:
            return bot_text(language, "- at {time} in “{room}”", time=when, room=name)
        return bot_text(language, "- at {time} in the dialogue room", time=when)

    def _when(self, timestamp_ms: int) -> str:
        moment = datetime.fromtimestamp(timestamp_ms / 1000, ZoneInfo(self._settings.bot.timezone))
        return moment.strftime("%Y-%m-%d %H:%M %Z")

    def _room_name(self, room_id: str) -> str | None:
        # Only the room's own name (m.room.name): a computed display name would be made of members' names.
        room = self._client.rooms.get(room_id)
        return (room.name if room is not None else None) or None

    async def _log(self, tally: _Tally) -> None:
        async with self._db.transaction() as tx:
            waiting = await tx.inbox.awaiting_key_count()
        if tally.decrypted:
            log.info("late room keys arrived; events decrypted", extra={"events": tally.decrypted})
        if tally.history_ignored:
            log.debug(
                "undecryptable history from before the bot joined ignored", extra={"events": tally.history_ignored}
            )
        if not tally and waiting == self._last_logged_count:
            return
        self._last_logged_count = waiting
        log.info(
            "awaiting keys",
            extra={
                "events": waiting,
                "key_requests": tally.keys_requested,
                "decrypted": tally.decrypted,
                "senders_told": tally.senders_told,
            },
        )
