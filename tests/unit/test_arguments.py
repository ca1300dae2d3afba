"""Command argument parsers: what they accept, and the problem they name otherwise."""

from __future__ import annotations

import pytest

from handlers.arguments import (
    RemoveChallenge,
    RosterEntry,
    challenge_number,
    contribution_ref,
    number_title_and_prompt,
    optional_confirm,
    remove_challenge,
    roster_entry,
    title_and_prompt,
)
from handlers.commands import UsageError
from handlers.contributions import is_support_key


def test_title_and_prompt_split_at_the_first_semicolon_and_keep_the_prompts_line_breaks():
    assert title_and_prompt("  New  use ; What now?\nAnd then; what?") == ("New use", "What now?\nAnd then; what?")


@pytest.mark.parametrize("raw", ["no separator", " ; prompt only", "title only ;  "])
def test_title_and_prompt_need_both_parts(raw):
    with pytest.raises(UsageError, match="';'"):
        title_and_prompt(raw)


def test_challenge_numbers_accept_a_hash():
    assert challenge_number("#3") == 3
    assert number_title_and_prompt("2 Title ; Prompt") == (2, "Title", "Prompt")


@pytest.mark.parametrize("raw", ["", "0", "two", "1 2", "-1"])
def test_a_bad_challenge_number_is_a_usage_error(raw):
    with pytest.raises(UsageError):
        challenge_number(raw)


def test_remove_takes_an_optional_force_flag_anywhere():
    assert remove_challenge("--force 4") == RemoveChallenge(4, True)
    assert remove_challenge("4") == RemoveChallenge(4, False)


def test_a_roster_entry_is_a_matrix_id_an_affiliation_and_maybe_a_category():
    assert roster_entry("@a:example.org  Republic of  Ruritania ; State party") == RosterEntry(
        "@a:example.org", "Republic of Ruritania", "State party"
    )
    assert roster_entry("@a:example.org ICRC").category is None
    with pytest.raises(UsageError, match="Matrix ID"):
        roster_entry("Alice Ruritania")


def test_references_are_upper_cased_and_confirm_is_the_only_word_after_forget_me():
    assert contribution_ref("k7m2") == "K7M2"
    assert optional_confirm("") is False and optional_confirm("CONFIRM") is True
    with pytest.raises(UsageError):
        optional_confirm("yes please")


@pytest.mark.parametrize(("key", "supports"), [("👍", True), ("👍🏽", True), ("👍️", True), ("+1", True), ("❤️", False)])
def test_thumbs_up_in_any_skin_tone_and_plus_one_count_as_support(key, supports):
    assert is_support_key(key) is supports
