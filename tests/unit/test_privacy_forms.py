"""The forms of affiliations and names the scrubber looks for: short forms, demonyms, codes, acronyms, name parts."""

from __future__ import annotations

import pytest

from privacy.forms import affiliation_forms, demonyms, is_common_word, name_parts, short_form


@pytest.mark.parametrize(
    ("affiliation", "short"),
    [
        ("Republic of Tarvania", "Tarvania"),
        ("the Kingdom of Elbonia", "Elbonia"),
        ("Grand Duchy of Elbonia", "Elbonia"),
        ("Permanent Mission of the Federal Republic of Ostravia", "Ostravia"),
        ("Delegation of the Islamic Republic of Qumar", "Qumar"),
        ("Ministry of Foreign Affairs of Ruritania", "Ruritania"),
        ("Embassy of the United Republic of Vendaland", "Vendaland"),
        ("People's Democratic Republic of Kasnia", "Kasnia"),
        ("Ruritanian Federation", "Ruritanian"),
        ("Korea, Republic of", "Korea"),
        ("Human Rights Watch", "Human Rights Watch"),
        ("United States of America", "United States of America"),
    ],
)
def test_the_short_form_drops_state_and_mission_prefixes(affiliation, short):
    assert short_form(affiliation) == short


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Tarvania", {"Tarvanian"}),  # -ia → -ian
        ("Genova", {"Genovan"}),  # -a → -an
        ("Kazarstan", {"Kazarstani"}),  # -stan → -stani
        ("Vendaland", {"Vendalander"}),  # -land → -lander
        ("Ostrave", {"Ostravian", "Ostravean"}),  # -e → -ian / -ean
        ("Marrico", {"Marrican", "Marricoan", "Marricese"}),  # -o → -an / -ese
        ("Borduy", {"Borduian"}),  # -y → -ian
        ("Malawi", {"Malawian"}),  # -i → -ian
        ("Zubrow", {"Zubrowian", "Zubrowese", "Zubrowi"}),  # other endings
        ("Ab", set()),  # too short to derive anything safely
    ],
)
def test_demonyms_follow_the_rules(place, expected):
    assert demonyms(place) == expected


def test_a_real_state_gets_its_names_codes_and_irregular_demonym():
    forms = affiliation_forms("Kingdom of Norway")
    assert {"Kingdom of Norway", "Norway", "NOR", "Norwegian"} <= forms
    assert "NO" not in forms  # a frequent word in capitals too ("NO DECISION")


def test_the_united_states_keeps_us_in_capitals():
    assert {"United States", "USA", "US", "American"} <= affiliation_forms("United States of America")


def test_an_organisation_of_three_significant_words_gets_its_acronym():
    assert "HRW" in affiliation_forms("Human Rights Watch")
    assert "ICRC" in affiliation_forms("International Committee of the Red Cross")
    assert affiliation_forms("Mine Action") == {"Mine Action"}


def test_a_state_gets_no_acronym():
    assert "RT" not in affiliation_forms("Republic of Tarvania")


def test_name_parts_are_words_of_three_letters_without_honorifics():
    assert name_parts("Dr. Casimir Oyelaran-Fitch") == {"Casimir", "Oyelaran-Fitch", "Oyelaran", "Fitch"}
    assert name_parts("Li Wei") == {"Wei"}  # "Li" is too short to look for
    assert name_parts("H.E. Ms Amara Okafor") == {"Amara", "Okafor"}


@pytest.mark.parametrize(("word", "common"), [("Grace", True), ("Will", True), ("Mark", True), ("Zephyrine", False)])
def test_common_words_are_told_from_names_by_word_frequency(word, common):
    assert is_common_word(word) is common
