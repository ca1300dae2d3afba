"""Long replies are split into numbered parts that each fit well inside the homeserver's event size limit."""

from __future__ import annotations

import json

from handlers.events import InboundEvent
from handlers.outgoing import queue_reply
from handlers.replies import Reply, notice_content
from handlers.reply_parts import PART_BUDGET_BYTES, split_reply
from storage import Database, RoomMessage

SYNAPSE_EVENT_LIMIT = 65_536


def listing(items: int, length: int = 900) -> str:
    lines = ["Contributions to challenge 1 (reference: text):"]
    lines += [f"C{n:03d}: " + ("lorem ipsum dolor " * 60)[:length] for n in range(items)]
    return "\n".join(lines)


def content_size(reply: Reply) -> int:
    return len(json.dumps(notice_content(reply)).encode())


def test_a_short_reply_is_left_alone() -> None:
    reply = Reply("short", "<b>short</b>")
    assert split_reply(reply) == [reply]


def test_a_long_listing_is_split_at_line_boundaries_into_numbered_parts_that_keep_every_line() -> None:
    text = listing(100)

    parts = split_reply(Reply.plain(text))

    assert len(parts) > 1
    assert [p.text.split(" ", 1)[0] for p in parts] == [f"({n}/{len(parts)})" for n in range(1, len(parts) + 1)]
    assert "\n".join(p.text.split(" ", 1)[1] for p in parts) == text
    assert all(content_size(p) <= PART_BUDGET_BYTES for p in parts)


def test_the_budget_leaves_room_for_encryption() -> None:
    # Megolm ciphertext is base64 (4/3) of the plaintext event, plus keys and the event's own fields.
    assert PART_BUDGET_BYTES * 4 / 3 + 4_000 < SYNAPSE_EVENT_LIMIT * 0.75


def test_characters_that_grow_when_escaped_are_counted_as_they_are_sent() -> None:
    # '<' is 4 bytes in HTML, 'é' 6 bytes in nio's ASCII-only JSON: a budget in characters would overflow.
    text = "\n".join(f"C{n:03d}: " + "<é>" * 300 for n in range(100))

    parts = split_reply(Reply.plain(text))

    assert all(content_size(p) <= PART_BUDGET_BYTES for p in parts)
    assert "\n".join(p.text.split(" ", 1)[1] for p in parts) == text


def test_one_paragraph_longer_than_a_part_is_cut_at_words() -> None:
    text = "Recorded privately, exactly as stored:\n\n" + " ".join(f"word{n}" for n in range(12_000))

    parts = split_reply(Reply.plain(text))

    assert len(parts) > 1 and all(content_size(p) <= PART_BUDGET_BYTES for p in parts)
    assert " ".join(" ".join(p.text.split(" ")[1:]) for p in parts).split() == text.split()


def test_a_formatted_reply_that_must_be_split_falls_back_to_its_plain_text() -> None:
    text = listing(100)
    parts = split_reply(Reply(text, "<ul>" + "<li>x</li>" * 10 + "</ul>"))

    assert all(p.html is None for p in parts) and len(parts) > 1


async def test_the_parts_of_a_reply_are_queued_in_order_each_in_the_same_thread(tmp_path) -> None:
    event = InboundEvent.from_source(
        {
            "event_id": "$ask",
            "sender": "@mod:x",
            "type": "m.room.message",
            "content": {
                "body": "!dialogue contributions 1",
                "m.relates_to": {"rel_type": "m.thread", "event_id": "$root"},
            },
        },
        "!room:x",
    )
    db = await Database.open(tmp_path / "bot.db")
    try:
        async with db.transaction() as tx:
            await queue_reply(tx, event, Reply.plain(listing(100)), 1.0)
        sent = []
        async with db.transaction() as tx:
            while (row := await tx.outbox.next_sendable(2.0)) is not None:
                assert isinstance(row.item, RoomMessage)
                sent.append(row.item.content)
                await tx.outbox.mark_sent(row.txn_id, f"$sent{len(sent)}", 2.0)
    finally:
        await db.close()

    assert len(sent) > 1
    assert [c["body"].split(" ", 1)[0] for c in sent] == [f"({n}/{len(sent)})" for n in range(1, len(sent) + 1)]
    assert all(c["m.relates_to"]["event_id"] == "$root" for c in sent)
    assert all(c["m.relates_to"]["m.in_reply_to"] == {"event_id": "$ask"} for c in sent)
