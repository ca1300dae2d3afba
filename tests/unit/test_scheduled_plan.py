"""The scheduler's plan, from stored schedules and a controllable clock: when each action runs, and which are missed."""

from __future__ import annotations

from handlers.scheduled import PlannedAction, plan_actions
from storage import ClosingWindow, Schedule

NOW = 1_800_000_000.0
GRACE = 15 * 60


def schedule(opens_at: float, challenge_id: int = 1) -> Schedule:
    return Schedule(challenge_id, 1, "!r:x", challenge_id, opens_at, None, "scheduled")


def window(closes_at: float, reminder: float | None = 600) -> ClosingWindow:
    return ClosingWindow(7, 1, "!r:x", 2, closes_at, reminder)


def only(plan: list[PlannedAction]) -> PlannedAction:
    assert len(plan) == 1, plan
    return plan[0]


def test_a_future_opening_runs_at_its_time():
    action = only(plan_actions([schedule(NOW + 60)], [], now=NOW, grace_seconds=GRACE))
    assert (action.action, action.run_at) == ("open", NOW + 60)


def test_an_opening_missed_within_the_grace_period_runs_now():
    action = only(plan_actions([schedule(NOW - GRACE)], [], now=NOW, grace_seconds=GRACE))
    assert (action.action, action.run_at) == ("open", NOW)


def test_an_opening_missed_beyond_the_grace_period_is_reported_instead():
    action = only(plan_actions([schedule(NOW - GRACE - 1)], [], now=NOW, grace_seconds=GRACE))
    assert (action.action, action.run_at) == ("missed", NOW)


def test_the_same_opening_planned_late_or_on_time_has_one_event_id():
    on_time = only(plan_actions([schedule(NOW + 5)], [], now=NOW, grace_seconds=GRACE))
    late = only(plan_actions([schedule(NOW + 5)], [], now=NOW + 60, grace_seconds=GRACE))
    assert on_time.event_id == late.event_id


def test_a_reminder_comes_its_lead_time_before_the_close():
    remind, close = plan_actions([], [window(NOW + 3600)], now=NOW, grace_seconds=GRACE)
    assert (remind.action, remind.run_at) == ("remind", NOW + 3000)
    assert (close.action, close.run_at) == ("close", NOW + 3600)


def test_after_a_restart_inside_the_reminder_period_the_reminder_runs_now():
    remind, close = plan_actions([], [window(NOW + 300)], now=NOW, grace_seconds=GRACE)
    assert (remind.action, remind.run_at) == ("remind", NOW)
    assert close.run_at == NOW + 300


def test_a_close_that_passed_while_the_bot_was_down_runs_now_without_a_reminder():
    action = only(plan_actions([], [window(NOW - 10)], now=NOW, grace_seconds=GRACE))
    assert (action.action, action.run_at) == ("close", NOW)


def test_reminders_switched_off_plan_only_the_close():
    assert only(plan_actions([], [window(NOW + 3600, reminder=None)], now=NOW, grace_seconds=GRACE)).action == "close"


def test_internal_events_have_no_sender_so_no_room_member_can_forge_one():
    source = only(plan_actions([schedule(NOW + 1)], [], now=NOW, grace_seconds=GRACE)).inbox_source()
    assert source["sender"] == "" and source["type"] == "dialogue_bot.scheduled"


def test_a_digest_runs_at_the_next_local_time_across_a_clock_change():
    from datetime import UTC, datetime

    from storage import DigestSetting

    saturday_noon = datetime(2026, 3, 28, 12, 0, tzinfo=UTC).timestamp()  # Zurich moves to summer time that night
    digest = DigestSetting(3, "!r:x", "08:30", "Europe/Zurich")
    action = only(plan_actions([], [], now=saturday_noon, grace_seconds=GRACE, digests=[digest]))
    assert action.action == "digest" and action.subject_id == 3
    assert datetime.fromtimestamp(action.run_at, UTC) == datetime(2026, 3, 29, 6, 30, tzinfo=UTC)
