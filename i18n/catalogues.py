"""Finding the marked messages in the code and keeping the .po catalogues in step with them.

``python -m i18n.catalogues`` extracts every message marked for each domain (see :mod:`i18n`) and updates each
language's catalogue: new messages are added untranslated, messages no longer in the code are dropped, and existing
translations are kept. A translator then fills in the ``msgstr`` lines; the catalogue test says what is missing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from i18n import DOMAINS, SOURCE_LANGUAGE, UN_LANGUAGES, Domain, catalogue_path

COPYRIGHT_HOLDER = "dialogue-bot contributors"
PROJECT_DIR = Path(__file__).resolve().parent.parent

# Where the product's code lives; tests, benchmarks and the virtual environment are not the product.
_METHOD_MAP = [
    (".venv/**", "ignore"),
    ("tests/**", "ignore"),
    ("benchmarks/**", "ignore"),
    ("**.py", "python"),
]


@dataclass(frozen=True, slots=True)
class Marked:
    """A marked message: its msgid (a tuple of singular and plural for a plural message) and where it is marked."""

    msgid: str | tuple[str, str]
    locations: tuple[tuple[str, int], ...]


def marked_messages(domain: Domain, project_dir: Path = PROJECT_DIR) -> dict[str | tuple[str, str], Marked]:
    """Every message the code marks for `domain`, by msgid."""
    found: dict[str | tuple[str, str], list[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(project_dir), _METHOD_MAP, keywords=domain.keywords, comment_tags=(), strip_comment_tags=True
    ):
        msgid = message if isinstance(message, str) else (message[0], message[1])
        found.setdefault(msgid, []).append((filename, lineno))
    return {msgid: Marked(msgid, tuple(places)) for msgid, places in found.items()}


def read_catalogue(domain: Domain, language: str) -> Catalog | None:
    path = catalogue_path(domain, language)
    if not path.exists():
        return None
    with path.open("rb") as po:
        return read_po(po, locale=language, domain=domain.name)


def translated_languages() -> Iterator[str]:
    """The languages other than English that have a catalogue folder."""
    for language in UN_LANGUAGES:
        if language != SOURCE_LANGUAGE and catalogue_path(DOMAINS[0], language).parent.exists():
            yield language


def update_catalogues(languages: list[str]) -> None:
    """Bring each language's catalogue of each domain in step with the marked messages (see the module docstring)."""
    for domain in DOMAINS:
        template = Catalog(domain=domain.name, project="dialogue-bot")
        for msgid, marked in sorted(marked_messages(domain).items(), key=lambda item: str(item[0])):
            template.add(msgid, locations=marked.locations)
        for language in languages:
            catalog = read_catalogue(domain, language) or Catalog(
                locale=language, domain=domain.name, project="dialogue-bot", copyright_holder=COPYRIGHT_HOLDER
            )
            created = catalog.creation_date
            catalog.update(template, no_fuzzy_matching=True)
            # The date the catalogue was begun, not of this update: an update that changes nothing changes no byte.
            catalog.creation_date = created
            catalog.obsolete.clear()
            path = catalogue_path(domain, language)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as po:
                # No line numbers: a catalogue changes when a message does, not when code moves around it.
                write_po(po, catalog, width=120, include_previous=False, include_lineno=False)


def main(argv: list[str]) -> int:
    """`python -m i18n.catalogues [<language> ...]`: update those catalogues (default: every existing one)."""
    languages = argv or list(translated_languages())
    unknown = [language for language in languages if language not in UN_LANGUAGES or language == SOURCE_LANGUAGE]
    if unknown:
        print(f"not a language to translate into: {', '.join(unknown)} (one of ar, zh, fr, ru, es)", file=sys.stderr)
        return 2
    update_catalogues(languages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
