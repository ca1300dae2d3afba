"""Command argument parsers: what they accept, and the problem they name otherwise."""

from __future__ import annotations

import pytest

from handlers.arguments import (
    RemoveChallenge,
    RosterEntry,
    challenge_number,
    contribution_ref,
    dialogue_title,
    number_title_and_prompt,
    optional_confirm,
    positive_number,
    remove_challenge,
    roster_entry,
    title_and_prompt,
)
from handlers.commands import UsageError
from handlers.contributions import is_support_key
from handlers.limits import AFFILIATION_MAX_CHARS, PROMPT_MAX_CHARS, TITLE_MAX_CHARS
from handlers.synopsis_commands import merge_arguments, synopsis_arguments


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


# --- limits: an overlong title, prompt or affiliation is refused naming the limit, not echoed --------------------


def test_a_dialogue_title_over_the_limit_is_refused():
    assert dialogue_title("x" * TITLE_MAX_CHARS) == "x" * TITLE_MAX_CHARS
    with pytest.raises(UsageError, match=r"^the title is longer than 200 characters, the most allowed$"):
        dialogue_title("x" * (TITLE_MAX_CHARS + 1))


def test_a_challenge_title_over_the_limit_is_refused():
    with pytest.raises(UsageError, match=r"^the title is longer than 200 characters, the most allowed$"):
        title_and_prompt("x" * (TITLE_MAX_CHARS + 1) + " ; prompt")
    with pytest.raises(UsageError, match="title is longer than 200"):
        number_title_and_prompt("1 " + "x" * (TITLE_MAX_CHARS + 1) + " ; prompt")


def test_a_challenge_prompt_over_the_limit_is_refused():
    assert title_and_prompt("Title ; " + "p" * PROMPT_MAX_CHARS)[1] == "p" * PROMPT_MAX_CHARS
    with pytest.raises(UsageError, match=r"^the prompt is longer than 2,000 characters, the most allowed$"):
        title_and_prompt("Title ; " + "p" * (PROMPT_MAX_CHARS + 1))


def test_an_affiliation_over_the_limit_is_refused():
    with pytest.raises(UsageError, match=r"^the affiliation is longer than 300 characters, the most allowed$"):
        roster_entry("@a:example.org " + "R" * (AFFILIATION_MAX_CHARS + 1))


def test_a_challenge_number_that_is_not_one_is_named_only_in_part():
    with pytest.raises(UsageError) as refused:
        challenge_number("x" * 10_000)
    assert len(str(refused.value)) < 100


@pytest.mark.parametrize("word", ["9" * 5_000, "²", "#1" + "0" * 12])
def test_a_challenge_number_too_long_or_not_ascii_is_a_usage_error_not_a_crash(word):
    with pytest.raises(UsageError, match="is not a challenge number"):
        challenge_number(word)


def test_a_contribution_reference_longer_than_any_reference_is_refused_without_echoing_it():
    with pytest.raises(UsageError) as refused:
        contribution_ref("A" * 5_000)
    assert "AAAA" not in str(refused.value)


@pytest.mark.parametrize("raw", ["1 2 " + "9" * 5_000, "1 ² 2"])
def test_theme_numbers_too_long_or_not_ascii_are_a_usage_error_not_a_crash(raw):
    with pytest.raises(UsageError):
        merge_arguments(raw)


def test_a_dialogue_number_too_long_is_a_usage_error_not_a_crash():
    with pytest.raises(UsageError):
        synopsis_arguments("9" * 5_000)


def test_a_roster_entry_takes_comma_separated_aliases_after_a_bar():
    entry = roster_entry("@a:example.org Republic of Tarvania | Tarvania,  RT ; State party")
    assert entry == RosterEntry("@a:example.org", "Republic of Tarvania", "State party", ("Tarvania", "RT"))
    assert roster_entry("@a:example.org ICRC").aliases == ()
    assert roster_entry("@a:example.org ICRC |").aliases == ()


def test_aliases_are_held_to_the_affiliation_limit_each():
    with pytest.raises(UsageError, match="alias"):
        roster_entry("@a:example.org Tarvania | " + "R" * (AFFILIATION_MAX_CHARS + 1))


@pytest.mark.parametrize("word", ["#0", "0", "00"])
def test_merge_refuses_challenge_zero_as_a_usage_error_like_every_other_command(word):
    # Every other command that takes a challenge number refuses 0 as a usage error; `merge` answered
    # "There is no challenge 0." after compiling the draft.
    with pytest.raises(UsageError):
        merge_arguments(f"{word} 1 2")


@pytest.mark.parametrize(("word", "number"), [("3", 3), ("#3", 3), ("#0", None), ("0", None), ("x", None), ("#", None)])
def test_a_challenge_number_is_a_small_number_from_one(word, number):
    assert positive_number(word) == number
