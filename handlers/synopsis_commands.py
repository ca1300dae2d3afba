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

from handlers.access import Action, dialogue_facts, pull_action, require_in_chat
from handlers.arguments import contribution_ref, small_number
from handlers.commands import CommandCall, CommandRefused, UsageError
from handlers.outgoing import queue_file, queue_media_deletion, queue_reply
from handlers.replies import Reply
from handlers.slow_work import CompiledSynopsis
from handlers.synopsis_input import gather_synopsis_input
from i18n import COMPLETE_LANGUAGES
from synopsis.model import FROM_SECRETARIAT, ChallengeSection, Synopsis
from synopsis.render import FORMATS, MIME_TYPES, filename_for

if TYPE_CHECKING:
    from storage import Dialogue, Transaction

PURGE_ACTION = "purge"
PURGE_WINDOW_SECONDS = 300.0


async def room_dialogue(call: CommandCall, tx: Transaction) -> Dialogue:
    """The room's active dialogue, or else its most recent one (a synopsis is often wanted after the end)."""
    dialogue = await tx.dialogues.latest_in_room(call.dialogue_room)
    if dialogue is None:
        raise CommandRefused("No dialogue has been held in this room.")
    return dialogue


async def compiled(call: CommandCall, tx: Transaction, dialogue: Dialogue) -> Synopsis:
    return (await compiled_and_rendered(call, tx, dialogue)).synopsis


async def compiled_and_rendered(
    call: CommandCall, tx: Transaction, dialogue: Dialogue, formats: tuple[str, ...] = (), language: str | None = None
) -> CompiledSynopsis:
    """The draft as the stored material stands now, and its documents in `formats` and `language` (None: the
    dialogue's own)."""
    if await tx.synopses.purged_at(dialogue.id) is not None:
        raise CommandRefused("This dialogue was purged: only its adopted synopsis remains.")
    privacy = call.settings.privacy
    data = await gather_synopsis_input(
        tx, dialogue, call.settings.bot.timezone, privacy.k_threshold, privacy.categories(), language=language
    )
    return await call.slow_work.compile_synopsis(data, call.settings.synopsis, formats)


def section_numbered(synopsis: Synopsis, number: int) -> ChallengeSection:
    """Challenge `number`'s section of the draft; refused when there is none."""
    for section in synopsis.sections:
        if section.number == number:
            return section
    raise CommandRefused(f"There is no challenge {number}.")


# ------------------------------------------------------------------ themes and corrections


async def themes(call: CommandCall, tx: Transaction) -> Reply:
    dialogue = await room_dialogue(call, tx)
    section = section_numbered(await compiled(call, tx, dialogue), call.args)
    if not section.themes and not section.other_points:
        return Reply.plain(f"Challenge {section.number} has no contributions in the draft.")
    lines = [f"Draft themes of challenge {section.number} (number. keywords — references):"]
    for theme in section.themes:
        label = "[heading] " + theme.heading if theme.heading else theme.label
        lines.append(f"{theme.number}. {label} — {', '.join(theme.refs)}")
        if theme.wording_source == FROM_SECRETARIAT:
            lines.append(_worded(theme.wording))
    if section.other_points:
        lines.append("Other points raised: " + "; ".join(", ".join(point.refs) for point in section.other_points))
        for point in section.other_points:
            if point.wording_source == FROM_SECRETARIAT:
                lines.append(f"{', '.join(point.refs)}: " + _worded(point.wording).lstrip())
    lines.append(f"Correct with {call.prefix} merge, move, exclude or include.")
    if any(theme.heading is None for theme in section.themes):
        lines.append(
            f"Make a machine theme a heading with {call.prefix} theme adopt {section.number} <number>, or add "
            f"your own with {call.prefix} theme add {section.number} <heading>."
        )
    return Reply.plain("\n".join(lines))


def _worded(wording: str) -> str:
    """The line under a theme the secretariat re-worded (`theme wording`): the draft's body prints this instead."""
    return f'   worded by the secretariat: "{wording}"'


@dataclass(frozen=True, slots=True)
class MergeRequest:
    challenge: int
    first: int
    second: int


def merge_arguments(raw: str) -> MergeRequest:
    numbers = [small_number(word) for word in raw.split()]
    if len(numbers) != 3 or None in numbers:
        raise UsageError("give the challenge number and two theme numbers")
    challenge, first, second = numbers
    if first == second:
        raise UsageError("the two themes must differ")
    return MergeRequest(challenge, first, second)


async def merge(call: CommandCall, tx: Transaction) -> Reply:
    dialogue = await room_dialogue(call, tx)
    request: MergeRequest = call.args
    section = section_numbered(await compiled(call, tx, dialogue), request.challenge)
    by_number = {theme.number: theme for theme in section.themes}
    if request.first not in by_number or request.second not in by_number:
        raise CommandRefused(f"Challenge {request.challenge} has themes 1 to {len(section.themes)}.")
    await tx.synopses.add_correction(
        dialogue.id, "join", by_number[request.first].refs[0], by_number[request.second].refs[0], call.now
    )
    return Reply.plain(f"Themes {request.first} and {request.second} of challenge {request.challenge} are now one.")


@dataclass(frozen=True, slots=True)
class MoveRequest:
    ref: str
    theme: int | None  # None: a theme of its own


def move_arguments(raw: str) -> MoveRequest:
    words = raw.split()
    if len(words) != 2:
        raise UsageError("give a contribution reference and a theme number, or new")
    if words[1].casefold() == "new":
        return MoveRequest(words[0].upper(), None)
    theme = small_number(words[1])
    if theme is None:
        raise UsageError("the theme is a number, or new")
    return MoveRequest(contribution_ref(words[0]), theme)


async def move(call: CommandCall, tx: Transaction) -> Reply:
    dialogue = await room_dialogue(call, tx)
    request: MoveRequest = call.args
    contribution = await tx.contributions.by_ref(dialogue.id, request.ref)
    if contribution is None:
        raise CommandRefused(f"No contribution {request.ref} in this dialogue.")
    challenge = await tx.challenges.get(contribution.challenge_id)
    assert challenge is not None
    target = None
    if request.theme is not None:
        section = section_numbered(await compiled(call, tx, dialogue), challenge.number)
        theme = next((item for item in section.themes if item.number == request.theme), None)
        if theme is None:
            raise CommandRefused(f"Challenge {challenge.number} has themes 1 to {len(section.themes)}.")
        target = theme.refs[0]
    await tx.synopses.add_correction(dialogue.id, "move", contribution.ref, target, call.now)
    where = "a theme of its own" if target is None else f"theme {request.theme}"
    return Reply.plain(f"Contribution {contribution.ref} moved to {where} of challenge {challenge.number}.")


async def _mark(call: CommandCall, tx: Transaction, ref: str, kind: str, done: str) -> Reply:
    return await mark_in(tx, await room_dialogue(call, tx), ref, kind, done, call.now)


async def mark_in(tx: Transaction, dialogue: Dialogue, ref: str, kind: str, done: str, now: float) -> Reply:
    """Record a correction of `kind` on contribution `ref` of `dialogue`; the reply says it is `done`."""
    contribution = await tx.contributions.by_ref(dialogue.id, ref)
    if contribution is None:
        raise CommandRefused(f"No contribution {ref} in this dialogue.")
    await tx.synopses.add_correction(dialogue.id, kind, contribution.ref, None, now)
    return Reply.plain(f"Contribution {contribution.ref} {done}.")


async def exclude(call: CommandCall, tx: Transaction) -> Reply:
    return await _mark(call, tx, call.args, "exclude", "is left out of the synopsis")


async def include(call: CommandCall, tx: Transaction) -> Reply:
    return await _mark(call, tx, call.args, "include", "is back in the synopsis")


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
            raise UsageError(
                f"give a dialogue number, adopted, a format ({', '.join(FORMATS)}) and/or the draft's language "
                f"({', '.join(COMPLETE_LANGUAGES)})"
            )
    if adopted and language is not None:
        raise UsageError("the adopted synopsis stays in the language it was adopted in: leave out the language")
    return SynopsisRequest(dialogue_id, fmt, adopted, language)


async def send_synopsis(call: CommandCall, tx: Transaction) -> Reply | None:
    request: SynopsisRequest = call.args
    if request.dialogue_id is None:
        dialogue = await room_dialogue(call, tx)
    else:
        dialogue_or_none = await tx.dialogues.get(request.dialogue_id)
        if dialogue_or_none is None:
            raise CommandRefused(
                f"No dialogue {request.dialogue_id} that you may pull. {call.prefix} dialogues lists them."
            )
        dialogue = dialogue_or_none
    facts = await dialogue_facts(tx, dialogue)
    action = Action.PULL_ADOPTED if request.adopted else pull_action(facts)
    await require_in_chat(call, tx, facts, action)
    if action is Action.PULL_ADOPTED:
        adopted = await tx.synopses.adopted(dialogue.id)
        assert adopted is not None  # the rules allow pulling it only once there is one
        data, name = adopted.rendered(request.fmt), f"synopsis-adopted-{dialogue.id}.{request.fmt}"
    else:
        draft = await compiled_and_rendered(call, tx, dialogue, (request.fmt,), request.language)
        data, name = draft.rendered[request.fmt], filename_for(draft.synopsis, request.fmt)
    await queue_file(tx, call.answer_room, name, MIME_TYPES[request.fmt], data, call.now, dialogue_id=dialogue.id)
    return None


async def list_dialogues(call: CommandCall, tx: Transaction) -> Reply:
    dialogues = await tx.dialogues.all()
    if not call.sender_is_isu:
        dialogues = [dialogue for dialogue in dialogues if dialogue.room_id == call.dialogue_room]
    if not dialogues:
        return Reply.plain("No dialogues you may pull.")
    lines = ["Dialogues (number. title, state):"]
    lines += [f"{dialogue.id}. {dialogue.title} ({dialogue.state})" for dialogue in dialogues]
    lines.append(f"Pull one with {call.prefix} synopsis <number> [md|docx|json].")
    return Reply.plain("\n".join(lines))


async def adopt(call: CommandCall, tx: Transaction) -> Reply:
    dialogue = await room_dialogue(call, tx)
    await require_in_chat(call, tx, await dialogue_facts(tx, dialogue), Action.ADOPT)
    draft = await compiled_and_rendered(call, tx, dialogue, ADOPTED_FORMATS)
    await record_adoption(tx, dialogue.id, draft.rendered, call.now)
    return Reply.plain(
        f"The current draft of “{dialogue.title}” is stored as the adopted synopsis. Once the dialogue has ended, "
        f"{call.prefix} purge deletes the raw contributions and keeps only this."
    )


ADOPTED_FORMATS = ("md", "docx", "json")


async def record_adoption(tx: Transaction, dialogue_id: int, rendered: Mapping[str, bytes], now: float) -> None:
    """Store the draft rendered in every format as the adopted synopsis (in chat and from the command line)."""
    markdown, docx, json = (rendered[fmt] for fmt in ADOPTED_FORMATS)
    await tx.synopses.adopt(dialogue_id, now, markdown, docx, json)
    await tx.synopses.audit(dialogue_id, "synopsis adopted", now)


async def purge(call: CommandCall, tx: Transaction) -> Reply | None:
    dialogue = await room_dialogue(call, tx)
    await require_in_chat(call, tx, await dialogue_facts(tx, dialogue), Action.PURGE)
    key = f"purge:{dialogue.id}"
    if not call.args:
        await tx.confirmations.request(call.room.room_id, key, PURGE_ACTION, call.now + PURGE_WINDOW_SECONDS)
        return Reply.plain(
            "This permanently deletes every contribution, support, the roster and the dialogue's secret, keeping "
            f"only the adopted synopsis. To confirm, send {call.prefix} purge confirm within 5 minutes."
        )
    if not await tx.confirmations.take(call.room.room_id, key, PURGE_ACTION, call.now):
        raise CommandRefused(f"Nothing to confirm: send {call.prefix} purge first.")
    await tx.synopses.purge(dialogue.id, call.now)
    purged = "Purged. Only the adopted synopsis and an audit record (without content or people) remain."
    uploads = await tx.media.for_dialogue(dialogue.id)
    if not uploads:
        return Reply.plain(purged)
    # Deleting files is I/O, which the sender does; the reply goes first, the outcome follows it in the room.
    await queue_reply(
        tx,
        call.event,
        Reply.plain(
            f"{purged} The {len(uploads)} synopsis file(s) the bot uploaded are still in the homeserver's media "
            "store: the bot is asking the homeserver to delete them (this needs the bot to be a server admin) and "
            "will say here how that went."
        ),
        call.now,
    )
    await queue_media_deletion(tx, call.room.room_id, uploads, call.now)
    return None
