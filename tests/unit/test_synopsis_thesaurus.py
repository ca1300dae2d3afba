"""The synonym sets that let paraphrases meet before grouping."""

from __future__ import annotations

from dataclasses import replace

from synopsis.compile import method_paragraph
from synopsis.grouping import CHOSEN, group_texts
from synopsis.text import stem
from synopsis.thesaurus import DEFAULT_THESAURUS, SYNONYM_SETS, Thesaurus


def test_synonyms_in_any_word_form_become_their_head_word():
    assert DEFAULT_THESAURUS.apply("quitting the treaty") == "withdraw the treaty"
    assert DEFAULT_THESAURUS.apply("they denounce it") == "they withdraw it"
    assert DEFAULT_THESAURUS.apply("shipments went ahead") == "transfer went ahead"


def test_the_longest_phrase_wins_and_stop_words_inside_a_phrase_count():
    # "States not party" must not be read as "States party": the negation is part of the phrase.
    assert DEFAULT_THESAURUS.apply("states not party keep stockpiles") == "nonparty keep stockpiles"
    assert DEFAULT_THESAURUS.apply("states parties keep stockpiles") == "states parties keep stockpiles"
    assert DEFAULT_THESAURUS.apply("cluster bombs were dropped") == "munition were dropped"


def test_a_word_with_another_common_sense_counts_only_in_context():
    assert DEFAULT_THESAURUS.apply("leave no one behind") == "leave no one behind"
    assert DEFAULT_THESAURUS.apply("leaving the treaty now") == "withdraw now"


def test_words_outside_every_set_are_left_as_they_were():
    assert DEFAULT_THESAURUS.apply("article 21 obliges us") == "article 21 obliges us"


def test_no_phrase_belongs_to_two_sets():
    owner: dict[tuple[str, ...], str] = {}
    for head, variants in SYNONYM_SETS.items():
        for variant in (head, *variants):
            key = tuple(stem(word) for word in variant.casefold().replace("'", " ").split())
            assert owner.setdefault(key, head) == head, f"{variant!r} is in {owner[key]!r} and {head!r}"


def test_a_custom_thesaurus_uses_only_its_own_sets():
    thesaurus = Thesaurus({"landmine": ("anti personnel mine", "apm")})
    assert thesaurus.apply("every apm and every anti-personnel mines") == "every landmine and every landmine"
    assert thesaurus.apply("quitting the treaty") == "quitting the treaty"


def test_paraphrases_sharing_no_word_are_grouped_by_their_synonyms_and_kept_apart_from_another_theme():
    texts = [
        "One country quitting the treaty is dangerous.",
        "Withdrawal from the Convention sets a worrying example.",
        "Shipments of cluster bombs went ahead without protest.",
        "Transfers of submunitions continued unchallenged.",
    ]
    assert group_texts(texts, replace(CHOSEN, thesaurus=None)).text_labels() != [0, 0, 1, 1]  # words alone fail
    assert group_texts(texts, CHOSEN).text_labels() == [0, 0, 1, 1]


def test_the_method_annex_says_when_synonyms_were_counted_as_one():
    assert "same meaning" in method_paragraph(CHOSEN, 3)
    assert "same meaning" not in method_paragraph(replace(CHOSEN, thesaurus=None), 3)


def test_a_deployment_adds_its_own_sets_and_they_win_over_the_built_in_ones():
    extended = DEFAULT_THESAURUS.extended({"Landmine": ("anti-personnel mine", "APM"), "withdraw": ("step back",)})
    assert extended.apply("apms and anti personnel mines") == "landmine and landmine"
    assert extended.apply("they step back from the treaty") == "they withdraw from the treaty"
    assert extended.apply("quitting the treaty") == "withdraw the treaty"  # the built-in phrases stay
    # A phrase the deployment files under another head word is theirs, not the built-in set's.
    assert DEFAULT_THESAURUS.extended({"sending": ("transit",)}).apply("transit of munitions") == "sending of munition"
