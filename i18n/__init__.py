"""The bot's words in a reader's language: gettext catalogues, one per audience, read from .po files at first use.

Two domains, each with its own catalogue per language under ``i18n/locales/<language>/LC_MESSAGES/<domain>.po``:

- ``bot``: what the bot says in chat (help, usage, ground rules, prompts, reminders, the consensus round), marked in
  the code with :func:`bot_text` (or :func:`bot_marked` for a constant translated later);
- ``document``: the words of the synopsis itself (headings, intro, annex, bands), marked with :func:`document_text`
  (or :func:`document_marked`).

The .po files are compiled in memory with Babel on first use, so there is no build step and a fresh checkout runs as
is. A message missing from a catalogue falls back to English, the source language. Placeholders are named
(``{title}``) and filled after translation, so a translator can move them; no message is assembled from translated
fragments. ``tests/unit/test_i18n_catalogues.py`` checks every marked message against every complete catalogue.
"""

from __future__ import annotations

import gettext
import io
import string
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

LOCALES_DIR: Final = Path(__file__).resolve().parent / "locales"

SOURCE_LANGUAGE: Final = "en"
UN_LANGUAGES: Final = ("ar", "zh", "en", "fr", "ru", "es")
"""ISO 639-1 codes of the six UN languages: the languages a dialogue or a participant may choose."""

COMPLETE_LANGUAGES: Final = ("en", "fr", "es")
"""Languages with every message of every domain translated (the catalogue test holds them to it)."""


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    keywords: dict[str, tuple[int, ...]]
    """Babel extraction keywords: marking function name -> positions (1-based) of the msgid (and plural) argument."""


BOT: Final = Domain("bot", {"bot_text": (2,), "bot_text_plural": (2, 3), "bot_marked": (1,)})
DOCUMENT: Final = Domain("document", {"document_text": (2,), "document_text_plural": (2, 3), "document_marked": (1,)})
DOMAINS: Final = (BOT, DOCUMENT)

_loading = threading.Lock()


def catalogue_path(domain: Domain, language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{domain.name}.po"


@cache
def _translations(domain_name: str, language: str) -> gettext.NullTranslations:
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{domain_name}.po"
    if language == SOURCE_LANGUAGE or not path.exists():
        return gettext.NullTranslations()
    # Babel is imported here, not at module level: most processes (the CLI's quick commands) never translate.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=domain_name)
    compiled = io.BytesIO()
    # Fuzzy entries are a translator's unchecked guesses: left out, so the English shows instead.
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translations(domain: Domain, language: str | None) -> gettext.NullTranslations:
    """The compiled catalogue of `domain` in `language` (English for None or an unknown language)."""
    code = language if language in UN_LANGUAGES else SOURCE_LANGUAGE
    with _loading:  # compiled once even when two threads (a compile and the loop) ask at the same time
        return _translations(domain.name, code)


def _filled(text: str, values: dict[str, object]) -> str:
    return text.format(**values) if values else text


def bot_text(language: str | None, message: str, /, **values: object) -> str:
    """`message` (English, with named ``{placeholders}``) in `language`, the placeholders filled from `values`."""
    return _filled(translations(BOT, language).gettext(message), values)


def bot_text_plural(language: str | None, singular: str, plural: str, count: int, /, **values: object) -> str:
    """The singular or plural form of a message for `count`, by `language`'s own plural rule; `count` is a value."""
    return _filled(translations(BOT, language).ngettext(singular, plural, count), {"count": count, **values})


def bot_marked(message: str) -> str:
    """Mark a constant for the ``bot`` catalogue without translating it; translate it later with :func:`bot_text`."""
    return message


def document_text(language: str | None, message: str, /, **values: object) -> str:
    """As :func:`bot_text`, for the words of the synopsis document."""
    return _filled(translations(DOCUMENT, language).gettext(message), values)


def document_text_plural(language: str | None, singular: str, plural: str, count: int, /, **values: object) -> str:
    """As :func:`bot_text_plural`, for the words of the synopsis document."""
    return _filled(translations(DOCUMENT, language).ngettext(singular, plural, count), {"count": count, **values})


def document_marked(message: str) -> str:
    """Mark a constant for the ``document`` catalogue without translating it."""
    return message


def placeholders(message: str) -> set[str]:
    """The named placeholders of a message (``{title}`` -> ``title``), to check that a translation kept them."""
    return {field for _, field, _, _ in string.Formatter().parse(message) if field is not None}
