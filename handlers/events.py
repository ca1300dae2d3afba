"""A small, typed view of a Matrix event as the handlers need it.

The inbox stores each event's JSON source; handlers work on this view instead of matrix-nio's classes so that every
decision can be tested with a plain dict and no client. Whether an event arrived encrypted and whether the bot's
scheduler made it come from the inbox row's own columns, never from the JSON, which a sender or a server could fill
with anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dialogue.vocabulary import EventId, RoomId, UserId

if TYPE_CHECKING:
    from storage.inbox import Origin


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """One timeline event, decrypted where it was encrypted."""

    event_id: EventId
    room_id: RoomId
    sender: UserId
    type: str
    content: dict[str, Any]
    origin_server_ts: int
    state_key: str | None = None
    was_encrypted: bool = False
    unsigned: dict[str, Any] = field(default_factory=dict)
    redacts: EventId | None = None
    origin: Origin = "sync"

    @classmethod
    def from_source(
        cls, source: dict[str, Any], room_id: RoomId, *, was_encrypted: bool = False, origin: Origin = "sync"
    ) -> InboundEvent:
        """Build the view from an event's JSON source as stored in the inbox.

        `room_id` is the room the server delivered the event in, `was_encrypted` and `origin` what the inbox row
        records (the row's columns, whatever keys the source has). A decrypted event is never a state event nor a
        redaction: those fields are the server's to set, and a decrypted payload is the sender's.
        """
        content = source.get("content")
        state_key = source.get("state_key")
        unsigned = source.get("unsigned")
        return cls(
            event_id=EventId(str(source.get("event_id", ""))),
            room_id=room_id,
            sender=UserId(str(source.get("sender", ""))),
            type=str(source.get("type", "")),
            content=content if isinstance(content, dict) else {},
            origin_server_ts=_timestamp(source.get("origin_server_ts")),
            state_key=state_key if isinstance(state_key, str) and not was_encrypted else None,
            was_encrypted=was_encrypted,
            unsigned=unsigned if isinstance(unsigned, dict) else {},
            redacts=None if was_encrypted else _redaction_target(source),
            origin=origin,
        )

    @property
    def is_state(self) -> bool:
        return self.state_key is not None

    @property
    def msgtype(self) -> str | None:
        value = self.content.get("msgtype")
        return value if isinstance(value, str) else None

    @property
    def body(self) -> str:
        value = self.content.get("body")
        return value if isinstance(value, str) else ""

    @property
    def relation(self) -> dict[str, Any]:
        value = self.content.get("m.relates_to")
        return value if isinstance(value, dict) else {}

    @property
    def relation_type(self) -> str | None:
        value = self.relation.get("rel_type")
        return value if isinstance(value, str) else None

    @property
    def thread_root(self) -> EventId | None:
        """The event ID of the thread's root (for a reply to a challenge, its prompt), None outside a thread."""
        root = self.relation.get("event_id") if self.relation_type == "m.thread" else None
        return EventId(root) if isinstance(root, str) else None

    @property
    def is_edit(self) -> bool:
        return self.relation_type == "m.replace"

    @property
    def is_still_encrypted(self) -> bool:
        """True for a megolm event that could not be decrypted (yet)."""
        return self.type == "m.room.encrypted"


def _timestamp(value: Any) -> int:
    """The event's `origin_server_ts` in milliseconds, 0 when it is missing or not a finite number (a decrypted
    payload or a broken server can send anything; such an event then counts as older than any the bot handles)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0
    return int(value)


def _redaction_target(source: dict[str, Any]) -> EventId | None:
    """Room versions 11+ put `redacts` in the content; older ones at the top level. Accept both."""
    content = source.get("content")
    target = content.get("redacts") if isinstance(content, dict) else None
    target = target or source.get("redacts")
    return EventId(target) if isinstance(target, str) else None
