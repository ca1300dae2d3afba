"""Times and durations the way French and Spanish write them, English unchanged (scheduling/when.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling import describe, format_duration

ZURICH = ZoneInfo("Europe/Zurich")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize("language", [None, "en", "ru"])
def test_english_times_and_durations_stay_as_they_were_also_inside_a_sentence_that_falls_back_to_english(language):
    assert describe(utc(2026, 12, 1, 9, 0), ZURICH, language) == "Tue 1 Dec 2026, 10:00 Europe/Zurich (09:00 UTC)"
    assert format_duration(timedelta(hours=1, minutes=30), language) == "1h30m"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "mar. 1 déc. 2026, 10:00 Europe/Zurich (09:00 UTC)"),
        ("es", "mar, 1 dic 2026, 10:00 Europe/Zurich (9:00 UTC)"),
    ],
)
def test_a_moment_is_written_the_languages_way(language, expected):
    assert describe(utc(2026, 12, 1, 9, 0), ZURICH, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "mar. 1 déc. 2026, 00:30:15 Europe/Zurich (lun. 30 nov., 23:30:15 UTC)"),
        ("es", "mar, 1 dic 2026, 0:30:15 Europe/Zurich (lun, 30 nov, 23:30:15 UTC)"),
    ],
)
def test_the_utc_part_names_its_own_day_and_seconds_show_when_they_matter(language, expected):
    assert describe(utc(2026, 11, 30, 23, 30, 15), ZURICH, language) == expected


@pytest.mark.parametrize(
    ("language", "delta", "expected"),
    [
        ("fr", timedelta(hours=1, minutes=30), "1\u00a0heure et 30 minutes"),
        ("fr", timedelta(minutes=10), "10 minutes"),
        ("fr", timedelta(days=1, hours=2, seconds=5), "1\u00a0jour, 2\u00a0heures et 5\u00a0secondes"),
        ("fr", timedelta(0), "0 minute"),
        ("es", timedelta(hours=1, minutes=30), "1 hora y 30 minutos"),
        ("es", timedelta(minutes=1), "1 minuto"),
    ],
)
def test_a_duration_in_prose_is_written_out_in_the_language(language, delta, expected):
    # As CLDR writes them: French keeps some numbers to their unit with a no-break space (\u00a0).
    assert format_duration(delta, language) == expected
