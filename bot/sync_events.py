"""What one sync brought, as inbox rows: the batch room by room, and each event's row (decrypted where it can be).

An event the server sent in the clear is stored as the server sent it, with the room it was delivered in; an
encrypted one keeps the server's envelope and takes only its type and content from the decrypted payload
(bot/decryption.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nio import AsyncClient, MegolmEvent

from bot.decryption import decrypt_for_inbox
from dialogue.vocabulary import EventId, RoomId
from storage import NewInboxEvent


@dataclass
class RoomBatch:
    """One joined room's part of a sync: its events for the inbox, and when the bot joined it if this sync says."""

    events: list[NewInboxEvent] = field(default_factory=list)
    fresh_join_ts: int | None = None
    joined_in_state_ts: int | None = None


@dataclass
class SyncBatch:
    """Everything one sync brought for the inbox, room by room, and the encrypted events still awaiting a key."""

    rooms: dict[RoomId, RoomBatch] = field(default_factory=dict)
    left_rooms: list[RoomId] = field(default_factory=list)
    undecrypted: list[MegolmEvent] = field(default_factory=list)

    @property
    def events(self) -> list[NewInboxEvent]:
        return [event for room in self.rooms.values() for event in room.events]


def server_source(room_id: str, event: Any) -> dict[str, Any]:
    """The JSON of an event the server sent in the clear; the room is where the server delivered it.

    Whatever keys it has, it is stored as not encrypted: only `inbox_event`, for an event it decrypted, says
    otherwise, in the inbox row's column."""
    source = dict(event.source)
    source["room_id"] = room_id
    return source


def inbox_event(client: AsyncClient, room_id: RoomId, event: Any, batch: SyncBatch) -> NewInboxEvent:
    if not isinstance(event, MegolmEvent):
        source = server_source(room_id, event)
        return NewInboxEvent(event_id=EventId(str(source.get("event_id", ""))), room_id=room_id, source=source)
    envelope = server_source(room_id, event)
    event_id = EventId(str(envelope.get("event_id", "")))
    if client.olm is None:
        # Without crypto an encrypted event can never be read; it goes straight to the handlers, which tell
        # the room once that the bot cannot work there.
        return NewInboxEvent(event_id=event_id, room_id=room_id, source=envelope)
    outcome = decrypt_for_inbox(client, event, room_id)
    if outcome.awaiting_key:
        batch.undecrypted.append(event)
        return NewInboxEvent(event_id=event_id, room_id=room_id, source=envelope, awaiting_key=True)
    if outcome.source is None:
        # Stored as ignored (without its source) so a re-delivery is recognised and never handled.
        return NewInboxEvent(event_id=event_id, room_id=room_id, source=envelope, ignored=True)
    return NewInboxEvent(event_id=event_id, room_id=room_id, source=outcome.source, was_encrypted=True)


def is_own_join(source: dict[str, Any], user_id: str, *, require_transition: bool) -> bool:
    """Whether the event is the bot's own join; with `require_transition`, only one that was not already a join."""
    if source.get("type") != "m.room.member" or source.get("state_key") != user_id:
        return False
    content = _mapping(source.get("content"))
    if content.get("membership") != "join":
        return False
    if not require_transition:
        return True
    previous = _mapping(_mapping(source.get("unsigned")).get("prev_content"))
    return previous.get("membership") != "join"


def _mapping(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one: a sender may put anything under any key."""
    return value if isinstance(value, dict) else {}
