"""k-anonymous bands and stakeholder categories: words instead of numbers, nothing below k."""

from __future__ import annotations

import pytest

from privacy import STAKEHOLDER_CATEGORIES, band, category_phrase, normalise_category


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, None), (2, None), (3, "a few"), (4, "a few"), (5, "several"), (9, "several"), (10, "many"), (250, "many")],
)
def test_bands_for_k_3(count, expected):
    assert band(count, 3) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, None), (3, None), (4, None), (5, "several"), (9, "several"), (10, "many"), (11, "many")],
)
def test_bands_for_k_5_start_at_several(count, expected):
    assert band(count, 5) == expected


def test_the_lowest_band_shown_starts_at_k_when_k_is_between_5_and_9():
    assert (band(6, 7), band(7, 7)) == (None, "several")


def test_with_k_of_10_or_more_only_many_is_shown():
    assert (band(11, 12), band(12, 12)) == (None, "many")


def test_a_band_is_never_a_number():
    assert all(not any(ch.isdigit() for ch in band(count, 1) or "") for count in range(200))


@pytest.mark.parametrize(("count", "k"), [(-1, 3), (3, 0)])
def test_a_negative_count_or_a_k_below_1_is_refused(count, k):
    with pytest.raises(ValueError):
        band(count, k)


def test_the_category_phrase_names_only_categories_that_reach_k():
    counts = {"State party": 4, "civil society": 3, "survivor": 2}
    assert category_phrase(counts, 3) == "including civil society participants and States parties"


def test_the_category_phrase_is_none_when_no_category_reaches_k():
    assert category_phrase({"State party": 2, "survivor": 1}, 3) is None


def test_the_category_phrase_is_none_for_no_categories():
    assert category_phrase({}, 3) is None


def test_a_single_category_is_named_alone():
    assert category_phrase({"international organisation": 5}, 5) == "including international organisations"


def test_all_categories_are_listed_in_the_fixed_order_whatever_their_counts():
    counts = {"State party": 50, "international organisation": 3, "civil society": 20, "survivor": 3, "other": 3}
    assert category_phrase(counts, 3) == (
        "including survivors, civil society participants, international organisations, States parties and other "
        "participants"
    )


def test_an_unknown_category_in_the_counts_is_refused():
    with pytest.raises(ValueError):
        category_phrase({"NGO": 5}, 3)


def test_the_stakeholder_categories_are_the_five_canonical_names():
    assert STAKEHOLDER_CATEGORIES == ("State party", "international organisation", "civil society", "survivor", "other")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("state", "State party"),
        ("State Party", "State party"),
        ("states parties", "State party"),
        ("IO", "international organisation"),
        ("international organization", "international organisation"),
        ("International Organisation", "international organisation"),
        ("CSO", "civil society"),
        ("ngo", "civil society"),
        ("Civil  Society", "civil society"),
        ("civil-society", "civil society"),
        ("survivor", "survivor"),
        ("Survivors", "survivor"),
        ("other", "other"),
        (" Other. ", "other"),
    ],
)
def test_normalise_category_accepts_case_and_synonyms(text, expected):
    assert normalise_category(text) == expected


@pytest.mark.parametrize("text", ["", "journalist", "statesman", "civil"])
def test_normalise_category_returns_none_for_unknown_text(text):
    assert normalise_category(text) is None


def test_every_canonical_category_normalises_to_itself():
    assert [normalise_category(name) for name in STAKEHOLDER_CATEGORIES] == list(STAKEHOLDER_CATEGORIES)
