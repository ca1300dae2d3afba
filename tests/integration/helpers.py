"""Small predicates and steps shared by the integration tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import nio


def content_of(event: nio.Event) -> dict[str, Any]:
    content = event.source.get("content")
    return content if isinstance(content, dict) else {}


def replied_to(event: nio.Event) -> str | None:
    """The event ID a message replies to, if any."""
    relation = content_of(event).get("m.relates_to")
    if not isinstance(relation, dict):
        return None
    reply = relation.get("m.in_reply_to")
    return reply.get("event_id") if isinstance(reply, dict) else None


def is_reply_from(sender: str, event_id: str) -> Callable[[nio.Event], bool]:
    return lambda event: event.sender == sender and replied_to(event) == event_id


def is_message_from(sender: str) -> Callable[[nio.Event], bool]:
    return lambda event: event.sender == sender and event.source.get("type") in ("m.room.message", "m.room.encrypted")


def body_of(event: nio.Event) -> str:
    body = content_of(event).get("body")
    return body if isinstance(body, str) else ""


async def invite_bot_and_wait(user: Any, room_id: str, bot_user_id: str) -> None:
    await user.invite(room_id, bot_user_id)
    await user.wait_for_membership(room_id, bot_user_id, "join", timeout=60)
