"""Guided assignment: contributions go under the closest heading, off-topic ones under none, near ties under two."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from synopsis.guided import GUIDED, GuidedParams, assign, choose, refined_similarities, with_thesaurus
from synopsis.thesaurus import DEFAULT_THESAURUS

HEADINGS = ["Withdrawal from the Convention", "Funding for clearance and victim assistance"]


def test_each_text_goes_under_the_heading_it_shares_words_with_tfidf_alone() -> None:
    texts = [
        "A withdrawal from the convention sends a terrible signal",
        "Funding for clearance is drying up",
        "Where is the coffee served tomorrow?",
    ]
    result = assign(HEADINGS, texts, GUIDED, embed=None)
    assert result.primary == (0, 1, None)


def test_a_near_tie_lists_the_text_under_both_headings_and_a_clear_win_under_one() -> None:
    score = np.array([[0.50, 0.49], [0.50, 0.20], [0.05, 0.04]])
    result = choose(score, GuidedParams(floor=0.1, tie_margin=0.02))
    assert result.primary == (0, 0, None)
    assert result.secondary == (1, None, None)


def test_embeddings_join_paraphrases_that_share_no_word_with_the_heading() -> None:
    def fake(texts: Sequence[str]) -> np.ndarray:
        # "quitting" means leaving; anything about money points the other way.
        rows = [[1.0, 0.0] if ("withdrawal" in t.lower() or "quit" in t.lower()) else [0.0, 1.0] for t in texts]
        return np.array(rows)

    text = ["Quitting is a sad step"]
    assert assign(HEADINGS, text, GuidedParams(embedding_weight=0.9, floor=0.1), embed=fake).primary == (0,)


def test_a_text_sharing_words_only_with_a_headings_clear_members_joins_that_heading() -> None:
    headings = ["Withdrawal from the Convention", "Funding for clearance"]
    texts = [
        "A withdrawal from the Convention would shatter the norm and embolden users",
        "Funding for clearance is drying up in older contaminated countries",
        "Leaving would shatter the norm and embolden users",  # no word of either heading
        "Where is the coffee served tomorrow?",
    ]
    assert assign(headings, texts, GUIDED, embed=None).primary == (0, 1, 0, None)
    # Against the headings alone the third text matches nothing.
    assert assign(headings, texts, replace(GUIDED, refine_rounds=0), embed=None).primary == (0, 1, None, None)


def test_a_near_tie_does_not_shape_a_centroid() -> None:
    # Only clear winners are seeds: a two-point text, listed under both headings, pulls no centroid towards itself.
    headings = ["Withdrawal from the Convention", "Funding"]
    texts = ["Withdrawal from the Convention and funding: shatter embolden", "Shatter embolden"]
    near_tie = refined_similarities(headings, texts, replace(GUIDED, tie_margin=0.5), embed=None)
    assert near_tie[1].max() < GUIDED.floor
    clear_win = refined_similarities(headings, texts, GUIDED, embed=None)
    assert clear_win[1].argmax() == 0 and clear_win[1].max() >= GUIDED.floor


def test_no_headings_leave_every_text_unassigned() -> None:
    assert assign([], ["anything"], GUIDED, embed=None).primary == (None,)


def test_without_wordllama_the_embedder_is_none_and_says_so_once(monkeypatch, caplog) -> None:
    import sys

    from synopsis import embeddings

    monkeypatch.setitem(sys.modules, "wordllama", None)  # importing it now raises ImportError
    monkeypatch.setattr(embeddings, "_loaded", [])
    with caplog.at_level("WARNING", logger="synopsis.embeddings"):
        assert embeddings.embedder() is None
        assert embeddings.embedder() is None
    assert [r.message for r in caplog.records].count(
        "wordllama is not installed: guided themes use character n-gram TF-IDF alone"
    ) == 1
    # TF-IDF alone still places a contribution under the heading it shares words with.
    assert assign(HEADINGS, ["Funding for clearance is drying up"]).primary == (1,)


def test_the_installed_model_loads_offline_and_gives_unit_rows() -> None:
    from synopsis.embeddings import embedder

    model = embedder()
    assert model is not None
    rows = model(["Leaving the treaty", "Quitting the convention"])
    assert rows.shape[0] == 2
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0)


# The full demo's challenge 2 (demo/script.py, with the private contribution): two texts on a withdrawal, two on
# universalisation under Article 21, one on what condemning a partner costs.
DEMO_CHALLENGE_TWO = [
    "A State party's withdrawal sets a dangerous precedent for humanitarian disarmament.",
    "Withdrawal from the Convention must not become normal; other States parties should respond jointly.",
    "Universalisation efforts under Article 21 need renewed energy and political attention.",
    "Engage States not party on their Article 21 obligations and on transparency.",
    "Privately: some delegations fear that condemning a partner's new use will cost them aid.",
]


def test_a_lone_heading_does_not_pull_in_contributions_about_other_matters() -> None:
    result = assign(["withdrawal, parties, State"], DEMO_CHALLENGE_TWO)
    assert result.primary[:2] == (0, 0)
    # Far from the heading itself; only a centroid of everything the heading drew brought them near it.
    assert result.primary[2] is None
    assert result.primary[4] is None


def test_a_contribution_closer_to_what_no_heading_took_stays_out() -> None:
    # TF-IDF alone: the third text shares "shatter embolden" with a clear member of the heading, but more with the
    # two texts no heading took, so the no-heading alternative wins it.
    headings = ["Withdrawal from the Convention"]
    texts = [
        "Withdrawal from the Convention would shatter the norm",
        "Coffee and tea embolden delegates in the afternoon",
        "Tea, coffee and the norm shatter no delegates in the afternoon",
        "Coffee and tea in the afternoon",
    ]
    refined = refined_similarities(headings, texts, GUIDED, embed=None)
    assert refined[0, 0] >= GUIDED.floor
    assert assign(headings, texts, GUIDED, embed=None).primary == (0, None, None, None)


def test_a_deployments_synonym_set_lets_a_word_of_its_own_reach_the_heading() -> None:
    headings = ["Landmine contamination and clearance", "Funding for victim assistance"]
    texts = ["Every APM must go"]
    taught = with_thesaurus(GUIDED, DEFAULT_THESAURUS.extended({"landmine": ("anti-personnel mine", "APM")}))
    assert assign(headings, texts, GUIDED, embed=None).primary == (None,)
    assert assign(headings, texts, taught, embed=None).primary == (0,)
