"""The agenda outline: `# title`, prompt lines, `- heading` lines; every rule and every refusal with its line."""

from __future__ import annotations

import pytest

from handlers.agenda_outline import (
    AGENDA_MAX_BYTES,
    OutlineChallenge,
    OutlineRefused,
    parse_agenda_bytes,
    parse_agenda_outline,
)
from handlers.commands import help_for
from handlers.limits import PROMPT_MAX_CHARS, TITLE_MAX_CHARS
from handlers.registry import build_registry
from handlers.theme_commands import HEADING_MAX_CHARS, MAX_HEADINGS

CONCEPT_NOTE = """\
# New use and transfers of cluster munitions
How should States parties respond to new use and transfers?
- Condemnation of every new use
- Transfers through the territory of States parties

# A State party's withdrawal
What follows from a withdrawal, and how should others respond?
- Precedent for humanitarian disarmament
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(OutlineRefused) as refused:
        parse_agenda_outline(text)
    return refused.value.problems


def test_the_concept_note_example_gives_two_challenges_with_their_headings():
    assert parse_agenda_outline(CONCEPT_NOTE) == [
        OutlineChallenge(
            "New use and transfers of cluster munitions",
            "How should States parties respond to new use and transfers?",
            ("Condemnation of every new use", "Transfers through the territory of States parties"),
        ),
        OutlineChallenge(
            "A State party's withdrawal",
            "What follows from a withdrawal, and how should others respond?",
            ("Precedent for humanitarian disarmament",),
        ),
    ]


def test_prompt_lines_are_joined_and_blank_lines_are_ignored():
    text = "\n\n# Title\n\nFirst line of the prompt\ncontinues here.\n\n* A heading\n\n+ Another\n\n\n"
    assert parse_agenda_outline(text) == [
        OutlineChallenge("Title", "First line of the prompt continues here.", ("A heading", "Another"))
    ]


def test_a_numbered_title_loses_its_number_because_the_bot_numbers_challenges():
    text = "# 1. First\nPrompt one\n#  2) Second\nPrompt two\n# 2024 review\nPrompt three"
    assert [item.title for item in parse_agenda_outline(text)] == ["First", "Second", "2024 review"]


def test_a_challenge_may_have_no_headings_and_whitespace_is_normalised():
    assert parse_agenda_outline("#   Spaced    title  \n  Indented   prompt ") == [
        OutlineChallenge("Spaced title", "Indented prompt", ())
    ]


def test_an_indented_line_after_a_heading_continues_it():
    text = "# T\nP\n- A heading that a word processor\n  wrapped onto two lines\n- Next"
    assert parse_agenda_outline(text)[0].headings == ("A heading that a word processor wrapped onto two lines", "Next")


def test_windows_line_endings_and_a_byte_order_mark_are_read():
    data = "\ufeff# T\r\nP\r\n- H\r\n".encode()
    assert parse_agenda_bytes(data) == [OutlineChallenge("T", "P", ("H",))]


def test_a_missing_prompt_is_refused_with_the_title_line():
    assert problems_of("# First\nPrompt\n\n# Second\n- Heading") == ["line 4: challenge “Second” has no prompt"]


def test_text_before_the_first_title_is_refused():
    assert problems_of("Agenda of the meeting\n# T\nP") == ["line 1: text before the first “# ” title"]


def test_a_deeper_heading_level_is_refused():
    assert problems_of("# T\nP\n## Sub") == ["line 3: only “# ” starts a challenge; “##” is not used"]


def test_prompt_text_after_the_headings_is_refused():
    assert problems_of("# T\nP\n- H\nMore prompt") == ["line 4: prompt text after the expected themes; put it first"]


def test_an_empty_title_or_heading_is_refused():
    assert problems_of("#\nP\n# T\nP\n- ") == ["line 1: missing title", "line 5: missing heading"]


def test_an_outline_without_any_title_is_refused():
    assert problems_of("\n\n") == ["the outline has no “# ” title"]


def test_the_limits_of_challenge_add_and_theme_add_apply_with_their_line():
    text = "\n".join(
        [
            "# " + "t" * (TITLE_MAX_CHARS + 1),
            "P",
            "# Fine",
            "p" * (PROMPT_MAX_CHARS + 1),
            "# Also fine",
            "P",
            "- " + "h" * (HEADING_MAX_CHARS + 1),
        ]
    )
    assert problems_of(text) == [
        f"line 1: the title is longer than {TITLE_MAX_CHARS:,} characters, the most allowed",
        f"line 4: the prompt is longer than {PROMPT_MAX_CHARS:,} characters, the most allowed",
        f"line 7: the heading is longer than {HEADING_MAX_CHARS:,} characters, the most allowed",
    ]


def test_more_headings_than_a_challenge_may_have_are_refused_at_the_first_one_over():
    lines = ["# T", "P"] + [f"- heading {index}" for index in range(MAX_HEADINGS + 1)]
    assert problems_of("\n".join(lines)) == [
        f"line {MAX_HEADINGS + 3}: challenge “T” has more than {MAX_HEADINGS} expected themes, the most allowed"
    ]


def test_every_problem_is_reported_not_only_the_first():
    assert len(problems_of("x\n# \n# T\n- h\ny")) == 4


def test_a_file_over_the_size_limit_or_not_utf8_is_refused():
    with pytest.raises(OutlineRefused) as refused:
        parse_agenda_bytes(b"# T\nP\n" + b"x" * AGENDA_MAX_BYTES)
    assert refused.value.problems == ["the file is larger than 64 KiB, the most an agenda outline may have"]
    with pytest.raises(OutlineRefused) as refused:
        parse_agenda_bytes(b"# T\n\xff\xfe")
    assert refused.value.problems == ["the file is not UTF-8 text"]


def test_help_agenda_import_gives_the_usage_who_and_the_format():
    command = build_registry().get("agenda import")
    assert command is not None
    text = help_for(command, "!dialogue").text
    assert text.startswith("!dialogue agenda import [outline] — sent as a reply to an outline file")
    assert "Who: " in text and "anyone" not in text.casefold()
    assert "'# <title>' starts a challenge" in text
