"""The inbox: a durable queue of incoming Matrix events, unique by event_id.

Events are stored before they are processed, so a crash between receiving and handling one loses nothing;
and because an event_id is kept (without its content) after processing, a replayed sync or a duplicate
delivery is recognised and skipped. Each sender's events are processed in insertion order, senders in turn.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dialogue.vocabulary import EventId, RoomId
from storage import _json
from storage.errors import RowNotFoundError
from storage.session import Row, Session

logger = logging.getLogger(__name__)

STATES: tuple[str, ...] = ("pending", "awaiting_key", "done", "quarantined", "ignored")

Origin = Literal["sync", "scheduled"]
"""Who put an event into the inbox: the sync loop (the homeserver's), or the bot's own scheduler (bot/scheduler.py).
Kept in a column, never in the event's JSON, so nothing a room member sends can pass for a scheduled action."""


@dataclass(frozen=True, slots=True)
class NewInboxEvent:
    """An event as the sync loop hands it over.

    ``awaiting_key`` for one that could not be decrypted yet; ``ignored`` for one that must never be handled (its
    source is then not stored, only its event_id, so a re-delivery is recognised). ``was_encrypted`` for one whose
    source is a decrypted payload in the server's envelope (only decryption sets it); ``origin`` is who made it.
    """

    event_id: EventId
    room_id: RoomId
    source: dict[str, Any]
    awaiting_key: bool = False
    ignored: bool = False
    was_encrypted: bool = False
    origin: Origin = "sync"

    @property
    def state(self) -> str:
        if self.ignored:
            return "ignored"
        return "awaiting_key" if self.awaiting_key else "pending"


@dataclass(frozen=True, slots=True)
class InboxRow:
    """A stored event. ``source`` is None once the event is done or ignored (the body is not kept)."""

    seq: int
    event_id: EventId
    room_id: RoomId
    state: str
    source: dict[str, Any] | None
    attempts: int
    error_ref: str | None
    was_encrypted: bool
    origin: Origin


_COLUMNS = "seq, event_id, room_id, state, source, attempts, error_ref, was_encrypted, origin"


def _row(row: Row) -> InboxRow:
    return InboxRow(
        seq=row["seq"],
        event_id=row["event_id"],
        room_id=row["room_id"],
        state=row["state"],
        source=_json.loads(row["source"]),
        attempts=row["attempts"],
        error_ref=row["error_ref"],
        was_encrypted=bool(row["was_encrypted"]),
        origin=_origin(row["origin"]),
    )


def _origin(value: str) -> Origin:
    if value == "scheduled":
        return "scheduled"
    if value == "sync":
        return "sync"
    raise ValueError(f"unknown inbox origin {value!r}")  # the schema's CHECK makes this unreachable


class InboxRepository:
    """Inbox operations within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def add(self, events: Sequence[NewInboxEvent], now: float) -> int:
        """Store events not seen before, in order, and return how many were new.

        An event_id already present in any state (even done, with its body gone) is skipped, which is what
        makes duplicates and replays harmless. Only the event_id conflict is ignored: any other constraint
        violation still raises.
        """
        if not events:
            return 0
        added = await self._session.executemany(
            "INSERT INTO inbox (event_id, room_id, state, source, received_at, was_encrypted, origin) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
            [
                (
                    event.event_id,
                    event.room_id,
                    event.state,
                    None if event.ignored else _json.dumps(event.source),
                    now,
                    int(event.was_encrypted),
                    event.origin,
                )
                for event in events
            ],
        )
        logger.debug("inbox: %d of %d events were new", added, len(events))
        return added

    async def known(self, event_ids: Iterable[str]) -> set[str]:
        """Which of these event_ids are already in the inbox, in any state."""
        wanted = list(dict.fromkeys(event_ids))
        if not wanted:
            return set()
        # One JSON parameter instead of one placeholder per id: no limit on how many we ask about.
        rows = await self._session.fetchall(
            f"SELECT event_id FROM inbox WHERE event_id IN ({self._session.dialect.json_text_values})",
            (json.dumps(wanted),),
        )
        return {row[0] for row in rows}

    async def next_ready(self, now: float, limit: int = 50) -> list[InboxRow]:
        """Pending events to handle next: senders take turns, and each sender's events stay in their order.

        Round-robin across senders: every sender's oldest pending event comes before anyone's second, so one
        participant's flood of 200 messages does not hold up the next person's one. Within a sender, order is
        kept strictly: an event is ready only when it and every earlier pending event of the same sender are
        (an edit never overtakes the message it edits, even while that message waits for a retry). The
        sender is read from the stored source, which exists exactly as long as the event is pending.
        """
        sender = self._session.dialect.sender_of_source
        rows = await self._session.fetchall(
            f"""
            WITH queue AS (
                SELECT {_COLUMNS},
                    ROW_NUMBER() OVER sender_order AS turn,
                    MAX(not_before) OVER (sender_order ROWS UNBOUNDED PRECEDING) AS due
                FROM inbox WHERE state = 'pending'
                WINDOW sender_order AS (PARTITION BY COALESCE({sender}, '') ORDER BY seq)
            )
            SELECT {_COLUMNS} FROM queue WHERE due <= ? ORDER BY turn, seq LIMIT ?
            """,
            (now, limit),
        )
        return [_row(row) for row in rows]

    async def awaiting_key(self, limit: int = 200) -> list[InboxRow]:
        """Events still waiting for a decryption key, oldest first, to retry when new keys arrive."""
        rows = await self._session.fetchall(
            f"SELECT {_COLUMNS} FROM inbox WHERE state = 'awaiting_key' ORDER BY seq LIMIT ?", (limit,)
        )
        return [_row(row) for row in rows]

    async def mark_decrypted(self, event_id: EventId, source: dict[str, Any]) -> None:
        """Replace an awaiting_key event's encrypted source with the decrypted one and make it pending (and recorded
        as having arrived encrypted).

        Only an event in awaiting_key qualifies: anything else would, for instance, put a body back on an
        event that is already done. Raises RowNotFoundError otherwise.
        """
        changed = await self._session.execute(
            "UPDATE inbox SET state = 'pending', source = ?, was_encrypted = 1 "
            "WHERE event_id = ? AND state = 'awaiting_key'",
            (_json.dumps(source), event_id),
        )
        _require(changed, event_id, "awaiting_key")

    async def mark_done(self, event_id: EventId) -> None:
        """Finish an event and drop its body; only the event_id stays, for de-duplication."""
        await self._finish(event_id, "done")

    async def mark_ignored(self, event_id: EventId) -> None:
        """Like mark_done, but records that the event was deliberately not handled (e.g. our own)."""
        await self._finish(event_id, "ignored")

    async def _finish(self, event_id: EventId, state: str) -> None:
        changed = await self._session.execute(
            "UPDATE inbox SET state = ?, source = NULL WHERE event_id = ?", (state, event_id)
        )
        _require(changed, event_id, "any")
        self._session.request_lazy_checkpoint()

    async def record_failure(self, event_id: EventId, error_ref: str, retry_at: float) -> int:
        """Count a failed processing attempt, postpone the event to ``retry_at``, return the attempt count."""
        attempts = await self._session.scalar(
            "UPDATE inbox SET attempts = attempts + 1, error_ref = ?, not_before = ? "
            "WHERE event_id = ? RETURNING attempts",
            (error_ref, retry_at, event_id),
        )
        _require(0 if attempts is None else 1, event_id, "any")
        return int(attempts)

    async def quarantine(self, event_id: EventId, error_ref: str) -> None:
        """Stop retrying an event, keeping its source so an operator can inspect and requeue it."""
        changed = await self._session.execute(
            "UPDATE inbox SET state = 'quarantined', error_ref = ? WHERE event_id = ? "
            "AND state IN ('pending', 'awaiting_key', 'quarantined')",
            (error_ref, event_id),
        )
        _require(changed, event_id, "pending, awaiting_key or quarantined")

    async def requeue_quarantined(self, event_id: EventId | None = None) -> int:
        """Give quarantined events (one, or all if None) a fresh start; return how many were requeued."""
        sql = "UPDATE inbox SET state = 'pending', attempts = 0, not_before = 0 WHERE state = 'quarantined'"
        if event_id is None:
            return await self._session.execute(sql)
        return await self._session.execute(f"{sql} AND event_id = ?", (event_id,))

    async def quarantined(self) -> list[QuarantinedEvent]:
        """Every quarantined event, oldest first, by reference only: never its sender, body or any Matrix ID."""
        rows = await self._session.fetchall(
            "SELECT inbox.seq, inbox.error_ref, inbox.received_at, inbox.attempts, rooms.rowid AS room_number "
            "FROM inbox LEFT JOIN rooms ON rooms.room_id = inbox.room_id "
            "WHERE inbox.state = 'quarantined' ORDER BY inbox.seq"
        )
        return [
            QuarantinedEvent(
                seq=row["seq"],
                error_ref=row["error_ref"] or "",
                received_at=float(row["received_at"]),
                attempts=row["attempts"],
                room_number=row["room_number"],
            )
            for row in rows
        ]

    async def requeue_quarantined_seqs(self, seqs: Iterable[int]) -> int:
        """Give these quarantined events (by inbox number) a fresh start; return how many were requeued."""
        wanted = list(dict.fromkeys(seqs))
        if not wanted:
            return 0
        return await self._session.execute(
            "UPDATE inbox SET state = 'pending', attempts = 0, not_before = 0 "
            f"WHERE state = 'quarantined' AND seq IN ({self._session.dialect.json_int_values})",
            (json.dumps(wanted),),
        )

    async def scrub_held_in_rooms(self, room_ids: Iterable[str]) -> int:
        """Drop the source of every quarantined or undecrypted event in these rooms; return how many.

        These are the rows that still hold a sender and a body. They become 'ignored' (never requeued, never
        decrypted), and their event ID stays so a re-delivery is still recognised. For a purge.
        """
        wanted = list(dict.fromkeys(room_ids))
        if not wanted:
            return 0
        return await self._scrub_held(f"room_id IN ({self._session.dialect.json_text_values})", json.dumps(wanted))

    async def scrub_held_from_sender(self, sender: str) -> int:
        """Like :meth:`scrub_held_in_rooms`, for every held event this user sent, in any room. For forget-me."""
        return await self._scrub_held(f"{self._session.dialect.sender_of_source} = ?", sender)

    async def _scrub_held(self, condition: str, parameter: str) -> int:
        scrubbed = await self._session.execute(
            "UPDATE inbox SET state = 'ignored', source = NULL "
            f"WHERE state IN ('quarantined', 'awaiting_key') AND {condition}",
            (parameter,),
        )
        if scrubbed:
            self._session.request_checkpoint()
        logger.debug("inbox: scrubbed %d held events", scrubbed)
        return scrubbed

    async def held_room_ids(self) -> set[str]:
        """The rooms that have quarantined or undecrypted events (rows that still hold a sender and body)."""
        rows = await self._session.fetchall(
            "SELECT DISTINCT room_id FROM inbox WHERE state IN ('quarantined', 'awaiting_key')"
        )
        return {row[0] for row in rows}

    async def counts(self) -> dict[str, int]:
        """Rows per state, every state present (0 when empty), for status reports and health checks."""
        counts = dict.fromkeys(STATES, 0)
        for row in await self._session.fetchall("SELECT state, COUNT(*) FROM inbox GROUP BY state"):
            counts[row[0]] = row[1]
        return counts

    async def next_wake_time(self) -> float | None:
        """The earliest retry time among pending events, so the processor can sleep until then."""
        value = await self._session.scalar("SELECT MIN(not_before) FROM inbox WHERE state = 'pending'")
        return None if value is None else float(value)

    async def newest_received_at(self) -> float | None:
        """When the newest stored event was received (the latest sync that brought any); None for an empty inbox.

        Read from the row with the highest seq, so it costs one lookup instead of a scan.
        """
        value = await self._session.scalar("SELECT received_at FROM inbox ORDER BY seq DESC LIMIT 1")
        return None if value is None else float(value)

    async def prune_handled(self, before: float, limit: int, *, keep_prefix: str = "") -> int:
        """Forget up to ``limit`` done or ignored events received before ``before``; return how many.

        Their event ID is all that is left of them, and it only guards against the same event being stored again.
        The caller (bot/pruner.py) chooses ``before`` so that no such event can come back: see ``backfill_floor_ms``
        there. IDs starting with ``keep_prefix`` (if given) are kept whatever their age. Pending, undecrypted and
        quarantined events are never pruned.
        """
        removed = await self._session.execute(
            "DELETE FROM inbox WHERE seq IN (SELECT seq FROM inbox "
            "WHERE state IN ('done', 'ignored') AND received_at < ? "
            "AND (? = '' OR substr(event_id, 1, length(CAST(? AS TEXT))) <> ?) LIMIT ?)",
            (before, keep_prefix, keep_prefix, keep_prefix, limit),
        )
        logger.debug("inbox: pruned %d handled events", removed)
        return removed

    async def awaiting_key_page(self, after_seq: int, up_to_seq: int | None, limit: int) -> list[AwaitingKeyRow]:
        """Up to ``limit`` events awaiting a key with ``after_seq < seq <= up_to_seq`` (no upper bound if None),
        oldest first: one step of a sweep that goes over the whole backlog, however large (bot/undecrypted.py)."""
        rows = await self._session.fetchall(
            "SELECT seq, event_id, room_id, source, received_at FROM inbox "
            # The CAST gives PostgreSQL the type of a parameter that is only tested for NULL (a no-op on SQLite).
            "WHERE state = 'awaiting_key' AND seq > ? AND (CAST(? AS BIGINT) IS NULL OR seq <= ?) ORDER BY seq LIMIT ?",
            (after_seq, up_to_seq, up_to_seq, limit),
        )
        return [
            AwaitingKeyRow(
                seq=row["seq"],
                event_id=row["event_id"],
                room_id=row["room_id"],
                source=_json.loads(row["source"]) or {},
                received_at=float(row["received_at"]),
            )
            for row in rows
        ]

    async def awaiting_key_count(self) -> int:
        """How many events wait for a decryption key (for the log: a count, no IDs)."""
        return int(await self._session.scalar("SELECT COUNT(*) FROM inbox WHERE state = 'awaiting_key'") or 0)

    async def ignore_awaiting(self, event_ids: Iterable[str]) -> int:
        """Stop waiting for the keys of these events (history from before the bot joined): their source is dropped
        and they become 'ignored'. Only events still awaiting a key change; returns how many did."""
        wanted = list(dict.fromkeys(event_ids))
        if not wanted:
            return 0
        ignored = await self._session.execute(
            "UPDATE inbox SET state = 'ignored', source = NULL "
            f"WHERE state = 'awaiting_key' AND event_id IN ({self._session.dialect.json_text_values})",
            (json.dumps(wanted),),
        )
        if ignored:
            self._session.request_lazy_checkpoint()
        return ignored


@dataclass(frozen=True, slots=True)
class QuarantinedEvent:
    """What an operator may see of a quarantined event: its inbox number, the error reference the room was given, when
    it arrived, how often it was tried, and the room's number in the bot's table (None if the room is unknown)."""

    seq: int
    error_ref: str
    received_at: float
    attempts: int
    room_number: int | None


@dataclass(frozen=True, slots=True)
class AwaitingKeyRow:
    """An event still waiting for its decryption key: the server's encrypted envelope, and when it was stored."""

    seq: int
    event_id: EventId
    room_id: RoomId
    source: dict[str, Any]
    received_at: float


def _require(changed: int, event_id: EventId, states: str) -> None:
    if changed == 0:
        raise RowNotFoundError(f"no inbox row for event {event_id} in state {states}")
