"""What a scheduled action does when its time comes: the decisions of handlers/scheduled.py, from stored state alone.

An action can be overtaken between being planned and being run: a moderator opens, closes or re-times the challenge
by hand, or the bot restarts. Each rule here says whether the action still stands, so running it late or twice does
nothing wrong."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from dialogue.vocabulary import ChallengeState, ScheduleState

ACTIONS = ("open", "missed", "remind", "close", "digest", "consensus-close")

# Due times travel through the inbox as JSON floats of seconds; a millisecond apart is the same moment.
_SAME_MOMENT_SECONDS = 0.001


@dataclass(frozen=True, slots=True)
class ScheduledAction:
    action: str
    subject_id: int
    due: float  # -1 when the event does not say (then it matches no closing time)


def scheduled_action(content: Mapping[str, Any]) -> ScheduledAction | None:
    """The action an internal event's content asks for; None for one this version of the bot does not know."""
    action = content.get("action")
    subject_id = content.get("subject_id")
    if action not in ACTIONS or not isinstance(subject_id, int):
        return None
    due = content.get("due", -1)
    return ScheduledAction(action, subject_id, float(due) if isinstance(due, int | float) else -1.0)


def opening_step(action: str, *, challenge_state: ChallengeState, schedule_state: ScheduleState | None) -> str | None:
    """`action` ("open" or "missed") when the challenge still waits for this scheduled opening, else None."""
    if schedule_state != ScheduleState.SCHEDULED or challenge_state != ChallengeState.PENDING:
        return None
    return action


def closing_is_current(challenge_state: ChallengeState, *, closes_at: float | None, due: float) -> bool:
    """Whether a reminder or closing due at `due` is for the challenge's window as it stands (`closes_at`): not when
    the challenge was closed by hand meanwhile or its window re-timed."""
    return (
        challenge_state == ChallengeState.OPEN
        and closes_at is not None
        and abs(closes_at - due) <= _SAME_MOMENT_SECONDS
    )


def time_left(*, closes_at: float, now: float) -> timedelta:
    """What a reminder says is left: whole seconds, at least one (a late reminder never says "0 seconds")."""
    return timedelta(seconds=max(1, round(closes_at - now)))
