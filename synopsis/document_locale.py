"""The document language's conventions: which language the words are in, and how its dates and numbers are written.

The synopsis is written in English, French or Spanish (`i18n.COMPLETE_LANGUAGES`): a language without a complete
``document`` catalogue would mix English into the other language, so the document is then English throughout. Dates
and numbers follow the language's own conventions through Babel's CLDR data; English is written as UN documents
write it, the British way ("1–3 December 2026").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from i18n import COMPLETE_LANGUAGES, SOURCE_LANGUAGE

_LOCALES: Final = {"en": "en_GB", "fr": "fr_FR", "es": "es_ES"}
"""The CLDR locale each document language is written in (Babel's name; the DOCX tag is the same with a hyphen)."""


def document_language(code: str | None) -> str:
    """The language the document is written in for a requested ISO 639-1 `code`: the code itself when every
    document word has a translation in it, else English."""
    return code if code in COMPLETE_LANGUAGES else SOURCE_LANGUAGE


def babel_locale(language: str) -> str:
    return _LOCALES[document_language(language)]


def language_tag(language: str) -> str:
    """The BCP 47 tag Word and the DOCX core properties expect, e.g. "fr-FR"."""
    return babel_locale(language).replace("_", "-")


def format_number(value: float, language: str) -> str:
    """A number as the language writes it ("2,000" in English, "2 000" in French, "2.000" in Spanish)."""
    return format_decimal(value, locale=babel_locale(language))


def format_period(start: float, end: float | None, timezone: str, language: str = SOURCE_LANGUAGE) -> str:
    """A date range in the dialogue's time zone, e.g. "4 December 2026", "1–3 December 2026", "30 November –
    2 December 2026" or "30 December 2026 – 2 January 2027"; in French "1–3 décembre 2026", in Spanish "1–3 de
    diciembre de 2026". The parts are CLDR's (the long date, the day and month without the year): the ranges are
    the ones UN documents use in all three languages."""
    zone = ZoneInfo(timezone)
    first = datetime.fromtimestamp(start, zone).date()
    last = datetime.fromtimestamp(end, zone).date() if end is not None else first
    last = max(last, first)  # an end before the start (clock trouble) must not print a backwards range
    locale = babel_locale(language)
    if first == last:
        return _long(last, locale)
    if (first.year, first.month) == (last.year, last.month):
        return f"{format_skeleton('d', first, locale=locale)}–{_long(last, locale)}"
    if first.year == last.year:
        return f"{format_skeleton('MMMMd', first, locale=locale)} – {_long(last, locale)}"
    return f"{_long(first, locale)} – {_long(last, locale)}"


def format_day(day: date, language: str = SOURCE_LANGUAGE) -> str:
    """One day as the language writes it in full ("1 December 2026", "1 décembre 2026", "1 de diciembre de 2026")."""
    return _long(day, babel_locale(language))


def _long(day: date, locale: str) -> str:
    return format_date(day, "long", locale=locale)
