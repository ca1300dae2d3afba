"""Guided themes: each contribution goes under the expected theme (heading) it is most similar to.

The secretariat usually knows the considerations it expects. Given a challenge's headings, every contribution is
scored against every heading by a mix of two cosine similarities:

- character n-gram TF-IDF of the content words (the machine grouping's features, `synopsis.grouping.featurise`,
  thesaurus included), which sees shared words and word pieces;
- sentence embeddings (`synopsis.embeddings`), which see paraphrases that share no word.

A contribution goes under its best heading when the mixed score reaches `floor`; below it, it stays with the machine
grouping (and "Other points raised"). When its second-best heading scores within `tie_margin` of the best (and above
the floor too), it is also listed under that one: people often raise two points in one message. Parameters were
chosen on the evaluation and held-out sets (`benchmarks/guided_quality.py`); the blind sets only report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from synopsis.embeddings import Embedder, embedder
from synopsis.grouping import CHOSEN, GroupingParams, featurise
from synopsis.text import normalise


@dataclass(frozen=True, slots=True)
class GuidedParams:
    embedding_weight: float = 0.4  # share of the score from embeddings (the rest: character n-gram TF-IDF)
    floor: float = 0.1  # below this best score a contribution is left to the machine grouping
    tie_margin: float = 0.02  # a second heading within this of the best also lists the contribution
    features: GroupingParams = CHOSEN

    def describe(self) -> str:
        return f"embedding weight {self.embedding_weight:g}, floor {self.floor:g}, tie margin {self.tie_margin:g}"


GUIDED = GuidedParams()

_EMBED_CHUNK = 2048  # texts embedded at a time, to bound memory on a large challenge


@dataclass(frozen=True, slots=True)
class Assignment:
    """Per text (in the caller's order): its heading index or None, and a second heading index or None."""

    primary: tuple[int | None, ...]
    secondary: tuple[int | None, ...]


def similarities(
    headings: Sequence[str],
    texts: Sequence[str],
    params: GuidedParams = GUIDED,
    embed: Embedder | None = None,
) -> np.ndarray:
    """Texts × headings matrix of mixed similarity. Without an embedder, TF-IDF alone (weight ignored)."""
    if not headings or not texts:
        return np.zeros((len(texts), len(headings)))
    weight = params.embedding_weight if embed is not None else 0.0
    score = np.zeros((len(texts), len(headings)))
    if weight < 1:
        rows = featurise([normalise(text) for text in [*headings, *texts]], params.features)
        tfidf = (rows[len(headings) :] @ rows[: len(headings)].T).toarray()
        score += (1 - weight) * tfidf
    if weight > 0 and embed is not None:
        heading_vectors = embed(list(headings))
        # In blocks, so only the texts × headings scores are kept, not every text's vector at once.
        for start in range(0, len(texts), _EMBED_CHUNK):
            block = embed(list(texts[start : start + _EMBED_CHUNK]))
            score[start : start + len(block)] += weight * (block @ heading_vectors.T)
    return score


def assign(
    headings: Sequence[str],
    texts: Sequence[str],
    params: GuidedParams = GUIDED,
    embed: Embedder | bool | None = True,
) -> Assignment:
    """Assign each text to a heading (or none). `embed=True` uses the process's model if it is installed."""
    model = embedder() if embed is True else (embed or None)
    return choose(similarities(headings, texts, params, model), params)


def choose(score: np.ndarray, params: GuidedParams = GUIDED) -> Assignment:
    """The assignment from a texts × headings score matrix: best heading above the floor, and a near-tie second."""
    primary: list[int | None] = []
    secondary: list[int | None] = []
    for row in score:
        if row.size == 0:
            primary.append(None)
            secondary.append(None)
            continue
        # Rounded so float noise cannot decide a tie; the earlier heading wins an exact one.
        order = sorted(range(row.size), key=lambda h: (-round(float(row[h]), 9), h))
        best = order[0]
        if row[best] < params.floor:
            primary.append(None)
            secondary.append(None)
            continue
        primary.append(best)
        runner = order[1] if len(order) > 1 else None
        close = runner is not None and row[runner] >= params.floor and row[best] - row[runner] <= params.tie_margin
        secondary.append(runner if close else None)
    return Assignment(tuple(primary), tuple(secondary))
