"""The synopsis compiler's text keys and machine grouping, and its quality on the labelled evaluation set."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score

from synopsis.compile import apply_overrides, compile_synopsis
from synopsis.grouping import CHOSEN, featurise, group_texts, merge_duplicates
from synopsis.model import ChallengeInput, ContributionInput, DialogueInput, Overrides, SynopsisInput
from synopsis.text import content_stems, normalise, ref_sort_key, stem, words_of

EVALUATION_SET = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "eval_contributions.json"
REPORTED_ARI = 0.508  # benchmarks/clustering_quality.py with CHOSEN
ARI_MARGIN = 0.02


def test_normalising_folds_case_width_and_spacing_and_trims_end_punctuation():
    assert normalise("  «Ｓtop   THE\ttransfers!!» ") == "stop the transfers"


def test_normalising_keeps_punctuation_inside_the_text():
    assert normalise("Article 21, para. 2: discourage use.") == "article 21, para. 2: discourage use"


def test_refs_sort_numbers_by_value_and_never_tie_distinct_refs():
    refs = ["c10", "c2", "b", "c01", "c1"]
    assert sorted(refs, key=ref_sort_key) == ["b", "c01", "c1", "c2", "c10"]


def test_stemming_brings_word_forms_together():
    assert stem("transfers") == stem("transferring") == stem("transferred") == stem("transfer")
    assert stem("normalisation") == stem("normalization")


def test_near_duplicates_that_differ_in_a_negation_are_not_merged():
    keys = [normalise("Use of these weapons is acceptable"), normalise("Use of these weapons is not acceptable")]
    assert merge_duplicates(keys, CHOSEN) == [(0,), (1,)]


def test_near_duplicate_merging_is_transitive():
    keys = ["the stigma must be rebuilt now", "the stigma must be rebuilt now!", "the stigma must be rebuilt now!!"]
    assert merge_duplicates(keys, CHOSEN) == [(0, 1, 2)]


def test_texts_without_content_words_do_not_break_grouping():
    grouping = group_texts(["+1", "+1", "ok", "!!!"])
    assert grouping.text_labels()[0] == grouping.text_labels()[1]


def test_a_theme_without_content_words_is_labelled_by_its_first_words():
    contributions = tuple(ContributionInput(f"p{n}", 1, "+1", f"m{n}") for n in range(3))
    data = SynopsisInput(DialogueInput("d", 0.0, 0.0, 1), (ChallengeInput(1, "c", "p"),), contributions)
    (theme,) = compile_synopsis(data).sections[0].themes
    assert (theme.label, theme.statement, len(theme.refs)) == ("+1", "+1", 3)


def test_a_merged_item_is_stated_in_its_most_frequent_wording():
    texts = ("The stigma must be rebuilt!", "the stigma must be rebuilt", "The stigma must be rebuilt!")
    contributions = tuple(ContributionInput(f"s{n}", 1, text, f"m{n}") for n, text in enumerate(texts))
    data = SynopsisInput(DialogueInput("d", 0.0, 0.0, 1), (ChallengeInput(1, "c", "p"),), contributions)
    assert compile_synopsis(data).sections[0].themes[0].statement == "The stigma must be rebuilt!"


def test_overrides_keep_groups_in_creation_order_and_drop_emptied_ones():
    groups = [["a", "b"], ["c"], ["d", "e"]]
    overrides = Overrides(joins=(("c", "a"),), moves=(("d", None), ("e", "d")))
    assert apply_overrides(groups, overrides) == [["a", "b", "c"], ["d", "e"]]


def test_the_chosen_grouping_keeps_its_measured_quality_on_the_evaluation_set():
    rows = json.loads(EVALUATION_SET.read_text(encoding="utf-8"))
    labels = group_texts([row["text"] for row in rows], CHOSEN).text_labels()
    score = adjusted_rand_score([row["theme"] for row in rows], labels)
    assert score >= REPORTED_ARI - ARI_MARGIN


def test_character_ngram_features_equal_scikit_learns_char_wb_on_the_stems():
    texts = [normalise(text) for text in ("Transfers of cluster munitions", "The transfer of munitions!", "aa aa b")]
    params = replace(CHOSEN, word_weight=0.0, thesaurus=None)
    ours = featurise(texts, params)
    stems = [" ".join(content_stems(words_of(text))) for text in texts]
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=params.char_ngrams, sublinear_tf=True)
    theirs = reference.fit_transform(stems)
    np.testing.assert_allclose((ours @ ours.T).toarray(), (theirs @ theirs.T).toarray(), atol=1e-12)
