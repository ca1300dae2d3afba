"""Guided themes: the secretariat's expected themes (headings) per challenge, and turning a machine theme into one.

A challenge with headings is compiled with each contribution under the heading it is closest to
(`synopsis.guided`); what no heading takes keeps the machine grouping. Headings belong to the room's dialogue (its
active one, or else its latest, as for the other synopsis commands) and are referred to by challenge number and
position (1, 2, …).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.arguments import small_number
from handlers.commands import CommandCall, CommandRefused, UsageError
from handlers.limits import TITLE_MAX_CHARS
from handlers.replies import Reply
from handlers.synopsis_commands import compiled, room_dialogue, section_numbered

if TYPE_CHECKING:
    from storage import Challenge, Dialogue, Transaction

HEADING_MAX_CHARS = TITLE_MAX_CHARS * 2
"""A heading is a line or a sentence, like the considerations in a synopsis; longer is a prompt, not a heading."""

MAX_HEADINGS = 30  # per challenge: more would be a document, not a list of expected themes


@dataclass(frozen=True, slots=True)
class HeadingText:
    challenge: int
    heading: str


@dataclass(frozen=True, slots=True)
class HeadingEdit:
    challenge: int
    position: int
    heading: str


@dataclass(frozen=True, slots=True)
class HeadingRef:
    challenge: int
    position: int


def _positive(word: str, what: str) -> int:
    number = small_number(word)
    if number is None or number < 1:
        raise UsageError(f"the {what} is a number")
    return number


def _heading(text: str) -> str:
    heading = " ".join(text.split())
    if not heading:
        raise UsageError("missing heading")
    if len(heading) > HEADING_MAX_CHARS:
        raise UsageError(f"the heading is longer than {HEADING_MAX_CHARS:,} characters, the most allowed")
    return heading


def add_arguments(raw: str) -> HeadingText:
    parts = raw.strip().split(maxsplit=1)
    if len(parts) < 2:
        raise UsageError("give the challenge number, then the heading")
    return HeadingText(_positive(parts[0], "challenge"), _heading(parts[1]))


def edit_arguments(raw: str) -> HeadingEdit:
    parts = raw.strip().split(maxsplit=2)
    if len(parts) < 3:
        raise UsageError("give the challenge number, the heading's number, then the new heading")
    return HeadingEdit(_positive(parts[0], "challenge"), _positive(parts[1], "heading number"), _heading(parts[2]))


def ref_arguments(raw: str) -> HeadingRef:
    words = raw.split()
    if len(words) != 2:
        raise UsageError("give the challenge number and a number from its list")
    return HeadingRef(_positive(words[0], "challenge"), _positive(words[1], "number"))


async def _challenge(call: CommandCall, tx: Transaction, number: int) -> tuple[Dialogue, Challenge]:
    dialogue = await room_dialogue(call, tx)
    if await tx.synopses.purged_at(dialogue.id) is not None:
        raise CommandRefused("This dialogue was purged: only its adopted synopsis remains.")
    challenge = await tx.challenges.by_number(dialogue.id, number)
    if challenge is None:
        raise CommandRefused(f"There is no challenge {number}. {call.prefix} agenda lists them.")
    return dialogue, challenge


async def _append(call: CommandCall, tx: Transaction, challenge: Challenge, heading: str) -> int:
    if len(await tx.theme_headings.list(challenge.id)) >= MAX_HEADINGS:
        raise CommandRefused(f"Challenge {challenge.number} already has {MAX_HEADINGS} headings, the most allowed.")
    return await tx.theme_headings.add(challenge.id, heading, call.now)


async def theme_add(call: CommandCall, tx: Transaction) -> Reply:
    request: HeadingText = call.args
    _, challenge = await _challenge(call, tx, request.challenge)
    position = await _append(call, tx, challenge, request.heading)
    return Reply.plain(
        f"Challenge {challenge.number} has heading {position}: {request.heading}. Contributions close to it are "
        f"listed under it in the draft ({call.prefix} themes {challenge.number})."
    )


async def theme_edit(call: CommandCall, tx: Transaction) -> Reply:
    request: HeadingEdit = call.args
    _, challenge = await _challenge(call, tx, request.challenge)
    if not await tx.theme_headings.edit(challenge.id, request.position, request.heading):
        raise CommandRefused(_no_heading(call, challenge, request.position))
    return Reply.plain(f"Heading {request.position} of challenge {challenge.number} is now: {request.heading}.")


async def theme_remove(call: CommandCall, tx: Transaction) -> Reply:
    request: HeadingRef = call.args
    _, challenge = await _challenge(call, tx, request.challenge)
    if not await tx.theme_headings.remove(challenge.id, request.position):
        raise CommandRefused(_no_heading(call, challenge, request.position))
    return Reply.plain(
        f"Heading {request.position} of challenge {challenge.number} is removed; the headings after it moved up."
    )


def _no_heading(call: CommandCall, challenge: Challenge, position: int) -> str:
    return (
        f"Challenge {challenge.number} has no heading {position}. {call.prefix} themes {challenge.number} lists them."
    )


async def theme_adopt(call: CommandCall, tx: Transaction) -> Reply:
    """Turn machine theme n of a challenge into a heading: its keywords become the heading's words."""
    request: HeadingRef = call.args
    dialogue, challenge = await _challenge(call, tx, request.challenge)
    section = section_numbered(await compiled(call, tx, dialogue), challenge.number)
    theme = next((item for item in section.themes if item.number == request.position), None)
    if theme is None:
        raise CommandRefused(f"Challenge {challenge.number} has themes 1 to {len(section.themes)}.")
    if theme.heading is not None:
        raise CommandRefused(f"Theme {theme.number} of challenge {challenge.number} is already a heading.")
    heading = _heading(theme.label)
    position = await _append(call, tx, challenge, heading)
    return Reply.plain(
        f"Challenge {challenge.number} has heading {position}: {heading}. Refine its wording with "
        f"{call.prefix} theme edit {challenge.number} {position} <heading>."
    )
