"""The secretariat's own wording for the draft: a theme's statement, a challenge's lead paragraph, and ways forward.

The ISU or a moderator writes them; the draft uses them instead of the machine's statement, and its method annex
says which statements the secretariat wrote. A theme is named by a reference of one of its contributions (the
references `themes <n>` lists, as `move` names contributions), so its wording follows it through recompilation.
`clear` removes a wording. Text is scrubbed like a contribution before it is stored: the secretariat's words reach
the same documents, and must not name anyone either. All of it is deleted by the purge, except as it stands in the
adopted synopsis.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.arguments import contribution_ref, small_number
from handlers.commands import CommandCall, CommandRefused, UsageError
from handlers.contributions import scrub_context
from handlers.limits import PROMPT_MAX_CHARS
from handlers.replies import Reply
from handlers.synopsis_commands import ForwardRequest, forward_arguments, room_dialogue
from handlers.synopsis_commands import way_forward as forward_contribution
from privacy import prepare, scrub_text

if TYPE_CHECKING:
    from storage import Challenge, Dialogue, Transaction

WORDING_MAX_CHARS = PROMPT_MAX_CHARS
"""A statement, lead or way forward is a paragraph at most, like a challenge's prompt."""

CLEAR = "clear"


@dataclass(frozen=True, slots=True)
class ThemeWording:
    ref: str
    text: str | None  # None: clear


@dataclass(frozen=True, slots=True)
class ChallengeText:
    challenge: int
    text: str | None  # None: clear


def _text(raw: str) -> str | None:
    text = " ".join(raw.split())
    if not text:
        raise UsageError("missing text (or clear)")
    if text.casefold() == CLEAR:
        return None
    if len(text) > WORDING_MAX_CHARS:
        raise UsageError(f"the text is longer than {WORDING_MAX_CHARS:,} characters, the most allowed")
    return text


def theme_wording_arguments(raw: str) -> ThemeWording:
    parts = raw.strip().split(maxsplit=1)
    if len(parts) < 2:
        raise UsageError("give a contribution reference of the theme, then its wording (or clear)")
    return ThemeWording(contribution_ref(parts[0]), _text(parts[1]))


def challenge_text_arguments(raw: str) -> ChallengeText:
    parts = raw.strip().split(maxsplit=1)
    number = small_number(parts[0]) if parts else None
    if len(parts) < 2 or number is None or number < 1:
        raise UsageError("give the challenge number, then the text (or clear)")
    return ChallengeText(number, _text(parts[1]))


async def _dialogue(call: CommandCall, tx: Transaction) -> Dialogue:
    dialogue = await room_dialogue(call, tx)
    if await tx.synopses.purged_at(dialogue.id) is not None:
        raise CommandRefused("This dialogue was purged: only its adopted synopsis remains.")
    return dialogue


async def _challenge(call: CommandCall, tx: Transaction, dialogue: Dialogue, number: int) -> Challenge:
    challenge = await tx.challenges.by_number(dialogue.id, number)
    if challenge is None:
        raise CommandRefused(f"There is no challenge {number}. {call.prefix} agenda lists them.")
    return challenge


async def scrubbed(call: CommandCall, tx: Transaction, dialogue: Dialogue, text: str) -> str:
    """`text` scrubbed against the dialogue room's members and roster (and the room the command came from)."""
    dialogue_room = call.room if call.room.room_id == call.dialogue_room else call.rooms(call.dialogue_room)
    extra = (call.room,) if dialogue_room is not call.room else ()
    context = scrub_context(dialogue_room or call.room, await tx.roster.scrub_terms(dialogue.id), extra)
    # Building a roster's patterns takes up to seconds; off the loop, as for contributions.
    await asyncio.to_thread(prepare, context)
    return scrub_text(text, context).strip()


async def theme_wording(call: CommandCall, tx: Transaction) -> Reply:
    request: ThemeWording = call.args
    dialogue = await _dialogue(call, tx)
    contribution = await tx.contributions.by_ref(dialogue.id, request.ref)
    if contribution is None:
        raise CommandRefused(f"No contribution {request.ref} in this dialogue.")
    if request.text is None:
        if not await tx.secretariat_wording.clear_theme(dialogue.id, contribution.ref):
            raise CommandRefused(f"The theme of {contribution.ref} has no wording of the secretariat.")
        return Reply.plain(f"The theme of {contribution.ref} is stated by the machine again.")
    text = await scrubbed(call, tx, dialogue, request.text)
    await tx.secretariat_wording.set_theme(dialogue.id, contribution.ref, text, call.now)
    return Reply.plain(f"The theme holding {contribution.ref} is now stated as: {text}")


async def lead(call: CommandCall, tx: Transaction) -> Reply:
    request: ChallengeText = call.args
    dialogue = await _dialogue(call, tx)
    challenge = await _challenge(call, tx, dialogue, request.challenge)
    if request.text is None:
        if not await tx.secretariat_wording.clear_lead(dialogue.id, challenge.number):
            raise CommandRefused(f"Challenge {challenge.number} has no lead paragraph.")
        return Reply.plain(f"Challenge {challenge.number} has no lead paragraph any more.")
    text = await scrubbed(call, tx, dialogue, request.text)
    await tx.secretariat_wording.set_lead(dialogue.id, challenge.number, text, call.now)
    return Reply.plain(f"Challenge {challenge.number} opens with: {text}")


async def written_way_forward(call: CommandCall, tx: Transaction, request: ChallengeText) -> Reply:
    """`way-forward <n> <text>|clear`: a way forward the secretariat writes for challenge n, or none of them."""
    dialogue = await _dialogue(call, tx)
    challenge = await _challenge(call, tx, dialogue, request.challenge)
    if request.text is None:
        if not await tx.secretariat_wording.clear_ways_forward(dialogue.id, challenge.number):
            raise CommandRefused(f"The secretariat has written no way forward for challenge {challenge.number}.")
        return Reply.plain(f"The secretariat's ways forward for challenge {challenge.number} are removed.")
    text = await scrubbed(call, tx, dialogue, request.text)
    count = await tx.secretariat_wording.add_way_forward(dialogue.id, challenge.number, text, call.now)
    return Reply.plain(
        f"Listed under Suggested ways forward for challenge {challenge.number} ({count} written by the "
        f"secretariat): {text}"
    )


def way_forward_arguments(raw: str) -> ForwardRequest | ChallengeText:
    """`<ref> [off]` (a contribution listed as a way forward, as before) or `<n> <text>|clear` (the secretariat's).

    A reference alone or followed by `off` keeps its old meaning, even when it is all digits; anything else that
    starts with a number is a challenge's written way forward.
    """
    words = raw.split()
    if len(words) == 1 or (len(words) == 2 and words[1].casefold() == "off"):
        return forward_arguments(raw)
    number = small_number(words[0]) if words else None
    if number is None or number < 1:
        raise UsageError("give a contribution reference [off], or a challenge number and a way forward (or clear)")
    return challenge_text_arguments(raw)


async def way_forward(call: CommandCall, tx: Transaction) -> Reply:
    if isinstance(call.args, ChallengeText):
        return await written_way_forward(call, tx, call.args)
    return await forward_contribution(call, tx)
