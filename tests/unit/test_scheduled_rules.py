"""What a scheduled action does when its time comes, decided from the stored state alone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.scheduled_rules import (
    ScheduledAction,
    closing_is_current,
    opening_step,
    scheduled_action,
    time_left,
)


def test_a_scheduled_action_names_a_known_action_and_its_subject() -> None:
    assert scheduled_action({"action": "remind", "subject_id": 4, "due": 10.0}) == ScheduledAction("remind", 4, 10.0)


@pytest.mark.parametrize(
    "content",
    [
        {"action": "explode", "subject_id": 4},
        {"action": "open", "subject_id": "4"},
        {"action": "open"},
        {"subject_id": 4},
    ],
)
def test_an_unknown_action_or_a_subject_that_is_no_id_is_ignored(content: dict[str, object]) -> None:
    assert scheduled_action(content) is None


def test_an_action_without_its_due_time_matches_no_closing() -> None:
    action = scheduled_action({"action": "close", "subject_id": 4})
    assert action is not None and action.due == -1
    assert not closing_is_current("open", closes_at=100.0, due=action.due)


@pytest.mark.parametrize("action", ["open", "missed"])
def test_a_pending_challenge_still_scheduled_is_opened_or_reported_missed(action: str) -> None:
    assert opening_step(action, challenge_state="pending", schedule_state="scheduled") == action


@pytest.mark.parametrize(
    ("challenge_state", "schedule_state"),
    [
        ("open", "scheduled"),
        ("closed", "scheduled"),
        ("pending", "cancelled"),
        ("pending", "opened"),
        ("pending", None),
    ],
)
def test_an_opening_overtaken_by_a_moderator_does_nothing(challenge_state: str, schedule_state: str | None) -> None:
    assert opening_step("open", challenge_state=challenge_state, schedule_state=schedule_state) is None


def test_a_reminder_or_closing_for_the_window_as_it_stands_goes_ahead() -> None:
    assert closing_is_current("open", closes_at=1000.0, due=1000.0004)


@pytest.mark.parametrize(
    ("challenge_state", "closes_at", "due"),
    [("closed", 1000.0, 1000.0), ("open", None, 1000.0), ("open", 1600.0, 1000.0), ("pending", 1000.0, 1000.0)],
)
def test_a_reminder_or_closing_for_a_window_closed_or_re_timed_since_is_stale(
    challenge_state: str, closes_at: float | None, due: float
) -> None:
    assert not closing_is_current(challenge_state, closes_at=closes_at, due=due)


def test_the_time_left_is_rounded_to_the_second_and_never_nothing() -> None:
    assert time_left(closes_at=1000.0, now=699.6) == timedelta(seconds=300)
    assert time_left(closes_at=1000.0, now=1000.2) == timedelta(seconds=1)
