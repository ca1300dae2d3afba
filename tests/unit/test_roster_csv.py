"""Roster files: the rows taken, the rows skipped by number only, and the files refused for their size."""

from __future__ import annotations

import pytest

from handlers.limits import ROSTER_FIELD_MAX_BYTES, ROSTER_FILE_MAX_BYTES, ROSTER_MAX_ROWS
from handlers.roster_csv import RosterFileRefused, RosterRow, parse_roster_csv


def test_rows_with_a_header_and_commas_are_read():
    roster = parse_roster_csv(b"user,affiliation,category\n@a:x.org,Ruritania,State party\n@b:x.org,ICRC,io\n")
    assert roster.rows == [
        RosterRow("@a:x.org", "Ruritania", "State party"),
        RosterRow("@b:x.org", "ICRC", "international organisation"),
    ]
    assert roster.problems == []


def test_semicolons_and_a_byte_order_mark_are_accepted_and_the_category_is_optional():
    roster = parse_roster_csv("\ufeff@a:x.org;Grand Fenwick\n@b:x.org;Humanity Without Borders;NGO\n".encode())
    assert [row.category for row in roster.rows] == [None, "civil society"]


def test_bad_rows_are_skipped_and_named_by_number_without_their_content():
    roster = parse_roster_csv(b"@a:x.org,Ruritania\nAlice Smith,Ruritania\n@c:x.org,\n@d:x.org,Fenwick,martian\n")
    assert [row.user_id for row in roster.rows] == ["@a:x.org"]
    assert roster.problems == [
        "row 2: the first column is not a Matrix ID",
        "row 3: no affiliation",
        "row 4: unknown category",
    ]
    assert not any("Alice" in problem or "martian" in problem for problem in roster.problems)


def test_a_file_that_is_not_utf8_is_refused():
    assert parse_roster_csv(b"\xff\xfe\x00@").problems == ["the file is not UTF-8 text"]


# --- limits: a file over any of them is refused whole, naming the limit and nothing of its content ---------------


def test_a_file_over_the_size_limit_is_refused_whole():
    data = b"@a:x.org,Ruritania\n" + b"#" * ROSTER_FILE_MAX_BYTES
    with pytest.raises(RosterFileRefused) as refused:
        parse_roster_csv(data)
    assert "1 MiB" in str(refused.value)
    assert "nothing was recorded" in str(refused.value)


def test_a_file_of_exactly_the_size_limit_is_read():
    row = b"@a:x.org,Ruritania\n"
    data = row + b"\n" * (ROSTER_FILE_MAX_BYTES - len(row))
    assert len(parse_roster_csv(data).rows) == 1


def test_a_file_with_more_rows_than_the_limit_is_refused_whole():
    rows = "".join(f"@u{index}:x.org,Ruritania\n" for index in range(ROSTER_MAX_ROWS + 1))
    with pytest.raises(RosterFileRefused) as refused:
        parse_roster_csv(("user,affiliation\n" + rows).encode())
    assert "5,000 rows" in str(refused.value)
    assert "@u1:x.org" not in str(refused.value)


def test_a_file_with_as_many_rows_as_the_limit_and_a_header_and_blank_lines_is_read():
    rows = "".join(f"@u{index}:x.org,Ruritania\n\n" for index in range(ROSTER_MAX_ROWS))
    assert len(parse_roster_csv(("user,affiliation\n" + rows).encode()).rows) == ROSTER_MAX_ROWS


def test_a_field_over_the_byte_limit_is_refused_by_row_number_without_its_content():
    long_affiliation = "é" * (ROSTER_FIELD_MAX_BYTES // 2 + 1)  # under the limit in characters, over it in bytes
    data = f"@a:x.org,Ruritania\n@b:x.org,{long_affiliation}\n".encode()
    with pytest.raises(RosterFileRefused) as refused:
        parse_roster_csv(data)
    assert str(refused.value).startswith("Row 2: a field is longer than 300 bytes")
    assert "é" not in str(refused.value) and "@b:x.org" not in str(refused.value)


def test_a_field_of_exactly_the_byte_limit_is_read():
    affiliation = "R" * ROSTER_FIELD_MAX_BYTES
    assert parse_roster_csv(f"@a:x.org,{affiliation}\n".encode()).rows[0].affiliation == affiliation


def test_a_quoted_field_larger_than_the_csv_modules_own_limit_is_refused_as_too_long():
    data = b'@a:x.org,"' + b"x\n" * 70_000 + b'"\n'
    with pytest.raises(RosterFileRefused) as refused:
        parse_roster_csv(data)
    assert str(refused.value).startswith("Row 1: a field is longer than 300 bytes")


def test_a_fourth_column_holds_aliases_separated_by_bars_or_commas():
    roster = parse_roster_csv(b'@a:x.org,Republic of Tarvania,State party,"Tarvania, RT"\n@b:x.org,HRW\n')
    assert [row.aliases for row in roster.rows] == [("Tarvania", "RT"), ()]
    roster = parse_roster_csv(b"@b:x.org;Human Rights Watch;;Watch|HR-W\n")
    assert roster.rows[0].aliases == ("Watch", "HR-W")


def test_an_aliases_column_is_found_by_its_header():
    roster = parse_roster_csv(
        b"user,affiliation,aliases,category\n@a:x.org,Republic of Tarvania,Tarvania,State party\n"
    )
    assert roster.rows == [RosterRow("@a:x.org", "Republic of Tarvania", "State party", ("Tarvania",))]


def test_a_header_without_an_aliases_column_takes_no_aliases_from_a_fourth_column():
    roster = parse_roster_csv(b"user,affiliation,category,notes\n@a:x.org,Republic of Tarvania,State party,met twice\n")
    assert roster.rows == [RosterRow("@a:x.org", "Republic of Tarvania", "State party")]
