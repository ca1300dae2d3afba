"""Guided assignment: contributions go under the closest heading, off-topic ones under none, near ties under two."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from synopsis.guided import GUIDED, GuidedParams, assign, choose

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
