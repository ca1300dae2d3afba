"""Participants' words: contributions, their edits, and 👍 support (redactions are in `redactions.py`).

Where a message counts as a contribution:
- in the thread of an open challenge (an `m.thread` relation to the challenge's prompt);
- in the room, outside any thread, while exactly one challenge is open (with several open, the bot asks the person,
  once per set of open challenges, to use the threads);
- in a direct message to the bot, from a member of a dialogue room in which exactly one challenge is open (or
  naming the challenge: "#2 my point …").
The text is scrubbed before it is stored, and stored under a pseudonymous key, never the sender's ID, with its language
(synopsis/language.py: among the six UN languages, or None when unsure), detected on the scrubbed text and again on
every edit. A message (or an edit) longer than CONTRIBUTION_MAX_CHARS is refused whole with a reply, never stored cut
short.
"""

from __future__ import annotations

import asyncio
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dialogue.vocabulary import Channel, EventId
from handlers.context import RoomLookup, RoomSnapshot
from handlers.contribution_rules import (
    FileUnder,
    NotRecorded,
    Unclear,
    counts_as_support,
    direct_message_target,
    edit_applies,
    is_contribution_type,
    message_in_room,
    message_in_thread,
    replacement,
    threads_nudge_key,
)
from handlers.events import InboundEvent
from handlers.languages import language_for_person, room_language
from handlers.limits import CONTRIBUTION_MAX_CHARS
from handlers.outgoing import queue_acknowledgement, queue_reply
from handlers.redactions import redacted_before_seen
from handlers.replies import Reply
from i18n import bot_marked, bot_text
from privacy import ScrubContext, contributor_key, message_text, prepare, scrub_text
from synopsis.language import detect_language_off_loop

if TYPE_CHECKING:
    from storage import Challenge, Dialogue, Transaction

SUPPORT_KEYS = frozenset({"👍", "+1"})

TOO_LONG_CONTRIBUTION = bot_marked(
    "This message is longer than {limit} characters, the most a contribution may have, so it was not recorded. "
    "Please split it into shorter messages."
)
TOO_LONG_EDIT = bot_marked(
    "This edit is longer than {limit} characters, the most a contribution may have, so it was not applied: the "
    "contribution stays as it was."
)


def too_long(message: str, language: str | None) -> Reply:
    """A too-long notice (TOO_LONG_CONTRIBUTION or TOO_LONG_EDIT) in `language`."""
    # The limit as the reader's language writes numbers (20,000 in English, 20 000 in French); Babel imported here,
    # as i18n does, so the CLI's quick commands, which load the handlers, never load it.
    from babel.numbers import format_decimal

    return Reply.plain(
        bot_text(language, message, limit=format_decimal(CONTRIBUTION_MAX_CHARS, locale=language or "en"))
    )


async def _reply_language(tx: Transaction, event: InboundEvent, dialogue: Dialogue, *, direct: bool) -> str | None:
    """A reply in the dialogue's room is in its language; one in a direct chat in the sender's own, else that."""
    return await language_for_person(tx, event.sender, dialogue) if direct else room_language(dialogue)


@dataclass(frozen=True, slots=True)
class Target:
    dialogue: Dialogue
    challenge: Challenge
    channel: Channel


def is_support_key(key: str) -> bool:
    """👍 in any skin tone or presentation, or +1."""
    stripped = "".join(ch for ch in key if unicodedata.category(ch) != "Sk" and ch not in "\ufe0e\ufe0f")
    return stripped in SUPPORT_KEYS


async def handle_message(
    event: InboundEvent, room: RoomSnapshot, rooms: RoomLookup, tx: Transaction, now: float, *, acknowledge: bool = True
) -> None:
    """A non-command `m.room.message`: a contribution, an edit of one, or nothing for the bot.

    With `acknowledge` false (the sender is flooding) a contribution is recorded without its ✅."""
    if event.is_edit:
        await _apply_edit(event, room, rooms, tx, now)
        return
    if await redacted_before_seen(event, tx):
        return
    dialogue = await tx.dialogues.active_in_room(room.room_id)
    if dialogue is not None:
        await _room_message(event, room, dialogue, tx, now, acknowledge)
    elif room.joined_member_count <= 2:
        await _direct_message(event, room, rooms, tx, now)


async def _room_message(
    event: InboundEvent, room: RoomSnapshot, dialogue: Dialogue, tx: Transaction, now: float, acknowledge: bool
) -> None:
    if event.thread_root is not None:
        in_thread = message_in_thread(await tx.challenges.by_thread_root(room.room_id, event.thread_root), dialogue.id)
        if isinstance(in_thread, NotRecorded):
            notice = bot_text(dialogue.language, in_thread.message, number=in_thread.number)
            await queue_reply(tx, event, Reply.plain(notice), now)
        elif in_thread is not None:
            target = Target(dialogue, in_thread.challenge, Channel.THREAD)
            await _record(event, target, room, tx, now, acknowledge=acknowledge)
        return
    if event.relation_type is not None:
        return  # other relations (e.g. annotations in disguise) are not contributions
    in_room = message_in_room(await tx.challenges.open_in_dialogue(dialogue.id))
    if isinstance(in_room, FileUnder):
        await _record(event, Target(dialogue, in_room.challenge, Channel.ROOM), room, tx, now, acknowledge=acknowledge)
    elif in_room is not None:
        member = contributor_key(dialogue.secret, event.sender)
        if await tx.once.mark(threads_nudge_key(dialogue.id, in_room.numbers), member, now):
            numbers = ", ".join(str(number) for number in in_room.numbers)
            await queue_reply(
                tx,
                event,
                Reply.plain(
                    bot_text(
                        dialogue.language,
                        "Several challenges are open ({numbers}). Please reply in the thread of the one you mean, so "
                        "your contribution is filed under it. This message was not recorded.",
                        numbers=numbers,
                    )
                ),
                now,
            )


async def _direct_message(
    event: InboundEvent, room: RoomSnapshot, rooms: RoomLookup, tx: Transaction, now: float
) -> None:
    candidates: list[tuple[Dialogue, Challenge]] = []
    for dialogue in await tx.dialogues.active():
        dialogue_room = rooms(dialogue.room_id)
        if dialogue_room is None or event.sender not in dialogue_room.display_names:
            continue
        for challenge in await tx.challenges.open_in_dialogue(dialogue.id):
            candidates.append((dialogue, challenge))
    if not candidates:
        return
    target = direct_message_target(candidates, event.body)
    if isinstance(target, Unclear):
        # Several dialogues may be concerned: only the person's own choice applies.
        language = await tx.language_preferences.get(event.sender)
        choices = ", ".join(f"#{challenge.number} {challenge.title}" for _, challenge in target.choices)
        if choices:
            text = bot_text(
                language,
                "I could not tell which challenge this is for, so it was not recorded. Start your message with the "
                "challenge's number, for example “#2 …”. Open challenges: {choices}.",
                choices=choices,
            )
        else:
            text = bot_text(
                language,
                "I could not tell which challenge this is for, so it was not recorded: no open challenge has that "
                "number.",
            )
        await queue_reply(tx, event, Reply.plain(text), now)
        return
    dialogue, challenge = target
    stored = await _record(
        event, Target(dialogue, challenge, Channel.DM), room, tx, now, dialogue_room=rooms(dialogue.room_id)
    )
    if stored is not None:
        await queue_reply(
            tx,
            event,
            Reply.plain(
                bot_text(
                    await language_for_person(tx, event.sender, dialogue),
                    "Recorded privately under challenge {number} ({title}) of “{dialogue}”, exactly as stored:",
                    number=challenge.number,
                    title=challenge.title,
                    dialogue=dialogue.title,
                )
                + f"\n\n{stored}"
            ),
            now,
        )


def scrub_context(
    room: RoomSnapshot, affiliations: list[str], extra_rooms: tuple[RoomSnapshot, ...] = ()
) -> ScrubContext:
    member_ids: set[str] = set(room.display_names)
    names: set[str] = {name for name in room.display_names.values() if name}
    for other in extra_rooms:
        member_ids.update(other.display_names)
        names.update(name for name in other.display_names.values() if name)
    return ScrubContext(
        member_ids=frozenset(member_ids), display_names=frozenset(names), affiliations=frozenset(affiliations)
    )


def _content_text(content: dict[str, Any]) -> tuple[str, str | None]:
    raw_body = content.get("body")
    body = raw_body if isinstance(raw_body, str) else ""
    formatted = content.get("formatted_body") if content.get("format") == "org.matrix.custom.html" else None
    return body, formatted if isinstance(formatted, str) else None


def _unscrubbed_text(content: dict[str, Any]) -> str:
    body, formatted = _content_text(content)
    return message_text(body, formatted)


def _too_long(text: str) -> bool:
    # Counted before scrubbing, on what the person wrote (reply quotes and markup left out), so the limit they are
    # told about is the one they can check.
    return len(text.strip()) > CONTRIBUTION_MAX_CHARS


async def _scrubbed(
    text: str, dialogue: Dialogue, room: RoomSnapshot, tx: Transaction, extra: tuple[RoomSnapshot, ...]
) -> tuple[str, bool]:
    """The scrubbed text, and whether scrubbing replaced anything in it."""
    context = scrub_context(room, await tx.roster.scrub_terms(dialogue.id), extra)
    # Building a context's patterns takes up to seconds for a large roster; done once per context, off the loop.
    await asyncio.to_thread(prepare, context)
    scrubbed = scrub_text(text, context).strip()
    return scrubbed, scrubbed != text.strip()


async def _record(
    event: InboundEvent,
    target: Target,
    room: RoomSnapshot,
    tx: Transaction,
    now: float,
    *,
    dialogue_room: RoomSnapshot | None = None,
    acknowledge: bool = True,
) -> str | None:
    """Store the scrubbed contribution and acknowledge it (unless told not to); returns the stored text."""
    if not is_contribution_type(event.msgtype):
        return None
    unscrubbed = _unscrubbed_text(event.content)
    if _too_long(unscrubbed):
        language = await _reply_language(tx, event, target.dialogue, direct=target.channel == Channel.DM)
        await queue_reply(tx, event, too_long(TOO_LONG_CONTRIBUTION, language), now)
        return None
    extra = (dialogue_room,) if dialogue_room is not None else ()
    text, changed = await _scrubbed(unscrubbed, target.dialogue, room, tx, extra)
    if not text:
        return None
    # In a worker thread: the first call loads the model (about half a second); later ones take well under a
    # millisecond (benchmarks/language_detection.py), so this stays inside the transaction.
    language = await detect_language_off_loop(text)
    await tx.contributions.add(
        dialogue_id=target.dialogue.id,
        challenge_id=target.challenge.id,
        member_key=contributor_key(target.dialogue.secret, event.sender),
        text=text,
        channel=target.channel,
        event_id=event.event_id,
        room_id=event.room_id,
        origin_ts=event.origin_server_ts,
        now=now,
        scrubbed=changed,
        language=language,
    )
    if acknowledge:
        await queue_acknowledgement(tx, event, now)
    return text


async def _apply_edit(event: InboundEvent, room: RoomSnapshot, rooms: RoomLookup, tx: Transaction, now: float) -> None:
    edit = replacement(event)
    if edit is None:
        return
    # Only an edit of the original message counts; an "edit of an edit" is not valid Matrix.
    contribution = await tx.contributions.by_event(edit.target_event_id, room_id=event.room_id, original_only=True)
    if contribution is None:
        return
    dialogue = await tx.dialogues.get(contribution.dialogue_id)
    if dialogue is None or contributor_key(dialogue.secret, event.sender) != contribution.member_key:
        return
    if await redacted_before_seen(event, tx):
        # The edit was redacted (by its author or a moderator) before the bot could read it. Its text is never
        # applied; and since redacting an edit the bot had seen withdraws the contribution, so does this one, so
        # the outcome does not depend on which of the two arrived first.
        await tx.contributions.delete(contribution.id)
        return
    if not edit_applies(await tx.challenges.get(contribution.challenge_id)):
        return
    unscrubbed = _unscrubbed_text(edit.new_content)
    if _too_long(unscrubbed):
        language = await _reply_language(tx, event, dialogue, direct=dialogue.room_id != room.room_id)
        await queue_reply(tx, event, too_long(TOO_LONG_EDIT, language), now)
        return
    # An edit in a direct message is scrubbed of the dialogue room's members too, as the original was.
    dialogue_room = rooms(dialogue.room_id) if dialogue.room_id != room.room_id else None
    extra = (dialogue_room,) if dialogue_room is not None else ()
    text, changed = await _scrubbed(unscrubbed, dialogue, room, tx, extra)
    if text:
        await tx.contributions.apply_edit(
            contribution.id,
            event.event_id,
            text,
            event.origin_server_ts,
            scrubbed=changed,
            language=await detect_language_off_loop(text),
        )


async def handle_reaction(event: InboundEvent, tx: Transaction) -> None:
    relation = event.relation
    if relation.get("rel_type") != "m.annotation" or not is_support_key(str(relation.get("key", ""))):
        return
    if await redacted_before_seen(event, tx):
        return
    target = relation.get("event_id")
    # Support counts only where the contribution was made: a 👍 elsewhere naming its event ID is not support.
    contribution = (
        await tx.contributions.by_event(EventId(target), room_id=event.room_id) if isinstance(target, str) else None
    )
    if contribution is None:
        return
    dialogue = await tx.dialogues.get(contribution.dialogue_id)
    if dialogue is None:
        return
    supporter = contributor_key(dialogue.secret, event.sender)
    if not counts_as_support(supporter=supporter, author=contribution.member_key):
        return
    await tx.contributions.add_support(contribution.id, supporter, event.event_id)
