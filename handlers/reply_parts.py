"""Long replies as numbered parts, each well inside the homeserver's size limit for one event.

Synapse refuses an event whose JSON exceeds 65,536 bytes (`M_TOO_LARGE`). A reply carries its text twice (`body`
and the HTML `formatted_body`), and in an encrypted room the whole content is encrypted and base64-encoded (4/3 the
size) inside an event that adds the sender's keys, session and the relation. So a part's content, measured as it is
serialised (HTML-escaped, JSON with every non-ASCII character as `\\uXXXX`, the worst case), may take at most
`PART_BUDGET_BYTES`: encrypted, that is about 32 KB, half the limit, leaving room for the event's own fields and the
server's signatures and hashes.

Parts are cut at paragraph breaks, then line breaks (one item per line in the listings), then spaces, and only as a
last resort inside a word. They are numbered "(1/3)", "(2/3)"…, and queued in order: the outbox sends a room's
messages in the order they were queued.
"""

from __future__ import annotations

import json

from handlers.replies import Reply, text_to_html

PART_BUDGET_BYTES = 24_000
# Everything in a notice's content besides the two texts: msgtype, format, mentions, a reply or thread relation.
_ENVELOPE_BYTES = 1_000
_SEPARATORS = ("\n\n", "\n", " ")


def _json_bytes(text: str) -> int:
    return len(json.dumps(text)) - 2  # ASCII-only JSON, so characters are bytes; minus the quotes


def _cost(text: str) -> int:
    """Bytes `text` adds to a notice's content: once as the body, once as escaped HTML. Additive over text."""
    return _json_bytes(text) + _json_bytes(text_to_html(text))


def fits(reply: Reply, budget: int = PART_BUDGET_BYTES) -> bool:
    html = reply.html if reply.html is not None else text_to_html(reply.text)
    return _json_bytes(reply.text) + _json_bytes(html) + _ENVELOPE_BYTES <= budget


def split_reply(reply: Reply, budget: int = PART_BUDGET_BYTES) -> list[Reply]:
    """`reply` alone if it fits, else numbered plain-text parts that each fit (custom HTML is not cut up)."""
    if fits(reply, budget):
        return [reply]
    room = budget - _ENVELOPE_BYTES - _cost("(9999/9999) ")
    chunks = _pack(reply.text, room, _SEPARATORS)
    return [Reply.plain(f"({index}/{len(chunks)}) {chunk}") for index, chunk in enumerate(chunks, start=1)]


def _pack(text: str, room: int, separators: tuple[str, ...]) -> list[str]:
    """Cut `text` at the coarsest separator possible, joining as many pieces per chunk as fit in `room`."""
    if _cost(text) <= room:
        return [text]
    if not separators:
        return _cut_anywhere(text, room)
    separator, finer = separators[0], separators[1:]
    separator_cost = _cost(separator)
    chunks: list[str] = []
    current: str | None = None
    current_cost = 0
    for unit in text.split(separator):
        pieces = [unit] if _cost(unit) <= room else _pack(unit, room, finer)
        for index, piece in enumerate(pieces):
            piece_cost = _cost(piece)
            # Only a unit's first piece may join the chunk before it: its other pieces were cut at a finer
            # separator, and are already as full as they can be.
            if current is not None and index == 0 and current_cost + separator_cost + piece_cost <= room:
                current += separator + piece
                current_cost += separator_cost + piece_cost
                continue
            if current is not None:
                chunks.append(current)
            current, current_cost = piece, piece_cost
    if current is not None:
        chunks.append(current)
    return chunks


def _cut_anywhere(text: str, room: int) -> list[str]:
    chunks: list[str] = []
    start, used = 0, 0
    for index, character in enumerate(text):
        cost = _cost(character)
        if used + cost > room and index > start:
            chunks.append(text[start:index])
            start, used = index, 0
        used += cost
    chunks.append(text[start:])
    return chunks
