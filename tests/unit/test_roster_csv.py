"""Roster files: the rows taken, and the rows skipped by number only."""

from __future__ import annotations

from handlers.roster_csv import RosterRow, parse_roster_csv


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
