"""Which thread an inbound message was sent in: one rule for filing a contribution and for replying in place."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.events import InboundEvent
from handlers.replies import reply_relation


def message(relation: Any) -> InboundEvent:
    content: dict[str, Any] = {"msgtype": "m.text", "body": "a point"}
    if relation is not None:
        content["m.relates_to"] = relation
    return InboundEvent.from_source(
        {"event_id": "$reply", "sender": "@p:example.org", "type": "m.room.message", "content": content},
        "!r:example.org",
    )


def test_a_message_in_a_thread_names_the_threads_root() -> None:
    event = message({"rel_type": "m.thread", "event_id": "$prompt", "is_falling_back": True})
    assert event.thread_root == "$prompt"


@pytest.mark.parametrize(
    "relation",
    [
        None,
        "not a relation",
        {"m.in_reply_to": {"event_id": "$other"}},
        {"rel_type": "m.replace", "event_id": "$prompt"},
        {"rel_type": "m.thread"},
        {"rel_type": "m.thread", "event_id": 7},
    ],
)
def test_a_message_outside_a_thread_or_with_a_broken_relation_has_no_root(relation: Any) -> None:
    assert message(relation).thread_root is None


def test_a_reply_stays_in_the_thread_the_message_was_sent_in() -> None:
    relation = reply_relation(message({"rel_type": "m.thread", "event_id": "$prompt"}))
    assert relation == {
        "rel_type": "m.thread",
        "event_id": "$prompt",
        "is_falling_back": False,
        "m.in_reply_to": {"event_id": "$reply"},
    }


def test_a_reply_outside_a_thread_only_quotes_the_message() -> None:
    assert reply_relation(message({"rel_type": "m.thread", "event_id": 7})) == {"m.in_reply_to": {"event_id": "$reply"}}
