"""The secretariat's own wording for the draft: a theme's statement, a challenge's lead paragraph, and ways forward.

The ISU or a moderator writes them; the draft uses them instead of the machine's statement, and its method annex
says which statements the secretariat wrote. A theme is named by a reference of one of its contributions (the
references `themes <n>` lists, as `move` names contributions), so its wording follows it through recompilation.
`clear` removes a wording. Text is scrubbed like a contribution before it is stored, against the dialogue room's
members and roster: the secretariat's words reach the same documents, and must not name anyone either. All of it is
deleted by the purge, except as it stands in the adopted synopsis.

Each command acts on the dialogue of the room it is sent in, or on the one named by a leading `dialogue <number>`:
so the secretariat words any dialogue's draft from a direct message with the bot, as it pulls any dialogue's
synopsis. Who may word which dialogue is decided in handlers/access.py, with the rule for pulling.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dialogue.vocabulary import CorrectionKind
from handlers.access import Action, chat_commands, dialogue_facts, not_yours, require_in_chat
from handlers.arguments import contribution_ref, positive_number
from handlers.commands import CommandCall, CommandRefused, UsageError
from handlers.contributions import scrub_context
from handlers.dialogue_commands import challenge_numbered
from handlers.limits import PROMPT_MAX_CHARS
from handlers.replies import Reply
from handlers.synopsis_commands import ForwardRequest, forward_arguments, mark_in, no_contribution
from i18n import bot_marked, bot_text, bot_text_plural
from privacy import prepare, scrub_text

if TYPE_CHECKING:
    from storage import Dialogue, Transaction

WORDING_MAX_CHARS = PROMPT_MAX_CHARS
"""A statement, lead or way forward is a paragraph at most, like a challenge's prompt."""

TOO_LONG = bot_marked("the text is longer than 2,000 characters, the most allowed")
"""Written out, so that it is one message to translate; a test holds it to WORDING_MAX_CHARS."""

CLEAR = "clear"
DIALOGUE = "dialogue"


@dataclass(frozen=True, slots=True)
class ThemeWording:
    ref: str
    text: str | None  # None: clear
    dialogue_id: int | None = None  # named with `dialogue <number>`; None: the room's dialogue


@dataclass(frozen=True, slots=True)
class ChallengeText:
    challenge: int
    text: str | None  # None: clear
    dialogue_id: int | None = None


def named_dialogue(raw: str) -> tuple[int | None, str]:
    """A leading `dialogue <number>` and the rest of the arguments, as written; (None, raw) without it.

    No contribution reference can be the word "dialogue": references are made of letters without I, L and O."""
    parts = raw.strip().split(maxsplit=2)
    if not parts or parts[0].casefold() != DIALOGUE:
        return None, raw
    number = positive_number(parts[1]) if len(parts) > 1 else None
    if number is None:
        raise UsageError(bot_marked("after dialogue, give its number (dialogues lists them)"))
    return number, parts[2] if len(parts) > 2 else ""


def _text(raw: str) -> str | None:
    text = " ".join(raw.split())
    if not text:
        raise UsageError(bot_marked("missing text (or clear)"))
    if text.casefold() == CLEAR:
        return None
    if len(text) > WORDING_MAX_CHARS:
        raise UsageError(TOO_LONG)
    return text


def theme_wording_arguments(raw: str) -> ThemeWording:
    dialogue_id, rest = named_dialogue(raw)
    parts = rest.strip().split(maxsplit=1)
    if len(parts) < 2:
        raise UsageError(bot_marked("give a contribution reference of the theme, then its wording (or clear)"))
    return ThemeWording(contribution_ref(parts[0]), _text(parts[1]), dialogue_id)


def challenge_text_arguments(raw: str) -> ChallengeText:
    dialogue_id, rest = named_dialogue(raw)
    parts = rest.strip().split(maxsplit=1)
    number = positive_number(parts[0]) if parts else None
    if len(parts) < 2 or number is None:
        raise UsageError(bot_marked("give the challenge number, then the text (or clear)"))
    return ChallengeText(number, _text(parts[1]), dialogue_id)


async def _dialogue(call: CommandCall, tx: Transaction, dialogue_id: int | None) -> Dialogue:
    """The named dialogue, or the room's (its active one, else its most recent), if the sender may word it."""
    if dialogue_id is None:
        dialogue = await tx.dialogues.latest_in_room(call.dialogue_room)
        if dialogue is None:
            # A direct message has no dialogue of its own: the secretariat names one.
            raise CommandRefused(
                bot_text(
                    call.language,
                    "No dialogue has been held in this room: name one, as in {example} ({dialogues} lists them).",
                    example=f"{call.prefix} {call.command.name} dialogue <number> …",
                    dialogues=f"{call.prefix} dialogues",
                )
            )
    else:
        dialogue = await tx.dialogues.get(dialogue_id)
        if dialogue is None:
            raise CommandRefused(not_yours(dialogue_id, Action.WORD_DRAFT, chat_commands(call.prefix), call.language))
    await require_in_chat(call, tx, await dialogue_facts(tx, dialogue), Action.WORD_DRAFT)
    return dialogue


async def scrubbed(call: CommandCall, tx: Transaction, dialogue: Dialogue, text: str) -> str:
    """`text` scrubbed against the dialogue room's members and roster (and the room the command came from).

    The dialogue's own room, not the room the command names: from a back-room or a direct message, the people to
    keep out of the text are the dialogue's participants."""
    dialogue_room = call.room if call.room.room_id == dialogue.room_id else call.rooms(dialogue.room_id)
    extra = (call.room,) if dialogue_room is not call.room else ()
    context = scrub_context(dialogue_room or call.room, await tx.roster.scrub_terms(dialogue.id), extra)
    # Building a roster's patterns takes up to seconds; off the loop, as for contributions.
    await asyncio.to_thread(prepare, context)
    return scrub_text(text, context).strip()


async def theme_wording(call: CommandCall[ThemeWording], tx: Transaction) -> Reply:
    request: ThemeWording = call.args
    dialogue = await _dialogue(call, tx, request.dialogue_id)
    contribution = await tx.contributions.by_ref(dialogue.id, request.ref)
    language = call.language
    if contribution is None:
        raise no_contribution(language, request.ref)
    ref = contribution.ref
    if request.text is None:
        if not await tx.secretariat_wording.clear_theme(dialogue.id, ref):
            raise CommandRefused(bot_text(language, "The theme of {ref} has no wording of the secretariat.", ref=ref))
        return Reply.plain(bot_text(language, "The theme of {ref} is stated by the machine again.", ref=ref))
    text = await scrubbed(call, tx, dialogue, request.text)
    await tx.secretariat_wording.set_theme(dialogue.id, ref, text, call.now)
    return Reply.plain(bot_text(language, "The theme holding {ref} is now stated as: {text}", ref=ref, text=text))


async def lead(call: CommandCall[ChallengeText], tx: Transaction) -> Reply:
    request: ChallengeText = call.args
    dialogue = await _dialogue(call, tx, request.dialogue_id)
    challenge = await challenge_numbered(call, tx, dialogue, request.challenge)
    language, number = call.language, challenge.number
    if request.text is None:
        if not await tx.secretariat_wording.clear_lead(dialogue.id, number):
            raise CommandRefused(bot_text(language, "Challenge {number} has no lead paragraph.", number=number))
        return Reply.plain(bot_text(language, "Challenge {number} has no lead paragraph any more.", number=number))
    text = await scrubbed(call, tx, dialogue, request.text)
    await tx.secretariat_wording.set_lead(dialogue.id, number, text, call.now)
    return Reply.plain(bot_text(language, "Challenge {number} opens with: {text}", number=number, text=text))


async def written_way_forward(call: CommandCall, tx: Transaction, request: ChallengeText) -> Reply:
    """`way-forward <n> <text>|clear`: a way forward the secretariat writes for challenge n, or none of them."""
    dialogue = await _dialogue(call, tx, request.dialogue_id)
    challenge = await challenge_numbered(call, tx, dialogue, request.challenge)
    language, number = call.language, challenge.number
    if request.text is None:
        if not await tx.secretariat_wording.clear_ways_forward(dialogue.id, number):
            raise CommandRefused(
                bot_text(language, "The secretariat has written no way forward for challenge {number}.", number=number)
            )
        return Reply.plain(
            bot_text(language, "The secretariat's ways forward for challenge {number} are removed.", number=number)
        )
    text = await scrubbed(call, tx, dialogue, request.text)
    count = await tx.secretariat_wording.add_way_forward(dialogue.id, number, text, call.now)
    return Reply.plain(
        # One English sentence for any count; a translation gives each count its form.
        bot_text_plural(
            language,
            "Listed under Suggested ways forward for challenge {number} ({count} written by the secretariat): {text}",
            "Listed under Suggested ways forward for challenge {number} ({count} written by the secretariat): {text}",
            count,
            number=number,
            text=text,
        )
    )


def way_forward_arguments(raw: str) -> ForwardRequest | ChallengeText:
    """`<ref> [off]` (a contribution listed as a way forward, as before) or `<n> <text>|clear` (the secretariat's).

    A reference alone or followed by `off` keeps its old meaning, even when it is all digits; anything else that
    starts with a number is a challenge's written way forward. Either may start with `dialogue <number>`.
    """
    dialogue_id, rest = named_dialogue(raw)
    words = rest.split()
    if len(words) == 1 or (len(words) == 2 and words[1].casefold() == "off"):
        return replace(forward_arguments(rest), dialogue_id=dialogue_id)
    number = positive_number(words[0]) if words else None
    if number is None:
        raise UsageError(
            bot_marked("give a contribution reference [off], or a challenge number and a way forward (or clear)")
        )
    return replace(challenge_text_arguments(rest), dialogue_id=dialogue_id)


async def way_forward(call: CommandCall[ForwardRequest | ChallengeText], tx: Transaction) -> Reply:
    if isinstance(call.args, ChallengeText):
        return await written_way_forward(call, tx, call.args)
    request: ForwardRequest = call.args
    dialogue = await _dialogue(call, tx, request.dialogue_id)
    if request.on:
        listed = bot_marked("Contribution {ref} is listed under Suggested ways forward.")
        return await mark_in(tx, dialogue, request.ref, CorrectionKind.FORWARD, listed, call.now, call.language)
    unlisted = bot_marked("Contribution {ref} is no longer listed under Suggested ways forward.")
    return await mark_in(tx, dialogue, request.ref, CorrectionKind.UNFORWARD, unlisted, call.now, call.language)
