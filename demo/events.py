"""Predicates over the events a Matrix client receives, for the demo's scripted users and the integration tests'.

Each takes a nio event and reads its JSON defensively: a missing or malformed field means "does not match", never an
exception inside a client's wait.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import nio

from handlers.outgoing import ACKNOWLEDGEMENT

EventPredicate = Callable[[nio.Event], bool]

ACK = ACKNOWLEDGEMENT
"""The reaction with which the bot acknowledges a contribution."""


def content_of(event: nio.Event) -> dict[str, Any]:
    """The event's content, or an empty one if it has none."""
    content = event.source.get("content")
    return content if isinstance(content, dict) else {}


def body_of(event: nio.Event) -> str:
    """The event's text body, or "" if it has none."""
    body = content_of(event).get("body")
    return body if isinstance(body, str) else ""


def replied_to(event: nio.Event) -> str | None:
    """The event ID a message replies to, if any."""
    relation = content_of(event).get("m.relates_to")
    if not isinstance(relation, dict):
        return None
    reply = relation.get("m.in_reply_to")
    return reply.get("event_id") if isinstance(reply, dict) else None


def is_reply_from(sender: str, event_id: str) -> EventPredicate:
    """A message from `sender` in reply to `event_id`."""
    return lambda event: event.sender == sender and replied_to(event) == event_id


def is_message_from(sender: str) -> EventPredicate:
    """Any message from `sender`, encrypted or not."""
    return lambda event: event.sender == sender and event.source.get("type") in ("m.room.message", "m.room.encrypted")


def is_reaction_to(sender: str, event_id: str, key: str | None = None) -> EventPredicate:
    """A reaction from `sender` to `event_id` (with `key`, if given)."""

    def predicate(event: nio.Event) -> bool:
        relation = content_of(event).get("m.relates_to") or {}
        return (
            event.sender == sender
            and event.source.get("type") == "m.reaction"
            and relation.get("event_id") == event_id
            and (key is None or relation.get("key") == key)
        )

    return predicate


def is_ack_of(bot_id: str, event_id: str) -> EventPredicate:
    """The bot's ✅ reaction to `event_id`."""
    return is_reaction_to(bot_id, event_id, ACK)


def is_file_from(bot_id: str, ext: str = "") -> EventPredicate:
    """A file the bot sent, whose name ends in `ext`."""
    return lambda e: e.sender == bot_id and content_of(e).get("msgtype") == "m.file" and body_of(e).endswith(ext)


def is_text(body: str | None = None, *, contains: str | None = None, sender: str | None = None) -> EventPredicate:
    """Predicate: a (decrypted) m.room.message text/notice/emote, optionally matching body/sender."""

    def predicate(event: nio.Event) -> bool:
        if not isinstance(event, nio.RoomMessageText | nio.RoomMessageNotice | nio.RoomMessageEmote):
            return False
        if sender is not None and event.sender != sender:
            return False
        if body is not None and event.body != body:
            return False
        return contains is None or contains in event.body

    return predicate


def is_membership(user_id: str, membership: str = "join") -> EventPredicate:
    """Predicate: an m.room.member timeline event putting `user_id` into `membership`."""

    def predicate(event: nio.Event) -> bool:
        return isinstance(event, nio.RoomMemberEvent) and event.state_key == user_id and event.membership == membership

    return predicate
