"""Reading `!dialogue schedule` times: the forms, the future-only window, DST nights, durations, and the messages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling import (
    MAX_AHEAD,
    WhenError,
    describe,
    format_duration,
    parse_duration,
    parse_when,
    split_schedule_arguments,
)

ZURICH = ZoneInfo("Europe/Zurich")
UTC_ZONE = ZoneInfo("UTC")
# Friday 20 Nov 2026, 13:00 in Zurich (CET, UTC+1): winter time, far from either DST night.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# Saturday 28 Mar 2026, 13:00 CET: the night after, Zurich springs forward (02:00 -> 03:00).
BEFORE_SPRING = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
# Saturday 24 Oct 2026, 14:00 CEST: the night after, Zurich falls back (03:00 -> 02:00).
BEFORE_FALL = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def when(text: str, now: datetime = NOW, tz: ZoneInfo = ZURICH) -> datetime:
    return parse_when(text, now=now, tz=tz)


# --- accepted forms ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01 10:00", utc(2026, 12, 1, 9, 0)),
        ("2026-12-01T10:00", utc(2026, 12, 1, 9, 0)),
        ("2026-12-01 10:00:30", utc(2026, 12, 1, 9, 0, 30)),
        ("2026-12-01t10:00", utc(2026, 12, 1, 9, 0)),
        ("  2026-12-01   10:00 ", utc(2026, 12, 1, 9, 0)),
    ],
)
def test_an_iso_date_time_without_offset_is_wall_clock_time_in_the_dialogues_zone(text, expected):
    assert when(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T10:00+01:00", utc(2026, 12, 1, 9, 0)),
        ("2026-12-01T10:00+0100", utc(2026, 12, 1, 9, 0)),
        ("2026-12-01T04:00-05:00", utc(2026, 12, 1, 9, 0)),
        ("2026-12-01T09:00Z", utc(2026, 12, 1, 9, 0)),
        ("2026-12-01t09:00z", utc(2026, 12, 1, 9, 0)),
        ("2026-12-01 09:00 UTC", utc(2026, 12, 1, 9, 0)),
    ],
)
def test_an_iso_date_time_with_an_offset_or_z_is_taken_as_written(text, expected):
    assert when(text) == expected


def test_the_offset_wins_over_the_dialogues_zone():
    assert when("2026-12-01T10:00+01:00", tz=ZoneInfo("America/New_York")) == utc(2026, 12, 1, 9, 0)


@pytest.mark.parametrize("text", ["2026-12-01 10:00", "2026-12-01T10:00+01:00", "in 2h", "tomorrow 09:30", "14:00"])
def test_every_form_returns_an_aware_datetime_in_utc(text):
    result = when(text)
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "elapsed"),
    [
        ("in 10m", timedelta(minutes=10)),
        ("in 2h", timedelta(hours=2)),
        ("in 1h30m", timedelta(hours=1, minutes=30)),
        ("in 90s", timedelta(seconds=90)),
        ("in 2d", timedelta(days=2)),
        ("in 10 minutes", timedelta(minutes=10)),
        ("in 2 hours", timedelta(hours=2)),
        ("in 1 hour 30 minutes", timedelta(hours=1, minutes=30)),
        ("in 1h 30m", timedelta(hours=1, minutes=30)),
        ("In 1 Hour And 30 Minutes", timedelta(hours=1, minutes=30)),
        ("in 1 min", timedelta(minutes=1)),
    ],
)
def test_a_relative_time_is_that_much_after_now(text, elapsed):
    assert when(text) == NOW + elapsed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today 14:00", utc(2026, 11, 20, 13, 0)),
        ("TODAY 23:59", utc(2026, 11, 20, 22, 59)),
        ("tomorrow 09:30", utc(2026, 11, 21, 8, 30)),
        ("tomorrow 9:30", utc(2026, 11, 21, 8, 30)),
        ("Tomorrow at 09:30", utc(2026, 11, 21, 8, 30)),
        ("tomorrow 00:00", utc(2026, 11, 20, 23, 0)),
    ],
)
def test_today_and_tomorrow_are_wall_clock_times_in_the_dialogues_zone(text, expected):
    assert when(text) == expected


def test_today_and_tomorrow_follow_the_local_date_not_the_utc_date():
    late_evening_utc_already_tomorrow_in_tokyo = utc(2026, 11, 20, 20, 0)  # Sat 21 Nov 05:00 in Tokyo
    tokyo = ZoneInfo("Asia/Tokyo")
    assert when("today 09:00", late_evening_utc_already_tomorrow_in_tokyo, tokyo) == utc(2026, 11, 21, 0, 0)


# --- bare HH:MM: the next occurrence -------------------------------------------------------------------------------


def test_a_bare_time_still_ahead_today_is_today():
    assert when("14:00") == utc(2026, 11, 20, 13, 0)


def test_a_bare_time_already_passed_today_is_tomorrow():
    assert when("09:30") == utc(2026, 11, 21, 8, 30)


def test_a_bare_time_equal_to_now_is_tomorrow():
    assert when("13:00") == utc(2026, 11, 21, 12, 0)


def test_a_bare_time_passed_today_is_tomorrow_at_the_same_wall_time_across_spring_forward():
    assert when("09:30", now=BEFORE_SPRING) == datetime(2026, 3, 29, 9, 30, tzinfo=ZURICH)


def test_a_bare_time_in_the_repeated_hour_is_the_second_occurrence_once_the_first_has_passed():
    # 02:45 on the first pass (summer time, 00:45 UTC): the next 02:30 on the clock is the winter-time one.
    first_pass_0245 = datetime(2026, 10, 25, 2, 45, tzinfo=ZURICH, fold=0)
    assert when("02:30", now=first_pass_0245) == utc(2026, 10, 25, 1, 30)


def test_a_bare_time_in_the_repeated_hour_is_the_first_occurrence_while_both_are_ahead():
    assert when("02:30", now=utc(2026, 10, 24, 23, 0)) == utc(2026, 10, 25, 0, 30)


def test_a_bare_time_skipped_by_the_clock_later_tonight_is_refused():
    one_am_before_the_jump = datetime(2026, 3, 29, 1, 0, tzinfo=ZURICH)
    with pytest.raises(WhenError, match="skips that hour"):
        when("02:30", now=one_am_before_the_jump)


def test_a_bare_time_skipped_by_the_clock_earlier_today_is_tomorrow():
    ten_am_after_the_jump = datetime(2026, 3, 29, 10, 0, tzinfo=ZURICH)
    assert when("02:30", now=ten_am_after_the_jump) == datetime(2026, 3, 30, 2, 30, tzinfo=ZURICH)


# --- the window: future only, at most 366 days ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-11-01 10:00", "today 09:00", "2026-11-20T11:59Z", "2025-12-01 10:00"])
def test_a_moment_in_the_past_is_refused(text):
    with pytest.raises(WhenError, match="is in the past"):
        when(text)


def test_the_present_moment_itself_is_refused_as_past():
    with pytest.raises(WhenError, match="is in the past"):
        when("2026-11-20T12:00Z")


def test_a_relative_time_of_zero_is_refused():
    with pytest.raises(WhenError, match="not in the future"):
        when("in 0m")


def test_exactly_366_days_ahead_is_accepted():
    assert when("in 366d") == NOW + MAX_AHEAD


@pytest.mark.parametrize(
    "text", ["in 366d 1m", "in 367 days", "2027-11-21T12:01Z", "2028-06-01 10:00", "9999-12-31 23:59"]
)
def test_more_than_366_days_ahead_is_refused(text):
    with pytest.raises(WhenError, match="more than 366 days ahead"):
        when(text)


def test_a_far_past_year_is_refused_without_overflowing():
    with pytest.raises(WhenError, match="in the past"):
        when("0001-01-01 00:00", tz=ZoneInfo("Asia/Tokyo"))


# --- DST: nonexistent and ambiguous wall times ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-03-29 02:30", "2026-03-29T02:00", "2026-03-29 02:59:59"])
def test_a_wall_time_the_clock_skips_is_refused(text):
    with pytest.raises(WhenError, match="does not exist in Europe/Zurich: the clock skips that hour"):
        when(text, now=BEFORE_SPRING)


def test_tomorrow_at_a_skipped_wall_time_is_refused():
    with pytest.raises(WhenError, match="skips that hour"):
        when("tomorrow 02:30", now=BEFORE_SPRING)


def test_the_refusal_of_a_skipped_time_suggests_the_same_time_one_hour_later():
    with pytest.raises(WhenError, match=re.escape('e.g. "2026-03-29 03:30"')):
        when("2026-03-29 02:30", now=BEFORE_SPRING)


def test_an_offset_makes_a_time_in_the_local_gap_unambiguous():
    assert when("2026-03-29T02:30+01:00", now=BEFORE_SPRING) == utc(2026, 3, 29, 1, 30)


@pytest.mark.parametrize(
    ("text", "now"),
    [("2026-10-25 02:30", BEFORE_FALL), ("tomorrow 02:30", BEFORE_FALL), ("today 02:30", utc(2026, 10, 24, 23, 0))],
)
def test_a_wall_time_the_clock_repeats_is_its_first_occurrence_in_summer_time(text, now):
    assert when(text, now=now) == utc(2026, 10, 25, 0, 30)  # 02:30 CEST; the second 02:30 CET is 01:30 UTC


@pytest.mark.parametrize(
    ("now", "expected_utc"),
    [(BEFORE_SPRING, utc(2026, 3, 29, 7, 30)), (BEFORE_FALL, utc(2026, 10, 25, 8, 30))],
    ids=["spring-forward", "fall-back"],
)
def test_tomorrow_across_a_dst_night_keeps_the_local_wall_time(now, expected_utc):
    result = when("tomorrow 09:30", now=now)
    assert result == expected_utc
    assert (result.astimezone(ZURICH).date(), result.astimezone(ZURICH).strftime("%H:%M")) == (
        now.astimezone(ZURICH).date() + timedelta(days=1),
        "09:30",
    )


@pytest.mark.parametrize(
    ("now", "text", "expected_local"),
    [
        (BEFORE_SPRING, "in 1d", datetime(2026, 3, 29, 14, 0, tzinfo=ZURICH)),  # 13:00 CET + 24 h = 14:00 CEST
        (BEFORE_SPRING, "in 24h", datetime(2026, 3, 29, 14, 0, tzinfo=ZURICH)),
        (BEFORE_FALL, "in 1d", datetime(2026, 10, 25, 13, 0, tzinfo=ZURICH)),  # 14:00 CEST + 24 h = 13:00 CET
        (BEFORE_FALL, "in 24 hours", datetime(2026, 10, 25, 13, 0, tzinfo=ZURICH)),
    ],
)
@pytest.mark.parametrize("now_zone", [UTC, ZURICH], ids=["now-in-utc", "now-in-zurich"])
def test_a_relative_time_across_a_dst_night_is_exact_elapsed_time(now, text, expected_local, now_zone):
    result = when(text, now=now.astimezone(now_zone))
    assert result == now + timedelta(hours=24)
    assert result == expected_local


# --- durations -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45m", timedelta(minutes=45)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2h", timedelta(hours=2)),
        ("90s", timedelta(seconds=90)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("90 minutes", timedelta(minutes=90)),
        ("1 hour 30 minutes", timedelta(hours=1, minutes=30)),
        ("  2H ", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
    ],
)
def test_a_valid_duration_is_read(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0m", "no time at all"),
        ("0h 0m", "no time at all"),
        ("-30m", "negative"),
        ("8d", "longer than 7 days"),
        ("7d 1s", "longer than 7 days"),
        ("1.5h", "Could not read"),
        ("90", "Could not read"),
        ("1h 1h", "Could not read"),
        ("1month", "Could not read"),
        ("soon", "Could not read"),
        ("", "Give a duration"),
    ],
)
def test_an_invalid_duration_is_refused(text, reason):
    with pytest.raises(WhenError, match=reason):
        parse_duration(text)


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(minutes=45), "45m"),
        (timedelta(hours=2), "2h"),
        (timedelta(seconds=90), "1m30s"),
        (timedelta(hours=26), "1d2h"),
        (timedelta(days=7), "7d"),
        (timedelta(0), "0m"),
        (timedelta(minutes=5, microseconds=900), "5m"),
    ],
)
def test_format_duration_writes_the_shortest_form(delta, expected):
    assert format_duration(delta) == expected


@pytest.mark.parametrize("text", ["45m", "1h30m", "90 minutes", "1 hour 30 minutes", "2d 3h 4m 5s", "7d"])
def test_a_formatted_duration_reads_back_as_the_same_duration(text):
    assert parse_duration(format_duration(parse_duration(text))) == parse_duration(text)


def test_format_duration_refuses_a_negative_delta():
    with pytest.raises(ValueError, match="negative"):
        format_duration(timedelta(minutes=-1))


# --- split_schedule_arguments --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01 10:00 for 1h30m", ("2026-12-01 10:00", "1h30m")),
        ("in 2h FOR 45m", ("in 2h", "45m")),
        ("  tomorrow 09:30   for   1 hour 30 minutes  ", ("tomorrow 09:30", "1 hour 30 minutes")),
    ],
)
def test_split_separates_the_time_from_the_duration_at_for(text, expected):
    assert split_schedule_arguments(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("2026-12-01 10:00", "2026-12-01 10:00"), (" in 2h ", "in 2h")])
def test_split_without_for_gives_no_duration(text, expected):
    assert split_schedule_arguments(text) == (expected, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("for 1h", 'Give a time before "for"'),
        ("tomorrow 09:30 for", 'Give a duration after "for"'),
        ("  ", "Give a time"),
    ],
)
def test_split_refuses_a_missing_time_or_a_missing_duration(text, reason):
    with pytest.raises(WhenError, match=reason):
        split_schedule_arguments(text)


def test_split_parts_feed_the_parsers():
    moment, duration = split_schedule_arguments("2026-12-01 10:00 for 1h30m")
    assert (when(moment), parse_duration(duration)) == (utc(2026, 12, 1, 9, 0), timedelta(hours=1, minutes=30))


# --- describe ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "tz", "expected"),
    [
        (utc(2026, 12, 1, 9, 0), ZURICH, "Tue 1 Dec 2026, 10:00 Europe/Zurich (09:00 UTC)"),
        (utc(2026, 7, 1, 8, 0), ZURICH, "Wed 1 Jul 2026, 10:00 Europe/Zurich (08:00 UTC)"),
        (utc(2026, 12, 1, 9, 0), UTC_ZONE, "Tue 1 Dec 2026, 09:00 UTC"),
        (utc(2026, 11, 30, 23, 30), ZURICH, "Tue 1 Dec 2026, 00:30 Europe/Zurich (Mon 30 Nov, 23:30 UTC)"),
        (utc(2026, 12, 1, 9, 1, 30), ZURICH, "Tue 1 Dec 2026, 10:01:30 Europe/Zurich (09:01:30 UTC)"),
    ],
    ids=["zurich-winter", "zurich-summer", "utc", "utc-on-the-previous-day", "seconds"],
)
def test_describe_gives_the_local_time_with_utc_beside_it(moment, tz, expected):
    assert describe(moment, tz) == expected


def test_describe_tells_the_two_occurrences_of_a_repeated_hour_apart():
    first, second = describe(utc(2026, 10, 25, 0, 30), ZURICH), describe(utc(2026, 10, 25, 1, 30), ZURICH)
    assert (first, second) == (
        "Sun 25 Oct 2026, 02:30 Europe/Zurich (00:30 UTC)",
        "Sun 25 Oct 2026, 02:30 Europe/Zurich (01:30 UTC)",
    )


def test_describe_accepts_a_moment_in_any_zone():
    assert describe(datetime(2026, 12, 1, 4, 0, tzinfo=ZoneInfo("America/New_York")), ZURICH) == (
        "Tue 1 Dec 2026, 10:00 Europe/Zurich (09:00 UTC)"
    )


# --- messages and misuse -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "example"),
    [
        ("next tuesday", '"tomorrow 09:30"'),
        ("banana", '"in 2h"'),
        ("", '"tomorrow 09:30"'),
        ("in", '"in 10m"'),
        ("in 1.5h", '"in 1h30m"'),
        ("in 1month", '"in 10m"'),
        ("2026-12-01", '"2026-12-01 10:00"'),
        ("2026-02-30 10:00", '"tomorrow 09:30"'),
        ("25:00", '"tomorrow 09:30"'),
        ("tomorrow 9:5", '"in 2h"'),
        ("9:30pm", '"tomorrow 09:30"'),
        ("2026-12-01T10:00+25:00", '"2026-12-01T10:00+01:00"'),
    ],
)
def test_unreadable_when_gives_a_one_line_message_with_a_valid_example(text, example):
    with pytest.raises(WhenError) as caught:
        when(text)
    message = str(caught.value)
    assert example in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "now"),
    [
        ("banana", NOW),
        ("2026-11-01 10:00", NOW),
        ("in 400d", NOW),
        ("in 0m", NOW),
        ("25:00", NOW),
        ("2026-03-29 02:30", BEFORE_SPRING),
        ("2026-12-01", NOW),
    ],
)
def test_every_example_a_when_error_offers_is_itself_accepted_at_that_moment(text, now):
    with pytest.raises(WhenError) as caught:
        when(text, now=now)
    quoted = re.findall(r'"([^"]+)"', str(caught.value))
    examples = [q for q in quoted if q != text]
    assert examples
    for example in examples:
        parse_when(example, now=now, tz=ZURICH)


@pytest.mark.parametrize("text", ["soon", "0m", "-30m", "8d"])
def test_a_duration_error_offers_a_valid_duration(text):
    with pytest.raises(WhenError) as caught:
        parse_duration(text)
    assert '"1h30m"' in str(caught.value)


def test_when_error_is_a_value_error():
    assert issubclass(WhenError, ValueError)


@pytest.mark.parametrize(
    "call", [lambda: when("in 2h", now=datetime(2026, 11, 20, 12, 0)), lambda: describe(datetime(2026, 12, 1), ZURICH)]
)
def test_a_naive_datetime_is_a_programming_error_not_a_moderator_error(call):
    with pytest.raises(ValueError, match="timezone-aware") as caught:
        call()
    assert not isinstance(caught.value, WhenError)
