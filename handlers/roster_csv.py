"""Reading a roster from CSV: one participant per row, `user, affiliation, category`.

The file is parsed here, purely, so every rule (header, delimiters, bad rows) is tested without a homeserver.
Problems are reported by row number only: a reply must not repeat who is on the roster.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from privacy import normalise_category

_USER_ID = re.compile(r"^@[^\s:]+:[A-Za-z0-9.\-\[\]:]+$")
MAX_ROWS = 5_000


@dataclass(frozen=True, slots=True)
class RosterRow:
    user_id: str
    affiliation: str
    category: str | None


@dataclass
class RosterFile:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_roster_csv(data: bytes) -> RosterFile:
    """Rows of `user, affiliation[, category]`; comma, semicolon or tab separated; an optional header row."""
    result = RosterFile()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.problems.append("the file is not UTF-8 text")
        return result
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=_delimiter(text)), start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if number > MAX_ROWS:
            result.problems.append(f"rows after {MAX_ROWS} were ignored")
            break
        if (
            number == 1
            and not _USER_ID.match(cells[0])
            and cells[0].casefold() in {"user", "user id", "matrix id", "mxid"}
        ):
            continue
        if not _USER_ID.match(cells[0]):
            result.problems.append(f"row {number}: the first column is not a Matrix ID")
            continue
        if len(cells) < 2 or not cells[1]:
            result.problems.append(f"row {number}: no affiliation")
            continue
        category = None
        if len(cells) > 2 and cells[2]:
            category = normalise_category(cells[2])
            if category is None:
                result.problems.append(f"row {number}: unknown category")
                continue
        result.rows.append(RosterRow(cells[0], " ".join(cells[1].split()), category))
    return result


def _delimiter(text: str) -> str:
    """Spreadsheets export with commas, semicolons (many European locales) or tabs: use the first line's most used."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return max(",;\t", key=first_line.count)
