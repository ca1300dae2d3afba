"""The outbox: a durable queue of outgoing messages.

Each message gets its Matrix transaction id when it is enqueued, before any attempt to send it. Retrying
with the same txn_id after a crash or a timeout lets the homeserver drop the duplicate, so a message is
delivered at most once even if we cannot tell whether the first attempt got through. Messages leave in
order within each room; a room that is backing off does not hold up the others.

What is queued is typed: a destination (a :class:`Room`, or a :class:`Person` whose direct room the sender finds) and
one item of a tagged union (:data:`OutboxItem`), stored as a kind tag, the item's fields as JSON and a file's bytes as
a BLOB; rows read back as the same union.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from dialogue.vocabulary import EventId, RoomId, UserId
from storage import _json
from storage.errors import RowNotFoundError
from storage.session import Row, Session

logger = logging.getLogger(__name__)

TXN_ID_PREFIX = "dlg"


# -- where a queued item goes ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Room:
    """A room the bot is in, by its room ID."""

    room_id: RoomId


@dataclass(frozen=True, slots=True)
class Person:
    """One person, by their user ID: the sender finds (or creates) the direct room it keeps with them when it sends,
    since making a room is I/O the handlers do not do."""

    user_id: UserId


Destination = Room | Person
DestinationKind = Literal["room", "person"]


# -- what a queued item is --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoomMessage:
    """An `m.room.message` event with this content (a notice, a text, a reply)."""

    content: dict[str, Any] = field(hash=False)


@dataclass(frozen=True, slots=True)
class Reaction:
    """An `m.reaction` annotating `target_event_id` with `key` (the bot's ✅)."""

    target_event_id: EventId
    key: str


@dataclass(frozen=True, slots=True)
class FileUpload:
    """A file for the sender to upload (encrypted in an encrypted room) and post as an `m.file` message.

    With ``dialogue_id``, the sender records the upload's mxc URI under that dialogue, so that purging the dialogue can
    have the file deleted from the media store."""

    filename: str
    mimetype: str
    data: bytes = field(repr=False)
    dialogue_id: int | None = None


@dataclass(frozen=True, slots=True)
class Redaction:
    """Remove `event_id` from the room; the row's transaction ID makes a retry remove it once."""

    event_id: EventId
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class MediaDeletion:
    """Delete these uploads from the media store (Synapse admin API), then say in the room how that went."""

    mxc_uris: tuple[str, ...]
    language: str | None = None  # the dialogue's, for the notice; rows queued before it was stored have none


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the message sent under transaction ID `of_txn` with `new_content` (an `m.replace` edit, encrypted in an
    encrypted room). That message's event ID exists only once it is sent, so the sender looks it up when it sends the
    edit; queued after it for the same destination, the edit always finds it sent or given up.

    Stored under the kind 'message' (it is an `m.room.message` event), told apart by its fields: a kind of its own
    would need the outbox table rebuilt for its CHECK."""

    of_txn: str
    new_content: dict[str, Any] = field(hash=False)


OutboxItem = RoomMessage | Reaction | FileUpload | Redaction | MediaDeletion | Edit
ItemKind = Literal["message", "reaction", "file", "redaction", "media_deletion"]


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A message waiting to be sent."""

    seq: int
    txn_id: str
    destination: Destination
    item: OutboxItem
    attempts: int


# -- rows <-> items ---------------------------------------------------------------------------------------------------


def _destination_columns(destination: Destination) -> tuple[DestinationKind, str]:
    match destination:
        case Room(room_id):
            return "room", room_id
        case Person(user_id):
            return "person", user_id


def _destination(kind: str, value: str) -> Destination:
    if kind == "person":
        return Person(UserId(value))
    if kind == "room":
        return Room(RoomId(value))
    raise ValueError(f"unknown outbox destination kind {kind!r}")


def _item_columns(item: OutboxItem) -> tuple[ItemKind, dict[str, Any], bytes | None]:
    """The item's kind tag, its fields as a JSON object, and a file's bytes (kept as a BLOB, never as text)."""
    match item:
        case RoomMessage(content):
            return "message", content, None
        case Reaction(target_event_id, key):
            return "reaction", {"event_id": target_event_id, "key": key}, None
        case FileUpload(filename, mimetype, data, dialogue_id):
            return "file", {"filename": filename, "mimetype": mimetype, "dialogue_id": dialogue_id}, bytes(data)
        case Redaction(event_id, reason):
            return "redaction", {"event_id": event_id, "reason": reason}, None
        case MediaDeletion(mxc_uris, language):
            return "media_deletion", {"mxc_uris": list(mxc_uris), "language": language}, None
        case Edit(of_txn, new_content):
            return "message", {_EDIT_OF_TXN: of_txn, "new_content": new_content}, None


# The field that marks a stored 'message' row as an Edit; no Matrix content has a key like it.
_EDIT_OF_TXN = "dialogue_bot.edit_of_txn"


def _item(kind: str, fields: dict[str, Any], data: bytes | None) -> OutboxItem:
    match kind:
        case "message":
            if _EDIT_OF_TXN in fields:
                return Edit(of_txn=fields[_EDIT_OF_TXN], new_content=fields["new_content"])
            return RoomMessage(fields)
        case "reaction":
            return Reaction(target_event_id=fields["event_id"], key=fields["key"])
        case "file":
            if data is None:  # the schema forbids this for pending rows
                raise ValueError("pending file row has no data")
            return FileUpload(fields["filename"], fields["mimetype"], bytes(data), fields.get("dialogue_id"))
        case "redaction":
            return Redaction(event_id=fields["event_id"], reason=fields.get("reason"))
        case "media_deletion":
            return MediaDeletion(mxc_uris=tuple(fields["mxc_uris"]), language=fields.get("language"))
    raise ValueError(f"unknown outbox item kind {kind!r}")


# Each destination's oldest pending message: only it may be sent, which keeps per-room order.
_HEADS = (
    "WITH heads AS (SELECT MIN(seq) AS seq FROM outbox WHERE state = 'pending' GROUP BY destination_kind, destination)"
)
_COLUMNS = "seq, txn_id, destination_kind, destination, kind, content, data, attempts"


def _row(row: Row) -> OutboxRow:
    fields = _json.loads(row["content"])
    if fields is None:  # the schema forbids this for pending rows
        raise ValueError("pending outbox row has no content")
    return OutboxRow(
        seq=row["seq"],
        txn_id=row["txn_id"],
        destination=_destination(row["destination_kind"], row["destination"]),
        item=_item(row["kind"], fields, row["data"]),
        attempts=row["attempts"],
    )


class OutboxRepository:
    """Outbox operations within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session
        # Messages queued in this transaction, so a caller can tell whether it queued anything.
        self.enqueued = 0

    async def enqueue(self, destination: Destination, item: OutboxItem, now: float) -> str:
        """Queue an item for a room or a person and return the transaction id it will be sent with."""
        txn_id = f"{TXN_ID_PREFIX}{uuid.uuid4().hex}"
        await self.enqueue_once(txn_id, destination, item, now)
        return txn_id

    async def enqueue_once(self, txn_id: str, destination: Destination, item: OutboxItem, now: float) -> bool:
        """Queue an item under a transaction ID the caller derived from what it answers, unless one was ever queued
        under it (sent, failed or pending): so work done again after a restart does not queue it twice. Returns
        whether it was queued now."""
        destination_kind, destination_value = _destination_columns(destination)
        kind, fields, data = _item_columns(item)
        changed = await self._session.execute(
            "INSERT INTO outbox (txn_id, destination_kind, destination, kind, content, data, state, not_before, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (txn_id) DO NOTHING",
            (txn_id, destination_kind, destination_value, kind, _json.dumps(fields), data, now, now),
        )
        if changed:
            self.enqueued += 1
            logger.debug("outbox: queued %s", txn_id)
        return bool(changed)

    async def was_queued(self, txn_id: str) -> bool:
        """Whether anything was ever queued under `txn_id` (and not pruned since)."""
        return await self._session.scalar("SELECT 1 FROM outbox WHERE txn_id = ?", (txn_id,)) is not None

    async def is_pending(self, txn_id: str) -> bool:
        return (
            await self._session.scalar("SELECT 1 FROM outbox WHERE txn_id = ? AND state = 'pending'", (txn_id,))
            is not None
        )

    async def next_sendable(self, now: float) -> OutboxRow | None:
        """The message to send next: the oldest room-head whose retry time has come, if any."""
        row = await self._session.fetchone(
            f"{_HEADS} SELECT {_COLUMNS} FROM outbox JOIN heads USING (seq) WHERE not_before <= ? ORDER BY seq LIMIT 1",
            (now,),
        )
        return None if row is None else _row(row)

    async def sendable_heads(self, now: float) -> list[OutboxRow]:
        """Every room's oldest pending message whose retry time has come, oldest first (one per room)."""
        rows = await self._session.fetchall(
            f"{_HEADS} SELECT {_COLUMNS} FROM outbox JOIN heads USING (seq) WHERE not_before <= ? ORDER BY seq",
            (now,),
        )
        return [_row(row) for row in rows]

    async def mark_sent(self, txn_id: str, event_id: EventId, now: float) -> None:
        """Record delivery and drop the content (our messages can quote contributions; don't keep them)."""
        changed = await self._session.execute(
            "UPDATE outbox SET state = 'sent', content = NULL, data = NULL, event_id = ?, sent_at = ? "
            "WHERE txn_id = ? AND state = 'pending'",
            (event_id, now, txn_id),
        )
        _require(changed, txn_id)
        self._session.request_lazy_checkpoint()

    async def defer(self, txn_id: str, not_before: float, error: str) -> int:
        """Count a failed send, hold the message (and the rest of its room) until ``not_before``.

        Returns the new attempt count, so the caller can decide when to give up.
        """
        attempts = await self._session.scalar(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ? "
            "WHERE txn_id = ? AND state = 'pending' RETURNING attempts",
            (not_before, error, txn_id),
        )
        _require(0 if attempts is None else 1, txn_id)
        return int(attempts)

    async def mark_failed(self, txn_id: str, error: str) -> None:
        """Give up on a message for good, dropping its content; the room's next message becomes sendable."""
        changed = await self._session.execute(
            "UPDATE outbox SET state = 'failed', content = NULL, data = NULL, last_error = ? "
            "WHERE txn_id = ? AND state = 'pending'",
            (error, txn_id),
        )
        _require(changed, txn_id)
        self._session.request_lazy_checkpoint()

    async def give_up_room(self, room_id: RoomId, error: str) -> int:
        """Give up every message still waiting for a room the bot was removed from; returns how many.

        Tries there could only fail (the sender would retry each up to its limit); the content goes with them."""
        changed = await self._session.execute(
            "UPDATE outbox SET state = 'failed', content = NULL, data = NULL, last_error = ? "
            "WHERE destination_kind = 'room' AND destination = ? AND state = 'pending'",
            (error, room_id),
        )
        if changed:
            self._session.request_lazy_checkpoint()
        return changed

    async def pending_count(self) -> int:
        """How many messages are still waiting to be sent."""
        return int(await self._session.scalar("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"))

    async def next_wake_time(self) -> float | None:
        """The earliest time any room's head message may be sent, so the sender can sleep until then."""
        value = await self._session.scalar(f"{_HEADS} SELECT MIN(not_before) FROM outbox JOIN heads USING (seq)")
        return None if value is None else float(value)

    async def sent_event_id(self, txn_id: str) -> EventId | None:
        """The event_id the homeserver gave a sent message; None if unknown or not sent (yet)."""
        value = await self._session.scalar("SELECT event_id FROM outbox WHERE txn_id = ? AND state = 'sent'", (txn_id,))
        return None if value is None else EventId(str(value))

    async def prune_finished(self, before: float, limit: int) -> int:
        """Delete up to ``limit`` sent or failed messages finished before ``before``; return how many.

        A sent row's content is already gone; what is left is its transaction and event ID, and the sender never
        retries a finished row, so nothing needs those any more. The exception is a challenge's prompt: replies in
        its thread find their challenge through the prompt's row (:meth:`ChallengesRepository.by_thread_root`,
        :meth:`sent_event_id`) for as long as the challenge exists, so those rows are kept. A consensus round's
        direct messages, through which reactions find the theme they vote on, are kept until their round has been
        closed for as long as the retention (so a late answer still gets its notice meanwhile); then they go too,
        since each names the person it went to.
        A failed row never got an event ID and has no ``sent_at``; its creation time counts.
        """
        removed = await self._session.execute(
            "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox "
            "WHERE state IN ('sent', 'failed') AND COALESCE(sent_at, created_at) < ? "
            "AND txn_id NOT IN (SELECT prompt_txn_id FROM challenges WHERE prompt_txn_id IS NOT NULL) "
            "AND txn_id NOT IN (SELECT m.txn_id FROM consensus_messages m "
            "JOIN consensus_rounds r ON r.id = m.round_id WHERE r.closes_at >= ?) LIMIT ?)",
            (before, before, limit),
        )
        logger.debug("outbox: pruned %d finished messages", removed)
        return removed


def _require(changed: int, txn_id: str) -> None:
    if changed == 0:
        raise RowNotFoundError(f"no pending outbox row with txn_id {txn_id}")
