"""Parsing the secretariat's wording commands, and that `way-forward <ref> [off]` keeps its meaning."""

from __future__ import annotations

import pytest

from handlers.commands import UsageError
from handlers.synopsis_commands import ForwardRequest
from handlers.wording_commands import (
    ChallengeText,
    ThemeWording,
    challenge_text_arguments,
    theme_wording_arguments,
    way_forward_arguments,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("abcd", ForwardRequest("ABCD", True)),
        ("ABCD off", ForwardRequest("ABCD", False)),
        ("2345", ForwardRequest("2345", True)),  # a reference of digits only is still a reference
        ("2345 OFF", ForwardRequest("2345", False)),
        ("1 The ISU to map transit routes.", ChallengeText(1, "The ISU to map transit routes.")),
        ("#2   Convene   a dialogue", ChallengeText(2, "Convene a dialogue")),
        ("1 clear", ChallengeText(1, None)),
    ],
)
def test_way_forward_takes_a_reference_or_a_challenge_and_text(raw, expected):
    assert way_forward_arguments(raw) == expected


@pytest.mark.parametrize("raw", ["", "ABCD is good", "0 text"])
def test_way_forward_refuses_what_is_neither(raw):
    with pytest.raises(UsageError):
        way_forward_arguments(raw)


def test_theme_wording_takes_a_reference_and_text_or_clear():
    assert theme_wording_arguments("abcd  Transit must be challenged.") == ThemeWording(
        "ABCD", "Transit must be challenged."
    )
    assert theme_wording_arguments("ABCD Clear") == ThemeWording("ABCD", None)
    with pytest.raises(UsageError):
        theme_wording_arguments("ABCD")


def test_lead_takes_a_challenge_and_a_paragraph_no_longer_than_a_prompt():
    assert challenge_text_arguments("3 Transfers led the debate.") == ChallengeText(3, "Transfers led the debate.")
    with pytest.raises(UsageError):
        challenge_text_arguments("three Transfers")
    with pytest.raises(UsageError, match="longer than"):
        challenge_text_arguments("1 " + "x" * 2_001)


@pytest.mark.parametrize(
    ("parse", "raw", "expected"),
    [
        (challenge_text_arguments, "dialogue 3 2 Opening paragraph", ChallengeText(2, "Opening paragraph", 3)),
        (challenge_text_arguments, "Dialogue #3 2 clear", ChallengeText(2, None, 3)),
        (theme_wording_arguments, "dialogue 3 ab12 Neutral statement", ThemeWording("AB12", "Neutral statement", 3)),
        (way_forward_arguments, "dialogue 3 1 Map transit routes.", ChallengeText(1, "Map transit routes.", 3)),
        (way_forward_arguments, "dialogue 3 AB12", ForwardRequest("AB12", True, 3)),
        (way_forward_arguments, "dialogue 3 2345 off", ForwardRequest("2345", False, 3)),
        (challenge_text_arguments, "2 Opening paragraph", ChallengeText(2, "Opening paragraph", None)),
    ],
)
def test_a_leading_dialogue_and_its_number_name_the_dialogue(parse, raw, expected):
    assert parse(raw) == expected


@pytest.mark.parametrize("parse", [challenge_text_arguments, theme_wording_arguments, way_forward_arguments])
@pytest.mark.parametrize("raw", ["dialogue", "dialogue three 2 Text", "dialogue 0 2 Text", "dialogue 3"])
def test_dialogue_without_a_number_or_with_nothing_after_it_is_a_usage_error(parse, raw):
    with pytest.raises(UsageError):
        parse(raw)
