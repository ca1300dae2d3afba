"""Reading and writing the `<when>` and `<duration>` of `!dialogue schedule <n> <when> [for <duration>]`.

Moderators type times in the dialogue's own time zone; the bot stores and schedules in UTC. Everything here is a
pure function of its arguments: nothing reads the clock (`now` is always passed in, aware) and nothing does I/O, so
the tests can put "now" on either side of a daylight-saving change.

Accepted `<when>` forms (case-insensitive, surrounding and repeated whitespace ignored):

- ISO 8601 date and time, `2026-12-01 10:00`, `2026-12-01T10:00`, `2026-12-01 10:00:30`: read as wall-clock time in
  the dialogue's zone. With an offset, `Z` or a trailing `UTC` (`2026-12-01T10:00+01:00`, `2026-12-01T09:00Z`,
  `2026-12-01 09:00 UTC`) the time is taken as written.
- Relative, `in 10m`, `in 1h30m`, `in 90s`, `in 2d`, `in 1 hour 30 minutes`: exact elapsed time from `now`, so
  "in 24h" across a clock change is still 24 real hours (the wall clock then shows 23 or 25 hours later).
- `today HH:MM`, `tomorrow HH:MM` (`at` may follow the day word), and a bare `HH:MM`, all wall-clock times in the
  dialogue's zone. "tomorrow" is the next calendar day, so `tomorrow 09:30` is 09:30 on the clock even when the
  night in between is 23 or 25 hours long.

Wall-clock rules, because a local time does not always name exactly one instant:

- A time that does not exist (the hour skipped when summer time starts, e.g. 2026-03-29 02:30 in Europe/Zurich) is
  refused with a WhenError that says so and suggests the same time one gap later; guessing would silently move a
  session by an hour.
- A time that exists twice (the hour repeated when summer time ends, e.g. 2026-10-25 02:30 in Europe/Zurich) is
  taken as its FIRST occurrence (fold=0, still on summer time). `describe()` shows the UTC time beside it, so the
  moderator sees which one was meant.
- A bare `HH:MM` is the next time the clock shows it: today if that is still ahead of `now`, else tomorrow. On the
  night the clock falls back, if the first 02:30 has passed but the second has not, the second is the next one.
  If today's time falls in a gap that is still ahead, it is refused like any other nonexistent time.

Every result must lie after `now` and at most 366 days ahead; a duration must be positive and at most 7 days.
Errors are WhenError (a ValueError) whose message is one line a moderator can act on, with an example that works.

Why hand-written rather than `dateparser` (1.5.0 was tried on exactly these forms): it reads them all, but with
Europe/Zurich and `now` = 2026-03-28 12:00Z it puts "tomorrow 09:30" at 08:30Z instead of 07:30Z (it keeps the
offset of `now` across the spring-forward night), accepts the nonexistent 2026-03-29 02:30 without complaint,
returns past dates, and reads a bare duration like "1h30m" as a time. Working around that would mean re-parsing its
output, and it brings `regex`, `pytz` and `tzlocal` with it. The grammar here is small enough to state in a few
regular expressions, and `zoneinfo` gives the DST facts directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from i18n import COMPLETE_LANGUAGES, SOURCE_LANGUAGE, bot_marked

__all__ = [
    "MAX_AHEAD",
    "MAX_DURATION",
    "WhenError",
    "describe",
    "format_duration",
    "parse_duration",
    "parse_when",
    "split_schedule_arguments",
]

MAX_AHEAD = timedelta(days=366)
"""How far ahead an agenda item may be scheduled: a year, plus a day so "the same day next year" still fits."""

MAX_DURATION = timedelta(days=7)
"""The longest an agenda item may run; anything longer is almost certainly a typo (e.g. "90h" for "90m")."""


class WhenError(ValueError):
    """A `<when>` or `<duration>` that cannot be used; the message is one line for the moderator, with an example.

    As handlers' ``UsageError``: the message is marked whole (``bot_marked``) with named placeholders, and `values`
    fill them after the reply translates it. ``str()`` gives the English, filled.
    """

    def __init__(self, message: str, /, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values

    def __str__(self) -> str:
        return self.message.format(**self.values_in(None)) if self.values else self.message

    def values_in(self, language: str | None) -> dict[str, object]:
        """The values, a moment among them written as `language` writes one (see `describe`)."""
        return {
            name: describe(value.moment, value.tz, language) if isinstance(value, _Moment) else value
            for name, value in self.values.items()
        }


@dataclass(frozen=True, slots=True)
class _Moment:
    """A moment quoted in a WhenError, written out only once the reader's language is known."""

    moment: datetime
    tz: ZoneInfo


# --- grammar -------------------------------------------------------------------------------------------------------

# Units of an amount, longest spelling first within each unit so the alternation does not stop early.
_UNITS = {
    "d": ("days", "day", "d"),
    "h": ("hours", "hour", "hrs", "hr", "h"),
    "m": ("minutes", "minute", "mins", "min", "m"),
    "s": ("seconds", "second", "secs", "sec", "s"),
}
_UNIT_SECONDS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_SPELLING_TO_UNIT = {spelling: unit for unit, spellings in _UNITS.items() for spelling in spellings}
_UNIT_ALTERNATION = "|".join(sorted(_SPELLING_TO_UNIT, key=len, reverse=True))
# One "<number><unit>" part; the look-ahead stops "1month" from being read as "1m" + "onth".
_PART = re.compile(rf"(\d{{1,12}})\s*({_UNIT_ALTERNATION})(?![a-z])", re.ASCII)
# What may separate two parts: nothing ("1h30m"), spaces, a comma or "and".
_SEPARATOR = re.compile(r"\s*,\s*|\s+and\s+|\s*", re.ASCII)

_ISO = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[t ]"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s?(?P<offset>z|utc|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,
)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DAY_AND_TIME = re.compile(r"(?:(?P<day>today|tomorrow)\s+(?:at\s+)?)?(?P<hour>\d{1,2}):(?P<minute>\d{2})", re.ASCII)
_FOR = re.compile(r"(?:^|\s)for(?:\s|$)", re.IGNORECASE)

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UTC_KEYS = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Zulu", "Zulu", "Universal", "Etc/Universal"})


# --- public API ----------------------------------------------------------------------------------------------------


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """Read a moderator's `<when>` as an aware UTC datetime strictly after `now` and at most MAX_AHEAD later.

    `now` is passed in (never read here) so the rules can be tested at any moment, DST nights included; `tz` is the
    dialogue's zone, used for every time written without an offset. See the module docstring for the forms and for
    how nonexistent and ambiguous wall-clock times are treated. Raises WhenError with a one-line, actionable message.
    """
    _require_aware(now, "now")
    # Compare in UTC only: two datetimes sharing one ZoneInfo compare by wall time and ignore fold.
    now = now.astimezone(UTC)
    written = " ".join(text.split())
    normalised = written.lower()
    if not normalised:
        raise WhenError(
            bot_marked('Give a time for the item, e.g. "{date} 10:00", "tomorrow 09:30" or "in 2h".'),
            date=_example_date(now, tz),
        )

    if normalised.startswith("in ") or normalised == "in":
        moment = _parse_relative(normalised[3:], written, now, tz)
    elif match := _ISO.fullmatch(normalised):
        moment = _parse_iso(match, written, now, tz)
    elif match := _DAY_AND_TIME.fullmatch(normalised):
        moment = _parse_day_and_time(match, written, now, tz)
    elif _DATE_ONLY.fullmatch(normalised):
        raise WhenError(bot_marked('"{written}" has no time of day; add one, e.g. "{written} 10:00".'), written=written)
    else:
        raise WhenError(
            bot_marked(
                'Could not read "{written}" as a time; write e.g. "{date} 10:00", "tomorrow 09:30" '
                'or "in 2h" (times without an offset are in {zone}).'
            ),
            written=written,
            date=_example_date(now, tz),
            zone=_zone_name(tz),
        )

    moment = moment.astimezone(UTC)
    if moment <= now:
        raise WhenError(
            bot_marked(
                '"{written}" is in the past: it was {moment}. Give a future time, e.g. "{date} '
                '10:00", "tomorrow 09:30" or "in 2h".'
            ),
            written=written,
            moment=_Moment(moment, tz),
            date=_example_date(now, tz),
        )
    if moment - now > MAX_AHEAD:
        raise WhenError(
            bot_marked(
                '"{written}" is more than 366 days ahead: {moment}. Schedule within a year, e.g. '
                '"{date} 10:00", "tomorrow 09:30" or "in 2h".'
            ),
            written=written,
            moment=_Moment(moment, tz),
            date=_example_date(now, tz),
        )
    return moment


def parse_duration(text: str) -> timedelta:
    """Read a moderator's `<duration>` ("45m", "1h30m", "1 hour 30 minutes", ...) as a positive timedelta.

    The unit grammar is the one `in ...` uses, so a moderator learns it once. A duration must be more than zero and
    at most MAX_DURATION: an agenda item that lasts nothing, or for weeks, is a typo rather than a plan.
    """
    written = " ".join(text.split())
    normalised = written.lower()
    if not normalised:
        raise WhenError(bot_marked('Give a duration after "for", e.g. "45m", "1h30m" or "90 minutes".'))
    if normalised.startswith("-"):
        raise WhenError(
            bot_marked('"{written}" is negative; a duration must be positive, e.g. "45m", "1h30m" or "90 minutes".'),
            written=written,
        )
    seconds = _parse_amount(normalised)
    if seconds is None:
        raise WhenError(
            bot_marked('Could not read "{written}" as a duration; write e.g. "45m", "1h30m" or "90 minutes".'),
            written=written,
        )
    if seconds == 0:
        raise WhenError(
            bot_marked(
                '"{written}" is no time at all; a duration must be positive, e.g. "45m", "1h30m" or "90 minutes".'
            ),
            written=written,
        )
    if seconds > MAX_DURATION.total_seconds():
        raise WhenError(
            bot_marked(
                '"{written}" is longer than 7 days; give a shorter duration, e.g. "45m", "1h30m" or "90 minutes".'
            ),
            written=written,
        )
    return timedelta(seconds=seconds)


def split_schedule_arguments(text: str) -> tuple[str, str | None]:
    """Split `<when> [for <duration>]` into its two parts, e.g. "2026-12-01 10:00 for 1h30m" -> (".. 10:00", "1h30m").

    The word "for" (any case, on its own) cannot occur in any `<when>` form, so the first one is the divider. Both
    parts come back stripped and otherwise as written, for the parsers to read and quote. Raises WhenError when the
    `<when>` is missing, or when "for" is given without a duration, because those are the moderator's to fix.
    """
    stripped = text.strip()
    divider = _FOR.search(stripped)
    if divider is None:
        if not stripped:
            raise WhenError(bot_marked('Give a time for the item, e.g. "tomorrow 09:30 for 1h" or "in 2h".'))
        return stripped, None
    when = stripped[: divider.start()].strip()
    duration = stripped[divider.end() :].strip()
    if not when:
        raise WhenError(
            bot_marked('Give a time before "for", e.g. "tomorrow 09:30 for {duration}".'), duration=duration or "1h"
        )
    if not duration:
        raise WhenError(bot_marked('Give a duration after "for", e.g. "{when} for 1h30m".'), when=when)
    return when, duration


def describe(moment: datetime, tz: ZoneInfo, language: str | None = None) -> str:
    """Say when `moment` is, for people in `tz` and in UTC: "Tue 1 Dec 2026, 10:00 Europe/Zurich (09:00 UTC)".

    The bot echoes this back after scheduling so the moderator can check what it understood: the local time is what
    participants see, the UTC time tells the two occurrences of an ambiguous hour apart. Names are English and fixed
    (not the process locale) so the output is the same everywhere. Seconds are shown only when not zero; the UTC
    part names its own day when that differs from the local day; for a UTC zone the part in brackets is left out.

    In another `language` (French, Spanish …) the day, date and clock are written that language's way, from Babel's
    CLDR data ("mar. 1 déc. 2026, 10:00 Europe/Zurich (09:00 UTC)"); the zone keeps its IANA name, which is what
    moderators type.
    """
    _require_aware(moment, "moment")
    local = moment.astimezone(tz)
    utc = moment.astimezone(UTC)
    english, code = _is_english(language), language or "en"
    text = f"{_day(local)}, {_clock(local)}" if english else _local_moment(local, code, with_year=True)
    text = f"{text} {_zone_name(tz)}"
    if _zone_name(tz) in _UTC_KEYS:
        return text
    if local.date() != utc.date():
        utc_day = f"{_day(utc, with_year=False)}, {_clock(utc)}" if english else _local_moment(utc, code)
        return f"{text} ({utc_day} UTC)"
    return f"{text} ({_clock(utc) if english else _local_clock(utc, code)} UTC)"


def format_duration(delta: timedelta, language: str | None = None) -> str:
    """Write a duration the way `parse_duration` reads it, shortest form first: "1h30m", "45m", "2h", "1d2h", "90s".

    Round-tripping through `parse_duration` gives the same value (to the second; microseconds are dropped), so what
    the bot echoes can be pasted back into a command. Zero is "0m". A negative delta is a programming error.

    In another `language` the duration is for reading in a sentence, not for pasting: each unit written out with
    Babel's CLDR data and the units listed the language's way ("1 heure et 30 minutes", "1 hora y 30 minutos"), to
    the same second.
    """
    if delta < timedelta(0):
        raise ValueError(f"a duration cannot be negative: {delta!r}")
    remaining = int(delta.total_seconds())
    english, code = _is_english(language), language or "en"
    if remaining == 0:
        return "0m" if english else _unit_words(0, "m", code)
    parts = []
    for unit in ("d", "h", "m", "s"):
        count, remaining = divmod(remaining, _UNIT_SECONDS[unit])
        if count:
            parts.append(f"{count}{unit}" if english else _unit_words(count, unit, code))
    if english:
        return "".join(parts)
    from babel.lists import format_list

    return format_list(parts, locale=code)


# --- the forms -----------------------------------------------------------------------------------------------------


def _parse_relative(amount: str, written: str, now: datetime, tz: ZoneInfo) -> datetime:
    """`in <amount>`: exact elapsed time, so the arithmetic is done in UTC, never on the wall clock."""
    seconds = _parse_amount(amount.strip())
    if seconds is None:
        raise WhenError(
            bot_marked('Could not read "{written}"; write e.g. "in 10m", "in 1h30m" or "in 2 hours".'), written=written
        )
    if seconds == 0:
        raise WhenError(
            bot_marked('"{written}" is now, not in the future; give an amount, e.g. "in 10m" or "in 2h".'),
            written=written,
        )
    if seconds > MAX_AHEAD.total_seconds():
        raise WhenError(
            bot_marked(
                '"{written}" is more than 366 days ahead; schedule within a year, e.g. "{date} '
                '10:00", "tomorrow 09:30" or "in 2h".'
            ),
            written=written,
            date=_example_date(now, tz),
        )
    return now.astimezone(UTC) + timedelta(seconds=seconds)


def _parse_iso(match: re.Match[str], written: str, now: datetime, tz: ZoneInfo) -> datetime:
    """ISO 8601 date and time: as written when it carries an offset, else wall-clock time in `tz`."""
    try:
        naive = datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
        )
    except ValueError:
        raise WhenError(
            bot_marked(
                '"{written}" is not a real date and time; write e.g. "{date} 10:00", "tomorrow 09:30" or "in 2h".'
            ),
            written=written,
            date=_example_date(now, tz),
        ) from None
    if not now.year - 1 <= naive.year <= now.year + 2:
        # Far outside the allowed window; refusing here also keeps zone arithmetic clear of year 1 and year 9999.
        # One whole message per side: "in the past" and "ahead" are not words to slot into a translation.
        if naive.year < now.year:
            problem = bot_marked(
                '"{written}" is in the past; schedule within a year, e.g. "{date} 10:00", "tomorrow 09:30" or "in 2h".'
            )
        else:
            problem = bot_marked(
                '"{written}" is more than 366 days ahead; schedule within a year, e.g. "{date} '
                '10:00", "tomorrow 09:30" or "in 2h".'
            )
        raise WhenError(problem, written=written, date=_example_date(now, tz))
    offset = match["offset"]
    if offset is None:
        return _resolve_wall_time(naive, tz, written)
    if offset in ("z", "utc"):
        return naive.replace(tzinfo=UTC)
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise WhenError(
            bot_marked('"{written}" has an impossible UTC offset; write e.g. "2026-12-01T10:00+01:00".'),
            written=written,
        )
    return naive.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))


def _parse_day_and_time(match: re.Match[str], written: str, now: datetime, tz: ZoneInfo) -> datetime:
    """`today HH:MM`, `tomorrow HH:MM` or a bare `HH:MM` (the next time the clock shows it), all in `tz`."""
    try:
        wall = time(int(match["hour"]), int(match["minute"]))
    except ValueError:
        raise WhenError(
            bot_marked('"{written}" is not a time of day; use a 24-hour clock, e.g. "tomorrow 09:30" or "14:00".'),
            written=written,
        ) from None
    local_now = now.astimezone(tz)
    today = local_now.date()
    if match["day"] == "today":
        return _resolve_wall_time(datetime.combine(today, wall), tz, written)
    if match["day"] == "tomorrow":
        return _resolve_wall_time(datetime.combine(today + timedelta(days=1), wall), tz, written)

    # Bare HH:MM: the next occurrence, today if the clock has not shown it yet.
    naive_today = datetime.combine(today, wall)
    if _gap(naive_today, tz):
        if naive_today > local_now.replace(tzinfo=None):
            _resolve_wall_time(naive_today, tz, written)  # still ahead, but skipped: raises, saying so
    else:
        for occurrence in _occurrences(naive_today, tz):
            if occurrence > now:
                return occurrence
    return _resolve_wall_time(datetime.combine(today + timedelta(days=1), wall), tz, written)


# --- helpers -------------------------------------------------------------------------------------------------------


def _parse_amount(text: str) -> int | None:
    """Total seconds of "1h30m" / "1 hour 30 minutes" / "90s", or None when it is not that grammar.

    Each unit may appear once; counting in whole seconds (never building a timedelta first) keeps absurd amounts
    from overflowing before the caller's limit check.
    """
    position, total, seen = 0, 0, set()
    while True:
        part = _PART.match(text, position)
        if part is None:
            return None
        unit = _SPELLING_TO_UNIT[part[2]]
        if unit in seen:
            return None
        seen.add(unit)
        total += int(part[1]) * _UNIT_SECONDS[unit]
        position = part.end()
        if position == len(text):
            return total
        separator = _SEPARATOR.match(text, position)
        position = separator.end() if separator else position


def _resolve_wall_time(naive: datetime, tz: ZoneInfo, written: str) -> datetime:
    """The instant a wall-clock time in `tz` names: refuse it in a DST gap, take the first of two when repeated."""
    gap = _gap(naive, tz)
    if gap:
        later = (naive + gap).strftime("%Y-%m-%d %H:%M")
        if gap == timedelta(hours=1):
            problem = bot_marked(
                '"{written}" does not exist in {zone}: the clock skips that hour when daylight saving time starts; '
                'pick another time, e.g. "{later}".'
            )
        else:
            problem = bot_marked(
                '"{written}" does not exist in {zone}: the clock skips {gap} there when daylight saving time '
                'starts; pick another time, e.g. "{later}".'
            )
        raise WhenError(problem, written=written, zone=_zone_name(tz), gap=format_duration(gap), later=later)
    return naive.replace(tzinfo=tz, fold=0)


def _gap(naive: datetime, tz: ZoneInfo) -> timedelta | None:
    """How far the clock jumps over `naive` in `tz`, or None when `naive` exists.

    A wall time exists exactly when it survives a round trip through UTC; for one that does not, zoneinfo's fold=1
    reading uses the offset after the jump and fold=0 the offset before, so their difference is the jump.
    """
    first = naive.replace(tzinfo=tz, fold=0)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive:
        return None
    after, before = naive.replace(tzinfo=tz, fold=1).utcoffset(), first.utcoffset()
    assert after is not None and before is not None, "a ZoneInfo always gives an offset"
    return after - before


def _occurrences(naive: datetime, tz: ZoneInfo) -> list[datetime]:
    """The instants an existing wall time names, earliest first: two in the repeated hour, else one."""
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    return [first, second] if first.utcoffset() != second.utcoffset() else [first]


def _require_aware(moment: datetime, name: str) -> None:
    """Naive datetimes are a caller's bug, not a moderator's: fail loudly with a plain ValueError."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")


def _example_date(now: datetime, tz: ZoneInfo) -> str:
    """The date of the ISO example of `<when>`, a week after `now`, so the example is valid and never goes stale."""
    next_week: date = now.astimezone(tz).date() + timedelta(days=7)
    return next_week.isoformat()


def _zone_name(tz: ZoneInfo) -> str:
    """The IANA key moderators configured (e.g. "Europe/Zurich"); a zone loaded from a file has none, so say so."""
    return tz.key or str(tz)


def _day(moment: datetime, *, with_year: bool = True) -> str:
    """Fixed English "Tue 1 Dec 2026", independent of the process locale."""
    text = f"{_WEEKDAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]}"
    return f"{text} {moment.year}" if with_year else text


def _is_english(language: str | None) -> bool:
    """English for English, and for a language whose messages are not all translated yet (Arabic, Chinese,
    Russian): their sentences fall back to English, and a time inside one must not be in another language."""
    return language not in COMPLETE_LANGUAGES or language == SOURCE_LANGUAGE


# Babel is imported inside these helpers, as i18n does: the CLI's quick commands import scheduling but never show a
# time in another language. CLDR skeletons, not fixed patterns, so each language orders and abbreviates its own way.
_CLDR_UNITS = {"d": "duration-day", "h": "duration-hour", "m": "duration-minute", "s": "duration-second"}


def _local_moment(moment: datetime, language: str, *, with_year: bool = False) -> str:
    """Day, date and clock in `language`, joined by its own date-time pattern: "mar. 1 déc. 2026, 10:00"."""
    from babel import Locale
    from babel.dates import format_skeleton

    day = format_skeleton("yMMMEd" if with_year else "MMMEd", moment, locale=language)
    pattern = Locale.parse(language).datetime_formats["medium"]
    return str(pattern).replace("{1}", day).replace("{0}", _local_clock(moment, language))


def _local_clock(moment: datetime, language: str) -> str:
    """A 24-hour clock in `language`, seconds only when not zero."""
    from babel.dates import format_skeleton

    return format_skeleton("Hms" if moment.second else "Hm", moment, locale=language)


def _unit_words(count: int, unit: str, language: str) -> str:
    from babel.units import format_unit

    return format_unit(count, _CLDR_UNITS[unit], length="long", locale=language)


def _clock(moment: datetime) -> str:
    """Wall time as "10:00", or "10:00:30" when the seconds matter (e.g. after "in 90s")."""
    return moment.strftime("%H:%M:%S" if moment.second else "%H:%M")
