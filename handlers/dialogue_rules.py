"""What a moderator's dialogue command may do to a challenge, and who is sent its prompt: the decisions of
handlers/dialogue_commands.py, kept apart from storage and the outbox so that each can be tested with plain values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from dialogue.vocabulary import ChallengeState, MemberKey, ScheduleState, UserId
from i18n import SOURCE_LANGUAGE, bot_marked

if TYPE_CHECKING:
    from storage.schedules import Schedule

# One whole message per state, so that no sentence is put together from a translated state name.
ALREADY_OPEN = bot_marked("Challenge {number} is already open.")
ALREADY_CLOSED = bot_marked("Challenge {number} is already closed.")
NOT_OPEN_PENDING = bot_marked("Challenge {number} is not open (it is pending).")
NOT_OPEN_CLOSED = bot_marked("Challenge {number} is not open (it is closed).")


def opening_refusal(state: ChallengeState) -> str | None:
    """Why a challenge in `state` cannot be opened (a marked message with `{number}`), None when it can."""
    if state == ChallengeState.PENDING:
        return None
    return ALREADY_OPEN if state == ChallengeState.OPEN else ALREADY_CLOSED


def closing_refusal(state: ChallengeState) -> str | None:
    """Why a challenge in `state` cannot be closed (a marked message with `{number}`), None when it can."""
    if state == ChallengeState.OPEN:
        return None
    return NOT_OPEN_PENDING if state == ChallengeState.PENDING else NOT_OPEN_CLOSED


def may_edit_prompt(state: ChallengeState) -> bool:
    """A prompt is fixed once participants have seen it."""
    return state == ChallengeState.PENDING


def removal_needs_force(contributions: int, *, force: bool) -> bool:
    """Removing a challenge removes its contributions: with any, the moderator must say `--force`."""
    return contributions > 0 and not force


def prompt_recipients(chosen: Mapping[UserId, str], *, room_language: str | None) -> list[tuple[UserId, str]]:
    """The members (user ID and language, in ID order) who chose a language other than the room's (None: English)
    and so are also sent an opened challenge's prompt by direct message in theirs."""
    in_room = room_language or SOURCE_LANGUAGE
    return [(user_id, language) for user_id, language in sorted(chosen.items()) if language != in_room]


def is_own_contribution(*, dialogue_id: int, member_key: MemberKey, in_dialogue: int, of_member: str) -> bool:
    """Whether a contribution (of `dialogue_id`, by `member_key`) is the sender's (`of_member`) in `in_dialogue`."""
    return dialogue_id == in_dialogue and member_key == of_member


def scheduled_opening(state: str, schedule: Schedule | None) -> Schedule | None:
    """The opening the agenda shows for a challenge in `state`: a pending one's, while it is still planned."""
    if state == ChallengeState.PENDING and schedule is not None and schedule.state == ScheduleState.SCHEDULED:
        return schedule
    return None
