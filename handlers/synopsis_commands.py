"""The draft synopsis in chat: look at its themes, correct them, pull the document, adopt it, and purge the rest.

Corrections are stored by contribution reference, so they hold when the draft is compiled again with more
contributions. The document goes out as a file through the outbox (the sender uploads it, encrypted in an encrypted
room); nothing in it names anyone. Compiling and rendering are slow work, done outside the event's transaction
(handlers/slow_work.py): a command that needs them is run again once they are done, and re-reads everything then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dialogue.vocabulary import CorrectionKind, DialogueState
from handlers.access import NO_DIALOGUE_TO_PULL, PURGED_DRAFT, Action, dialogue_facts, pull_action, require_in_chat
from handlers.arguments import contribution_ref, positive_number, small_number
from handlers.commands import CommandCall, CommandRefused, UsageError
from handlers.confirmation import Confirmation, confirmation_step
from handlers.outgoing import queue_file, queue_media_deletion, queue_reply
from handlers.replies import Reply
from handlers.slow_work import CompiledSynopsis
from handlers.synopsis_input import synopsis_input_for
from handlers.synopsis_rules import adopted_file_name, correction_target, merged_refs, pullable_dialogues
from i18n import COMPLETE_LANGUAGES, bot_marked, bot_text, bot_text_plural
from synopsis.model import FROM_SECRETARIAT, ChallengeSection, Synopsis
from synopsis.render import FORMATS, MIME_TYPES, filename_for

if TYPE_CHECKING:
    from storage import Dialogue, Transaction

PURGE_ACTION = "purge"
PURGE_WINDOW_SECONDS = 300.0

SYNOPSIS_USAGE = bot_marked(
    "give a dialogue number, adopted, a format (md, docx, json) and/or the draft's language (en, fr, es)"
)
"""Written out rather than built from FORMATS and COMPLETE_LANGUAGES, so that it is one message to translate; a test
holds it to both."""

DIALOGUE_STATES = {DialogueState.ACTIVE: bot_marked("active"), DialogueState.ENDED: bot_marked("ended")}
"""A dialogue's state as shown to a reader (the stored values are English words)."""


async def room_dialogue(call: CommandCall, tx: Transaction) -> Dialogue:
    """The room's active dialogue, or else its most recent one (a synopsis is often wanted after the end)."""
    dialogue = await tx.dialogues.latest_in_room(call.dialogue_room)
    if dialogue is None:
        raise CommandRefused(bot_text(call.language, "No dialogue has been held in this room."))
    return dialogue


async def compiled(call: CommandCall, tx: Transaction, dialogue: Dialogue) -> Synopsis:
    return (await compiled_and_rendered(call, tx, dialogue)).synopsis


async def compiled_and_rendered(
    call: CommandCall, tx: Transaction, dialogue: Dialogue, formats: tuple[str, ...] = (), language: str | None = None
) -> CompiledSynopsis:
    """The draft as the stored material stands now, and its documents in `formats` and `language` (None: the
    dialogue's own)."""
    if await tx.synopses.purged_at(dialogue.id) is not None:
        raise CommandRefused(bot_text(call.language, PURGED_DRAFT))
    data = await synopsis_input_for(tx, dialogue, call.settings, language=language)
    return await call.slow_work.compile_synopsis(data, call.settings.synopsis, formats)


def section_numbered(synopsis: Synopsis, number: int, language: str | None = None) -> ChallengeSection:
    """Challenge `number`'s section of the draft; refused (in `language`) when there is none."""
    for section in synopsis.sections:
        if section.number == number:
            return section
    raise CommandRefused(bot_text(language, "There is no challenge {number}.", number=number))


def no_such_theme(language: str | None, challenge: int, section: ChallengeSection) -> CommandRefused:
    return CommandRefused(
        bot_text(language, "Challenge {number} has themes 1 to {last}.", number=challenge, last=len(section.themes))
    )


# ------------------------------------------------------------------ themes and corrections


async def themes(call: CommandCall[int], tx: Transaction) -> Reply:
    dialogue = await room_dialogue(call, tx)
    language = call.language
    section = section_numbered(await compiled(call, tx, dialogue), call.args, language)
    if not section.themes and not section.other_points:
        return Reply.plain(
            bot_text(language, "Challenge {number} has no contributions in the draft.", number=section.number)
        )
    lines = [
        bot_text(language, "Draft themes of challenge {number} (number. keywords — references):", number=section.number)
    ]
    for theme in section.themes:
        label = bot_text(language, "[heading] {heading}", heading=theme.heading) if theme.heading else theme.label
        lines.append(f"{theme.number}. {label} — {', '.join(theme.refs)}")
        if theme.wording_source == FROM_SECRETARIAT:
            lines.append(_worded(language, theme.wording))
    if section.other_points:
        refs = "; ".join(", ".join(point.refs) for point in section.other_points)
        lines.append(bot_text(language, "Other points raised: {references}", references=refs))
        for point in section.other_points:
            if point.wording_source == FROM_SECRETARIAT:
                lines.append(f"{', '.join(point.refs)}: " + _worded(language, point.wording).lstrip())
    lines.append(bot_text(language, "Correct with {prefix} merge, move, exclude or include.", prefix=call.prefix))
    if any(theme.heading is None for theme in section.themes):
        lines.append(
            bot_text(
                language,
                "Make a machine theme a heading with {adopt}, or add your own with {add}.",
                adopt=f"{call.prefix} theme adopt {section.number} <number>",
                add=f"{call.prefix} theme add {section.number} <heading>",
            )
        )
    return Reply.plain("\n".join(lines))


def _worded(language: str | None, wording: str) -> str:
    """The line under a theme the secretariat re-worded (`theme wording`): the draft's body prints this instead."""
    return "   " + bot_text(language, 'worded by the secretariat: "{wording}"', wording=wording)


@dataclass(frozen=True, slots=True)
class MergeRequest:
    challenge: int
    first: int
    second: int


def merge_arguments(raw: str) -> MergeRequest:
    words = raw.split()
    numbers = [positive_number(words[0]), *(small_number(word) for word in words[1:])] if words else []
    if len(numbers) != 3 or None in numbers:
        raise UsageError(bot_marked("give the challenge number and two theme numbers"))
    challenge, first, second = (number for number in numbers if number is not None)
    if first == second:
        raise UsageError(bot_marked("the two themes must differ"))
    return MergeRequest(challenge, first, second)


async def merge(call: CommandCall[MergeRequest], tx: Transaction) -> Reply:
    dialogue = await room_dialogue(call, tx)
    request: MergeRequest = call.args
    section = section_numbered(await compiled(call, tx, dialogue), request.challenge, call.language)
    refs = merged_refs(section, request.first, request.second)
    if refs is None:
        raise no_such_theme(call.language, request.challenge, section)
    await tx.synopses.add_correction(dialogue.id, CorrectionKind.JOIN, *refs, call.now)
    return Reply.plain(
        bot_text(
            call.language,
            "Themes {first} and {second} of challenge {number} are now one.",
            first=request.first,
            second=request.second,
            number=request.challenge,
        )
    )


@dataclass(frozen=True, slots=True)
class MoveRequest:
    ref: str
    theme: int | None  # None: a theme of its own


def move_arguments(raw: str) -> MoveRequest:
    words = raw.split()
    if len(words) != 2:
        raise UsageError(bot_marked("give a contribution reference and a theme number, or new"))
    if words[1].casefold() == "new":
        return MoveRequest(words[0].upper(), None)
    theme = small_number(words[1])
    if theme is None:
        raise UsageError(bot_marked("the theme is a number, or new"))
    return MoveRequest(contribution_ref(words[0]), theme)


async def move(call: CommandCall[MoveRequest], tx: Transaction) -> Reply:
    dialogue = await room_dialogue(call, tx)
    request: MoveRequest = call.args
    contribution = await tx.contributions.by_ref(dialogue.id, request.ref)
    if contribution is None:
        raise no_contribution(call.language, request.ref)
    challenge = await tx.challenges.get(contribution.challenge_id)
    assert challenge is not None
    target = None
    if request.theme is not None:
        section = section_numbered(await compiled(call, tx, dialogue), challenge.number, call.language)
        target = correction_target(section, request.theme)
        if target is None:
            raise no_such_theme(call.language, challenge.number, section)
    await tx.synopses.add_correction(dialogue.id, CorrectionKind.MOVE, contribution.ref, target, call.now)
    if target is None:
        moved = bot_marked("Contribution {ref} moved to a theme of its own of challenge {number}.")
    else:
        moved = bot_marked("Contribution {ref} moved to theme {theme} of challenge {number}.")
    return Reply.plain(
        bot_text(call.language, moved, ref=contribution.ref, theme=request.theme, number=challenge.number)
    )


def no_contribution(language: str | None, ref: str) -> CommandRefused:
    return CommandRefused(bot_text(language, "No contribution {ref} in this dialogue.", ref=ref))


async def _mark(call: CommandCall[str], tx: Transaction, ref: str, kind: CorrectionKind, done: str) -> Reply:
    return await mark_in(tx, await room_dialogue(call, tx), ref, kind, done, call.now, call.language)


async def mark_in(
    tx: Transaction,
    dialogue: Dialogue,
    ref: str,
    kind: CorrectionKind,
    done: str,
    now: float,
    language: str | None = None,
) -> Reply:
    """Record a correction of `kind` on contribution `ref` of `dialogue`; the reply is `done` (a marked message
    with `{ref}`) in `language`."""
    contribution = await tx.contributions.by_ref(dialogue.id, ref)
    if contribution is None:
        raise no_contribution(language, ref)
    await tx.synopses.add_correction(dialogue.id, kind, contribution.ref, None, now)
    return Reply.plain(bot_text(language, done, ref=contribution.ref))


async def exclude(call: CommandCall[str], tx: Transaction) -> Reply:
    return await _mark(
        call, tx, call.args, CorrectionKind.EXCLUDE, bot_marked("Contribution {ref} is left out of the synopsis.")
    )


async def include(call: CommandCall[str], tx: Transaction) -> Reply:
    return await _mark(
        call, tx, call.args, CorrectionKind.INCLUDE, bot_marked("Contribution {ref} is back in the synopsis.")
    )


@dataclass(frozen=True, slots=True)
class ForwardRequest:
    ref: str
    on: bool
    dialogue_id: int | None = None  # named by the secretariat (`way-forward dialogue <d> …`); else the room's


def forward_arguments(raw: str) -> ForwardRequest:
    words = raw.split()
    if len(words) == 2 and words[1].casefold() == "off":
        return ForwardRequest(contribution_ref(words[0]), False)
    return ForwardRequest(contribution_ref(raw), True)


# ------------------------------------------------------------------ the document


@dataclass(frozen=True, slots=True)
class SynopsisRequest:
    dialogue_id: int | None
    fmt: str
    adopted: bool = False  # the adopted synopsis, not the draft (which is what a purged dialogue gives anyway)
    language: str | None = None  # the draft's language; None: the dialogue's own


def synopsis_arguments(raw: str) -> SynopsisRequest:
    dialogue_id, fmt, adopted, language = None, "md", False, None
    for word in raw.split():
        if word.casefold() in FORMATS:
            fmt = word.casefold()
        elif word.casefold() == "adopted":
            adopted = True
        elif word.casefold() in COMPLETE_LANGUAGES:
            language = word.casefold()
        elif small_number(word) is not None and dialogue_id is None:
            dialogue_id = small_number(word)
        else:
            raise UsageError(SYNOPSIS_USAGE)
    if adopted and language is not None:
        raise UsageError(
            bot_marked("the adopted synopsis stays in the language it was adopted in: leave out the language")
        )
    return SynopsisRequest(dialogue_id, fmt, adopted, language)


async def send_synopsis(call: CommandCall[SynopsisRequest], tx: Transaction) -> Reply | None:
    request: SynopsisRequest = call.args
    if request.dialogue_id is None:
        dialogue = await room_dialogue(call, tx)
    else:
        dialogue_or_none = await tx.dialogues.get(request.dialogue_id)
        if dialogue_or_none is None:
            raise CommandRefused(
                bot_text(
                    call.language,
                    NO_DIALOGUE_TO_PULL,
                    number=request.dialogue_id,
                    dialogues=f"{call.prefix} dialogues",
                )
            )
        dialogue = dialogue_or_none
    facts = await dialogue_facts(tx, dialogue)
    action = Action.PULL_ADOPTED if request.adopted else pull_action(facts)
    await require_in_chat(call, tx, facts, action)
    if action is Action.PULL_ADOPTED:
        adopted = await tx.synopses.adopted(dialogue.id)
        assert adopted is not None  # the rules allow pulling it only once there is one
        data, name = adopted.rendered(request.fmt), adopted_file_name(dialogue.id, request.fmt)
    else:
        draft = await compiled_and_rendered(call, tx, dialogue, (request.fmt,), request.language)
        data, name = draft.rendered[request.fmt], filename_for(draft.synopsis, request.fmt)
    await queue_file(
        tx,
        call.answer_destination,
        name,
        MIME_TYPES[request.fmt],
        data,
        call.now,
        dialogue_id=dialogue.id,
    )
    return None


async def list_dialogues(call: CommandCall[None], tx: Transaction) -> Reply:
    dialogues = pullable_dialogues(
        await tx.dialogues.all(), sender_is_isu=call.sender_is_isu, room_id=call.dialogue_room
    )
    language = call.language
    if not dialogues:
        return Reply.plain(bot_text(language, "No dialogues you may pull."))
    lines = [bot_text(language, "Dialogues (number. title, state):")]
    lines += [
        f"{dialogue.id}. {dialogue.title} ({bot_text(language, DIALOGUE_STATES.get(dialogue.state, dialogue.state))})"
        for dialogue in dialogues
    ]
    lines.append(
        bot_text(language, "Pull one with {command}.", command=f"{call.prefix} synopsis <number> [md|docx|json]")
    )
    return Reply.plain("\n".join(lines))


async def adopt(call: CommandCall[None], tx: Transaction) -> Reply:
    dialogue = await room_dialogue(call, tx)
    await require_in_chat(call, tx, await dialogue_facts(tx, dialogue), Action.ADOPT)
    draft = await compiled_and_rendered(call, tx, dialogue, ADOPTED_FORMATS)
    await record_adoption(tx, dialogue.id, draft.rendered, call.now)
    return Reply.plain(
        bot_text(
            call.language,
            "The current draft of “{title}” is stored as the adopted synopsis. Once the dialogue has ended, "
            "{purge} deletes the raw contributions and keeps only this.",
            title=dialogue.title,
            purge=f"{call.prefix} purge",
        )
    )


ADOPTED_FORMATS = ("md", "docx", "json")


async def record_adoption(tx: Transaction, dialogue_id: int, rendered: Mapping[str, bytes], now: float) -> None:
    """Store the draft rendered in every format as the adopted synopsis (in chat and from the command line)."""
    markdown, docx, json = (rendered[fmt] for fmt in ADOPTED_FORMATS)
    await tx.synopses.adopt(dialogue_id, now, markdown, docx, json)
    await tx.synopses.audit(dialogue_id, "synopsis adopted", now)


async def purge(call: CommandCall[bool], tx: Transaction) -> Reply | None:
    dialogue = await room_dialogue(call, tx)
    await require_in_chat(call, tx, await dialogue_facts(tx, dialogue), Action.PURGE)
    asked = await confirmation_step(
        call,
        tx,
        Confirmation(f"purge:{dialogue.id}", PURGE_ACTION, PURGE_WINDOW_SECONDS),
        ask=bot_text(
            call.language,
            "This permanently deletes every contribution, support, the roster and the dialogue's secret, keeping "
            "only the adopted synopsis. To confirm, send {confirm} within 5 minutes.",
            confirm=f"{call.prefix} purge confirm",
        ),
        not_asked=bot_text(call.language, "Nothing to confirm: send {purge} first.", purge=f"{call.prefix} purge"),
    )
    if asked is not None:
        return asked
    await tx.synopses.purge(dialogue.id, call.now)
    uploads = await tx.media.for_dialogue(dialogue.id)
    if not uploads:
        return Reply.plain(
            bot_text(
                call.language,
                "Purged. Only the adopted synopsis and an audit record (without content or people) remain.",
            )
        )
    # Deleting files is I/O, which the sender does; the reply goes first, the outcome follows it in the room.
    await queue_reply(
        tx,
        call.event,
        Reply.plain(
            # The English is the same for one file and several ("file(s)"); a translation gives each its form.
            bot_text_plural(
                call.language,
                "Purged. Only the adopted synopsis and an audit record (without content or people) remain. The "
                "{count} synopsis file(s) the bot uploaded are still in the homeserver's media store: the bot is "
                "asking the homeserver to delete them (this needs the bot to be a server admin) and will say here "
                "how that went.",
                "Purged. Only the adopted synopsis and an audit record (without content or people) remain. The "
                "{count} synopsis file(s) the bot uploaded are still in the homeserver's media store: the bot is "
                "asking the homeserver to delete them (this needs the bot to be a server admin) and will say here "
                "how that went.",
                len(uploads),
            )
        ),
        call.now,
    )
    await queue_media_deletion(tx, call.room.room_id, uploads, call.now, dialogue.language)
    return None
