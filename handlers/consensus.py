"""Consensus rounds: after a challenge closes, each participant gets its theme statements by direct message and
answers each with a reaction (👍 agree, 👎 disagree, ➖ pass).

Why direct messages and not a poll in the room: a Matrix poll shows every vote with its sender to everyone there.
Here a vote is stored under the voter's pseudonymous key and is never shown per person; the synopsis gives only a
mark per theme once at least k people answered (synopsis/consensus.py). A reaction counts when it is on one of the
bot's consensus messages (found by the event ID the outbox recorded when it was sent) and comes from the person that
message went to; the last reaction counts, and redacting it withdraws the vote. Reactions after the round's window
are not counted, and their sender is told so once per round.

Who is asked: the members of the dialogue room other than the bot, its moderators and the secretariat, who run the
dialogue rather than take part in it. The window closes by time alone (each reaction's server timestamp against the
round's end), so no timer has to fire for it to hold.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from dialogue.vocabulary import ChallengeState, EventId, UserId
from handlers.access import PURGED_DRAFT
from handlers.arguments import challenge_number
from handlers.commands import CommandCall, CommandRefused, UsageError
from handlers.contributions import is_support_key
from handlers.dialogue_commands import challenge_numbered
from handlers.events import InboundEvent
from handlers.languages import language_for_person
from handlers.outgoing import queue_direct_message
from handlers.redactions import redacted_before_seen
from handlers.replies import Reply
from handlers.synopsis_commands import compiled, room_dialogue, section_numbered
from i18n import bot_marked, bot_text, bot_text_plural
from privacy import contributor_key, matrix_id_reference
from scheduling import WhenError, describe, format_duration, parse_duration
from scheduling.zones import dialogue_zone
from storage.consensus import Choice, ConsensusTheme, late_reply_scope

if TYPE_CHECKING:
    from handlers.context import RoomSnapshot
    from storage import Dialogue, Transaction

DEFAULT_WINDOW = timedelta(hours=1)

LATE_ANSWER = bot_marked(
    "The consensus round you answered has closed, so this answer (and any later one in the same round) was not "
    "counted. Answers given before it closed still count."
)


GIVE_THE_NUMBER = bot_marked("give the challenge number")
ONLY_FOR_DURATION = bot_marked('after the challenge number, only "for <duration>"')


@dataclass(frozen=True, slots=True)
class ConsensusRequest:
    challenge: int
    window: timedelta


def consensus_arguments(raw: str) -> ConsensusRequest:
    """`<n> [for <duration>]`; the duration is read as in `schedule`."""
    words = raw.split()
    if not words:
        raise UsageError(GIVE_THE_NUMBER)
    number = challenge_number(words[0])
    if len(words) == 1:
        return ConsensusRequest(number, DEFAULT_WINDOW)
    if words[1].casefold() != "for":
        raise UsageError(ONLY_FOR_DURATION)
    try:
        return ConsensusRequest(number, parse_duration(" ".join(words[2:])))
    except WhenError as problem:
        raise UsageError(problem.message, **problem.values_in(None)) from problem


def choice_for(key: str) -> Choice | None:
    """👍 (any skin tone, or +1) agree, 👎 (or -1) disagree, ➖ pass; anything else is no answer."""
    if is_support_key(key):
        return "agree"
    stripped = "".join(ch for ch in key if unicodedata.category(ch) != "Sk" and ch not in "\ufe0e\ufe0f")
    if stripped in ("👎", "-1"):
        return "disagree"
    if stripped in ("➖", "-"):
        return "pass"
    return None


def participants(room: RoomSnapshot, bot_user_id: UserId, threshold: int, isu_users: Collection[str]) -> list[UserId]:
    """Who is asked: the room's members, without the bot, moderators and the secretariat; in a stable order."""
    return sorted(
        user_id
        for user_id in room.display_names
        if user_id != bot_user_id and user_id not in isu_users and not room.is_moderator(user_id, threshold)
    )


def statement_message(
    title: str, number: int, position: int, count: int, statement: str, until: str, language: str | None = None
) -> Reply:
    """One theme statement for one person, in their language: the challenge, the statement (the draft's own words,
    not translated), how to answer. Names no one."""
    heading = bot_text(
        language,
        "Consensus round on challenge {number} ({title}), statement {position} of {total}:",
        number=number,
        title=title,
        position=position,
        total=count,
    )
    how = bot_text(
        language,
        "React to this message with 👍 to agree, 👎 to disagree or ➖ to pass, until {until}. Your answer is stored "
        "without your name and never shown per person; react again to change it, or remove your reaction to "
        "withdraw it.",
        until=until,
    )
    return Reply.plain(f"{heading}\n\n{statement}\n\n{how}")


async def open_round(call: CommandCall[ConsensusRequest], tx: Transaction) -> Reply:
    request: ConsensusRequest = call.args
    dialogue = await room_dialogue(call, tx)
    if await tx.synopses.purged_at(dialogue.id) is not None:
        raise CommandRefused(bot_text(call.language, PURGED_DRAFT))
    challenge = await challenge_numbered(call, tx, dialogue, request.challenge)
    if challenge.state != ChallengeState.CLOSED:
        if challenge.state == ChallengeState.OPEN:
            refusal = bot_marked(
                "Challenge {number} is still open: a consensus round starts only after it closes ({close})."
            )
        else:
            refusal = bot_marked(
                "Challenge {number} has not been opened yet: a consensus round starts only after it closes ({close})."
            )
        raise CommandRefused(
            bot_text(call.language, refusal, number=challenge.number, close=f"{call.prefix} close {challenge.number}")
        )
    if await tx.consensus.round_for_challenge(challenge.id) is not None:
        raise CommandRefused(
            bot_text(call.language, "Challenge {number} already had its consensus round.", number=challenge.number)
        )
    room = call.room if call.room.room_id == dialogue.room_id else call.rooms(dialogue.room_id)
    if room is None:
        raise CommandRefused(
            bot_text(call.language, "I am not in this dialogue's room any more, so I cannot tell who takes part.")
        )
    section = section_numbered(await compiled(call, tx, dialogue), challenge.number, call.language)
    themes = [
        ConsensusTheme(position, theme.refs[0], theme.heading or theme.statement)
        for position, theme in enumerate(section.themes, start=1)
    ]
    if not themes:
        raise CommandRefused(
            bot_text(
                call.language, "Challenge {number} has no themes in the draft to ask about.", number=challenge.number
            )
        )
    people = participants(room, call.bot.user_id, call.settings.bot.moderator_power_level, call.settings.bot.isu_users)
    if not people:
        raise CommandRefused(bot_text(call.language, "There is no participant in the dialogue room to ask."))
    closes_at = call.now + request.window.total_seconds()
    round_id = await tx.consensus.open_round(dialogue.id, challenge.id, themes, call.now, closes_at)
    zone = dialogue_zone(dialogue.timezone, call.settings.bot.timezone)
    closing = datetime.fromtimestamp(closes_at, UTC)
    for user_id in people:
        language = await language_for_person(tx, user_id, dialogue)
        until_for_them = describe(closing, zone, language)  # the closing time the way their language writes it
        for theme in themes:
            message = statement_message(
                challenge.title,
                challenge.number,
                theme.position,
                len(themes),
                theme.statement,
                until_for_them,
                language,
            )
            await tx.consensus.record_message(
                await queue_direct_message(tx, user_id, message, call.now), round_id, theme.position
            )
    return Reply.plain(
        bot_text_plural(
            call.language,
            "Consensus round on challenge {number}: each participant gets its {count} theme statement by direct "
            "message and can answer for {duration}, until {until}. The draft synopsis marks each theme once the "
            "round has closed and enough people answered.",
            "Consensus round on challenge {number}: each participant gets its {count} theme statements by direct "
            "message and can answer for {duration}, until {until}. The draft synopsis marks each theme once the "
            "round has closed and enough people answered.",
            len(themes),
            number=challenge.number,
            duration=format_duration(request.window, call.language),
            until=describe(closing, zone, call.language),
        )
    )


async def handle_vote(event: InboundEvent, tx: Transaction, now: float) -> bool:
    """A reaction on one of the bot's consensus messages: record, replace or refuse (late) the vote.

    True when the reaction was on such a message (whatever came of it), so it is not taken for 👍 support."""
    relation = event.relation
    target = relation.get("event_id")
    if relation.get("rel_type") != "m.annotation" or not isinstance(target, str):
        return False
    found = await tx.consensus.message_target(EventId(target), event.sender)
    if found is None:
        return False
    choice = choice_for(str(relation.get("key", "")))
    dialogue = await tx.dialogues.get(found.round.dialogue_id)
    if choice is None or dialogue is None or len(dialogue.secret) < 16 or await redacted_before_seen(event, tx):
        return True
    member = contributor_key(dialogue.secret, event.sender)
    if event.origin_server_ts / 1000 > found.round.closes_at:
        await _tell_late(event, found.round.id, member, tx, now, dialogue)
        return True
    reaction_ref = matrix_id_reference(dialogue.secret, "event", event.event_id)
    await tx.consensus.vote(found.round.id, found.position, member, choice, reaction_ref, now)
    return True


async def handle_withdrawal(event: InboundEvent, tx: Transaction, now: float) -> bool:
    """A redaction of the reaction that cast a vote, by its voter: the vote is withdrawn (within the window).

    True when it named a vote's reaction. The reaction is found by its keyed reference under each live round's
    dialogue secret, and only its own voter's redaction counts."""
    target = event.redacts
    if target is None:
        return False
    for round_, secret in await tx.consensus.live_rounds():
        reaction_ref = matrix_id_reference(secret, "event", target)
        member = contributor_key(secret, event.sender)
        if not await tx.consensus.has_vote(round_.id, member, reaction_ref):
            continue
        if event.origin_server_ts / 1000 > round_.closes_at:
            await _tell_late(event, round_.id, member, tx, now, await tx.dialogues.get(round_.dialogue_id))
        else:
            await tx.consensus.withdraw(round_.id, member, reaction_ref)
        return True
    return False


async def _tell_late(
    event: InboundEvent, round_id: int, member: str, tx: Transaction, now: float, dialogue: Dialogue | None
) -> None:
    if await tx.once.mark(late_reply_scope(round_id), member, now):
        language = await language_for_person(tx, event.sender, dialogue)
        await queue_direct_message(tx, event.sender, Reply.plain(bot_text(language, LATE_ANSWER)), now)
