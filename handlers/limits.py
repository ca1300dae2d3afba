"""The most the bot accepts of any input a participant controls, in one place.

Everything here is held in memory or written to the database on a participant's word, so each has a ceiling; a
message or file over one is refused whole, with a reply that names the limit and repeats nothing of the input.
"""

from __future__ import annotations

ROSTER_FILE_MAX_BYTES = 1024 * 1024
"""A roster CSV file (1 MiB holds some 10,000 rows): larger files are refused before or while downloading."""

ROSTER_MAX_ROWS = 5_000
"""Participants in one roster file; far more than a stakeholder dialogue has."""

ROSTER_FIELD_MAX_BYTES = 300
"""One cell of a roster file (a Matrix ID is at most 255 bytes; affiliations are names of States and bodies)."""

CONTRIBUTION_MAX_CHARS = 20_000
"""One contribution (or edit of one), counted on its text before scrubbing: some eight pages of prose."""

TITLE_MAX_CHARS = 200
"""A dialogue's or a challenge's title."""

PROMPT_MAX_CHARS = 2_000
"""A challenge's prompt."""

AFFILIATION_MAX_CHARS = ROSTER_FIELD_MAX_BYTES
"""An affiliation given with `roster set` (the same ceiling as a roster file's cell)."""


def describe_bytes(count: int) -> str:
    """A byte count as people say it: "1 MiB", "300 bytes"."""
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MiB"
    if count >= 1024 and count % 1024 == 0:
        return f"{count // 1024} KiB"
    return f"{count:,} bytes"
