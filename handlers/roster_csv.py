"""Reading a roster from CSV: one participant per row, `user, affiliation, category, aliases`.

The aliases (other ways people write the affiliation, "Tarvania, RT") are one cell, separated by commas or bars;
a header row may put an `aliases` column elsewhere.

The file is parsed here, purely, so every rule (header, delimiters, bad rows, limits) is tested without a homeserver.
Problems are reported by row number only: a reply must not repeat who is on the roster. A file over one of the
limits in `handlers.limits` (size, rows, bytes in a field) is refused whole: nothing of it is recorded. Each problem
is one whole message in the reply's language.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from dialogue.vocabulary import UserId
from handlers.arguments import split_aliases
from handlers.limits import ROSTER_FIELD_MAX_BYTES, ROSTER_FILE_MAX_BYTES, ROSTER_MAX_ROWS, describe_bytes
from i18n import bot_marked, bot_text
from privacy import DEFAULT_CATEGORIES, StakeholderCategories

_USER_ID = re.compile(r"^@[^\s:]+:[A-Za-z0-9.\-\[\]:]+$")


class RosterFileRefused(Exception):
    """The file is over a limit, or not CSV at all; the message says which, for the person who sent it."""


FILE_TOO_LARGE = bot_marked("The file is larger than {size}, the most a roster file may have; nothing was recorded.")


def file_too_large_values() -> dict[str, object]:
    """The values of FILE_TOO_LARGE's placeholders."""
    return {"size": describe_bytes(ROSTER_FILE_MAX_BYTES)}


def file_too_large_message(language: str | None = None) -> str:
    return bot_text(language, FILE_TOO_LARGE, **file_too_large_values())


@dataclass(frozen=True, slots=True)
class RosterRow:
    user_id: UserId
    affiliation: str
    category: str | None
    aliases: tuple[str, ...] = ()


@dataclass
class RosterFile:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unknown_category: bool = False  # some row named a category the deployment does not list


def parse_roster_csv(
    data: bytes, categories: StakeholderCategories = DEFAULT_CATEGORIES, language: str | None = None
) -> RosterFile:
    """Rows of `user, affiliation[, category[, aliases]]`; comma, semicolon or tab separated; an optional header row.

    A category is stored under its canonical name among the deployment's `categories`; a row with any other is
    skipped (and `unknown_category` set, so the reply can list the allowed ones).

    Raises RosterFileRefused when the file is over a limit; bad rows within limits are skipped and named instead,
    both in `language`.
    """
    if len(data) > ROSTER_FILE_MAX_BYTES:
        raise RosterFileRefused(file_too_large_message(language))
    result = RosterFile()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.problems.append(bot_text(language, "the file is not UTF-8 text"))
        return result
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    rows = 0
    number = 0
    aliases_column: int | None = _ALIASES_COLUMN
    try:
        for number, raw_cells in enumerate(reader, start=1):
            cells = [cell.strip() for cell in raw_cells]
            if not any(cells):
                continue
            if any(len(cell.encode()) > ROSTER_FIELD_MAX_BYTES for cell in cells):
                raise RosterFileRefused(_field_too_long_message(number, language))
            if number == 1 and not _USER_ID.match(cells[0]) and cells[0].casefold() in _HEADER_WORDS:
                aliases_column = _aliases_column(cells)
                continue
            rows += 1
            if rows > ROSTER_MAX_ROWS:
                raise RosterFileRefused(
                    bot_text(
                        language,
                        "The file has more than {rows} rows, the most a roster file may have; nothing was recorded.",
                        rows=_grouped(ROSTER_MAX_ROWS, language),
                    )
                )
            _read_row(number, cells, result, categories, aliases_column, language)
    except csv.Error as error:
        # The csv module's own ceiling on a field (128 KiB) is far above ours, so this is a field over our limit
        # (or malformed quoting); the row is the one the reader was on.
        if "field larger than field limit" in str(error):
            raise RosterFileRefused(_field_too_long_message(number + 1, language)) from error
        raise RosterFileRefused(
            bot_text(language, "Row {row} is not valid CSV; nothing was recorded.", row=number + 1)
        ) from error
    return result


_HEADER_WORDS = frozenset({"user", "user id", "matrix id", "mxid"})
_ALIASES_COLUMN = 3  # without a header naming it: user, affiliation, category, aliases


def _aliases_column(header: list[str]) -> int | None:
    """Where a header row puts the aliases; None when it names columns but no aliases column."""
    names = [cell.casefold() for cell in header]
    return names.index("aliases") if "aliases" in names else None


def _field_too_long_message(number: int, language: str | None) -> str:
    return bot_text(
        language,
        "Row {row}: a field is longer than {limit} bytes, the most a roster field may have; nothing was recorded.",
        row=number,
        limit=ROSTER_FIELD_MAX_BYTES,
    )


def _grouped(number: int, language: str | None) -> str:
    """A large number with the language's digit grouping ("5,000", "5 000", "5000")."""
    if language is None:
        return f"{number:,}"
    from babel.numbers import format_decimal  # as i18n does: only when a reply is in another language

    return format_decimal(number, locale=language)


def _read_row(
    number: int,
    cells: list[str],
    result: RosterFile,
    categories: StakeholderCategories,
    aliases_column: int | None,
    language: str | None,
) -> None:
    if not _USER_ID.match(cells[0]):
        result.problems.append(bot_text(language, "row {row}: the first column is not a Matrix ID", row=number))
        return
    if len(cells) < 2 or not cells[1]:
        result.problems.append(bot_text(language, "row {row}: no affiliation", row=number))
        return
    category_column = 2 if aliases_column != 2 else 3
    category = None
    if len(cells) > category_column and cells[category_column]:
        category = categories.normalise(cells[category_column])
        if category is None:
            result.problems.append(bot_text(language, "row {row}: unknown category", row=number))
            result.unknown_category = True
            return
    aliases: tuple[str, ...] = ()
    if aliases_column is not None and len(cells) > aliases_column:
        aliases = tuple(split_aliases(cells[aliases_column]))
    result.rows.append(RosterRow(UserId(cells[0]), " ".join(cells[1].split()), category, aliases))


def _delimiter(text: str) -> str:
    """Spreadsheets export with commas, semicolons (many European locales) or tabs: use the first line's most used."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return max(",;\t", key=first_line.count)
