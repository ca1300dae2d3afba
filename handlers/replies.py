"""Message contents the bot sends: notices with plain and HTML bodies, and reactions.

Replies never carry a reply fallback (the quoted text and the quoted sender's ID): Matrix clients do not need it, and
it would copy a participant's identity into the bot's own message.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from dialogue.vocabulary import EventId
from handlers.events import InboundEvent


@dataclass(frozen=True, slots=True)
class Reply:
    """A notice: plain text for every client, and HTML for those that render it."""

    text: str
    html: str | None = None

    @classmethod
    def plain(cls, text: str) -> Reply:
        return cls(text=text, html=None)


def text_to_html(text: str) -> str:
    """Escape plain text for an HTML body, keeping its line breaks."""
    return html.escape(text).replace("\n", "<br>")


def notice_content(reply: Reply, *, in_reply_to: InboundEvent | None = None) -> dict[str, Any]:
    """The content of an `m.notice` answering `in_reply_to` (in its thread, if it was in one)."""
    content: dict[str, Any] = {
        "msgtype": "m.notice",
        "body": reply.text,
        "format": "org.matrix.custom.html",
        "formatted_body": reply.html if reply.html is not None else text_to_html(reply.text),
        # No mentions: the bot's replies should never ping anyone.
        "m.mentions": {},
    }
    if in_reply_to is not None:
        content["m.relates_to"] = reply_relation(in_reply_to)
    return content


def reply_relation(event: InboundEvent) -> dict[str, Any]:
    """Reply to `event`, staying in its thread when it was sent in one."""
    if event.thread_root is not None:
        return {
            "rel_type": "m.thread",
            "event_id": event.thread_root,
            "is_falling_back": False,
            "m.in_reply_to": {"event_id": event.event_id},
        }
    return {"m.in_reply_to": {"event_id": event.event_id}}


def reaction_content(event_id: EventId, key: str) -> dict[str, Any]:
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}


def edit_content(event_id: EventId, new_content: dict[str, Any]) -> dict[str, Any]:
    """An `m.replace` edit of `event_id` to `new_content`; the outer body, marked "* ", is for clients without edits."""
    fallback = {key: value for key, value in new_content.items() if key != "m.relates_to"}
    return {
        **fallback,
        "body": f"* {new_content.get('body', '')}",
        "formatted_body": f"* {new_content.get('formatted_body', '')}",
        "m.new_content": fallback,
        "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
    }


def replied_event_id(event: InboundEvent) -> str | None:
    """The event `event` answers (`m.in_reply_to`), if any."""
    in_reply_to = event.relation.get("m.in_reply_to")
    target = in_reply_to.get("event_id") if isinstance(in_reply_to, dict) else None
    return target if isinstance(target, str) else None
