"""Long replies are split into numbered parts that each fit well inside the homeserver's event size limit."""

from __future__ import annotations

import json

from handlers.replies import Reply, notice_content
from handlers.reply_parts import PART_BUDGET_BYTES, split_reply

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
