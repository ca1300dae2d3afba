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
