"""Guided themes: the secretariat's expected themes (headings) per challenge, and turning a machine theme into one.

A challenge with headings is compiled with each contribution under the heading it is closest to
(`synopsis.guided`); what no heading takes keeps the machine grouping. Headings belong to the room's dialogue (its
active one, or else its latest, as for the other synopsis commands) and are referred to by challenge number and
position (1, 2, …).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.access import PURGED_DRAFT
from handlers.arguments import positive_number
from handlers.commands import CommandCall, CommandRefused, UsageError
from handlers.dialogue_commands import challenge_numbered
from handlers.limits import TITLE_MAX_CHARS
from handlers.replies import Reply
from handlers.synopsis_commands import compiled, no_such_theme, room_dialogue, section_numbered
from i18n import bot_marked, bot_text

if TYPE_CHECKING:
    from storage import Challenge, Dialogue, Transaction

HEADING_MAX_CHARS = TITLE_MAX_CHARS * 2
"""A heading is a line or a sentence, like the considerations in a synopsis; longer is a prompt, not a heading."""

HEADING_TOO_LONG = bot_marked("the heading is longer than 400 characters, the most allowed")
"""Written out, so that it is one message to translate; a test holds it to HEADING_MAX_CHARS."""

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


_IS_A_NUMBER = {
    "challenge": bot_marked("the challenge is a number"),
    "heading number": bot_marked("the heading number is a number"),
    "number": bot_marked("the number is a number"),
}


def _positive(word: str, what: str) -> int:
    number = positive_number(word)
    if number is None:
        raise UsageError(_IS_A_NUMBER[what])
    return number


def _heading(text: str) -> str:
    heading = " ".join(text.split())
    if not heading:
        raise UsageError(bot_marked("missing heading"))
    if len(heading) > HEADING_MAX_CHARS:
        raise UsageError(HEADING_TOO_LONG)
    return heading


def add_arguments(raw: str) -> HeadingText:
    parts = raw.strip().split(maxsplit=1)
    if len(parts) < 2:
        raise UsageError(bot_marked("give the challenge number, then the heading"))
    return HeadingText(_positive(parts[0], "challenge"), _heading(parts[1]))


def edit_arguments(raw: str) -> HeadingEdit:
    parts = raw.strip().split(maxsplit=2)
    if len(parts) < 3:
        raise UsageError(bot_marked("give the challenge number, the heading's number, then the new heading"))
    return HeadingEdit(_positive(parts[0], "challenge"), _positive(parts[1], "heading number"), _heading(parts[2]))


def ref_arguments(raw: str) -> HeadingRef:
    words = raw.split()
    if len(words) != 2:
        raise UsageError(bot_marked("give the challenge number and a number from its list"))
    return HeadingRef(_positive(words[0], "challenge"), _positive(words[1], "number"))


async def _challenge(call: CommandCall, tx: Transaction, number: int) -> tuple[Dialogue, Challenge]:
    dialogue = await room_dialogue(call, tx)
    if await tx.synopses.purged_at(dialogue.id) is not None:
        raise CommandRefused(bot_text(call.language, PURGED_DRAFT))
    return dialogue, await challenge_numbered(call, tx, dialogue, number)


async def _append(call: CommandCall, tx: Transaction, challenge: Challenge, heading: str) -> int:
    if len(await tx.theme_headings.list(challenge.id)) >= MAX_HEADINGS:
        raise CommandRefused(
            bot_text(
                call.language,
                "Challenge {number} already has {most} headings, the most allowed.",
                number=challenge.number,
                most=MAX_HEADINGS,
            )
        )
    return await tx.theme_headings.add(challenge.id, heading, call.now)


async def theme_add(call: CommandCall[HeadingText], tx: Transaction) -> Reply:
    request: HeadingText = call.args
    _, challenge = await _challenge(call, tx, request.challenge)
    position = await _append(call, tx, challenge, request.heading)
    return Reply.plain(
        bot_text(
            call.language,
            "Challenge {number} has heading {position}: {heading}. Contributions close to it are listed under it in "
            "the draft ({themes}).",
            number=challenge.number,
            position=position,
            heading=request.heading,
            themes=f"{call.prefix} themes {challenge.number}",
        )
    )


async def theme_edit(call: CommandCall[HeadingEdit], tx: Transaction) -> Reply:
    request: HeadingEdit = call.args
    _, challenge = await _challenge(call, tx, request.challenge)
    if not await tx.theme_headings.edit(challenge.id, request.position, request.heading):
        raise CommandRefused(_no_heading(call, challenge, request.position))
    return Reply.plain(
        bot_text(
            call.language,
            "Heading {position} of challenge {number} is now: {heading}.",
            position=request.position,
            number=challenge.number,
            heading=request.heading,
        )
    )


async def theme_remove(call: CommandCall[HeadingRef], tx: Transaction) -> Reply:
    request: HeadingRef = call.args
    _, challenge = await _challenge(call, tx, request.challenge)
    if not await tx.theme_headings.remove(challenge.id, request.position):
        raise CommandRefused(_no_heading(call, challenge, request.position))
    return Reply.plain(
        bot_text(
            call.language,
            "Heading {position} of challenge {number} is removed; the headings after it moved up.",
            position=request.position,
            number=challenge.number,
        )
    )


def _no_heading(call: CommandCall, challenge: Challenge, position: int) -> str:
    return bot_text(
        call.language,
        "Challenge {number} has no heading {position}. {themes} lists them.",
        number=challenge.number,
        position=position,
        themes=f"{call.prefix} themes {challenge.number}",
    )


async def theme_adopt(call: CommandCall[HeadingRef], tx: Transaction) -> Reply:
    """Turn machine theme n of a challenge into a heading: its keywords become the heading's words."""
    request: HeadingRef = call.args
    dialogue, challenge = await _challenge(call, tx, request.challenge)
    section = section_numbered(await compiled(call, tx, dialogue), challenge.number, call.language)
    theme = next((item for item in section.themes if item.number == request.position), None)
    if theme is None:
        raise no_such_theme(call.language, challenge.number, section)
    if theme.heading is not None:
        raise CommandRefused(
            bot_text(
                call.language,
                "Theme {theme} of challenge {number} is already a heading.",
                theme=theme.number,
                number=challenge.number,
            )
        )
    heading = _heading(theme.label)
    position = await _append(call, tx, challenge, heading)
    return Reply.plain(
        bot_text(
            call.language,
            "Challenge {number} has heading {position}: {heading}. Refine its wording with {edit}.",
            number=challenge.number,
            position=position,
            heading=heading,
            edit=f"{call.prefix} theme edit {challenge.number} {position} <heading>",
        )
    )
