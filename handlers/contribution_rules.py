"""Where a participant's message is filed, and what they are told when it is not: the decisions of
handlers/contributions.py, kept apart from storage and the outbox so that each can be tested with plain values."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from dialogue.vocabulary import ChallengeState, EventId
from i18n import bot_marked

if TYPE_CHECKING:
    from handlers.events import InboundEvent
    from storage import Challenge

CONTRIBUTION_MSGTYPES = frozenset({"m.text", "m.notice", "m.emote", None})
"""Images, files and the like are not contributions."""

CHALLENGE_NOT_OPEN = {
    ChallengeState.PENDING: bot_marked("Challenge {number} is pending: this was not recorded."),
    ChallengeState.CLOSED: bot_marked("Challenge {number} is closed: this was not recorded."),
}

_DM_CHALLENGE_PREFIX = re.compile(r"^\s*#(\d+)\s*[:.\-]?\s*", re.S)
_MAX_NUMBER_DIGITS = 9


@dataclass(frozen=True, slots=True)
class FileUnder:
    """Record the message under `challenge`."""

    challenge: Challenge


@dataclass(frozen=True, slots=True)
class NotRecorded:
    """Answer with `message` (a marked one, with `{number}`): the message was not recorded."""

    message: str
    number: int


@dataclass(frozen=True, slots=True)
class UseThreads:
    """Several challenges are open (`numbers`): ask the sender to reply in the thread of the one they mean."""

    numbers: tuple[int, ...]


def is_contribution_type(msgtype: str | None) -> bool:
    return msgtype in CONTRIBUTION_MSGTYPES


def message_in_thread(challenge: Challenge | None, dialogue_id: int) -> FileUnder | NotRecorded | None:
    """A reply in a thread whose root is `challenge`'s prompt (None: no challenge's), in the room's active dialogue.

    None when the thread is not one of this dialogue's challenges: a conversation the bot stays out of."""
    if challenge is None or challenge.dialogue_id != dialogue_id:
        return None
    if challenge.state != ChallengeState.OPEN:
        return NotRecorded(
            CHALLENGE_NOT_OPEN.get(challenge.state, CHALLENGE_NOT_OPEN[ChallengeState.CLOSED]), challenge.number
        )
    return FileUnder(challenge)


def message_in_room(open_challenges: Sequence[Challenge]) -> FileUnder | UseThreads | None:
    """A message in the dialogue room outside any thread, with `open_challenges` open."""
    if len(open_challenges) == 1:
        return FileUnder(open_challenges[0])
    if open_challenges:
        return UseThreads(tuple(challenge.number for challenge in open_challenges))
    return None


def threads_nudge_key(dialogue_id: int, numbers: Sequence[int]) -> str:
    """Each sender is asked to use the threads once per dialogue and set of open challenges."""
    return f"threads-nudge:{dialogue_id}:{','.join(str(number) for number in numbers)}"


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Unclear(Generic[T]):
    """The direct message may be for any of `choices` (none: it named a challenge that is not open)."""

    choices: tuple[tuple[T, Challenge], ...]


def direct_message_target(candidates: Sequence[tuple[T, Challenge]], body: str) -> tuple[T, Challenge] | Unclear[T]:
    """Which of the open challenges of the sender's dialogues (`candidates`, a dialogue with each) a direct message
    is for: the only one, or the one its leading "#2" names."""
    named = _DM_CHALLENGE_PREFIX.match(body)
    if named is not None:
        digits = named.group(1)
        # No challenge has a ten-digit number; and int() refuses more than 4,300 digits with a ValueError.
        wanted = int(digits) if len(digits) <= _MAX_NUMBER_DIGITS else None
        candidates = [pair for pair in candidates if pair[1].number == wanted]
    if len(candidates) == 1:
        return candidates[0]
    return Unclear(tuple(candidates))


@dataclass(frozen=True, slots=True)
class Replacement:
    """An `m.replace` edit: the event it replaces and the content that replaces it."""

    target_event_id: EventId
    new_content: dict[str, Any]


def replacement(event: InboundEvent) -> Replacement | None:
    """The edit `event` makes; None when it lacks the event it replaces or the new content (a broken edit)."""
    target_id = event.relation.get("event_id")
    new_content = event.content.get("m.new_content")
    if not isinstance(target_id, str) or not isinstance(new_content, dict):
        return None
    return Replacement(EventId(target_id), new_content)


def edit_applies(challenge: Challenge | None) -> bool:
    """An edit changes the record only while the contribution's challenge is open, as a new message would."""
    return challenge is not None and challenge.state == ChallengeState.OPEN


def counts_as_support(*, supporter: str, author: str) -> bool:
    """A 👍 counts as support unless its author gave it (keys, not user IDs): agreeing with yourself is not support."""
    return supporter != author
