"""Guided themes: each contribution goes under the expected theme (heading) it is most similar to.

The secretariat usually knows the considerations it expects. Given a challenge's headings, every contribution is
scored against every heading by a mix of two cosine similarities:

- character n-gram TF-IDF of the content words (the machine grouping's features, `synopsis.grouping.featurise`,
  thesaurus included: the compiler passes the grouping's, so a deployment's `synopsis.synonyms` count here too),
  which sees shared words and word pieces;
- sentence embeddings (`synopsis.embeddings`), which see paraphrases that share no word.

Headings are short, so a second round also compares each contribution with what its heading drew in the first
(`refine`): every heading gets a centroid of its own row and the contributions that chose it by a clear margin
(`seed_margin` over the runner-up heading; a lone heading, which has none, `lone_seed_margin` over the floor), in
both spaces, and the final score is mostly (`centroid_weight`) the similarity to that centroid, like one step of
seeded k-means. A lone heading also has "no heading" as a rival in that round: its centroid is what the heading did
not take in the first round, and a contribution closer to that than to the heading's centroid by more than
`none_margin` stays out. Without these a lone heading took nearly everything: contributions resemble each other more
than any heading, so a centroid made of most of the challenge drew all of it over the floor.

A contribution goes under its best heading when that score reaches `floor`; below it, it stays with the machine
grouping (and "Other points raised"). When its second-best heading scores within `tie_margin` of the best (and above
the floor too), it is also listed under that one: people often raise two points in one message. Parameters were
chosen on the evaluation and held-out sets (`benchmarks/guided_quality.py`, `benchmarks/guided_lone_heading.py`);
the blind sets only report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from synopsis.embeddings import Embedder, embedder
from synopsis.grouping import CHOSEN, GroupingParams, featurise
from synopsis.text import normalise
from synopsis.thesaurus import Thesaurus


@dataclass(frozen=True, slots=True)
class GuidedParams:
    embedding_weight: float = 0.3  # share of the score from embeddings (the rest: character n-gram TF-IDF)
    floor: float = 0.1  # below this best score a contribution is left to the machine grouping
    tie_margin: float = 0.02  # a second heading within this of the best also lists the contribution
    refine_rounds: int = 1  # rounds of re-scoring against centroids of what each heading drew (0: headings alone)
    centroid_weight: float = 0.9  # share of the refined score from the centroid (the rest: the heading itself)
    seed_margin: float = 0.02  # a contribution shapes its heading's centroid only when it won by this much
    lone_seed_margin: float = 0.03  # a lone heading's seed must beat the floor, its only rival, by this much
    none_margin: float = 0.03  # a lone heading loses a text that what it did not take is closer to by more than this
    features: GroupingParams = CHOSEN

    def describe(self) -> str:
        refined = (
            f"; {self.refine_rounds} centroid round(s), centroid weight {self.centroid_weight:g}, "
            f"seed margin {self.seed_margin:g} (a lone heading's over the floor {self.lone_seed_margin:g}), "
            f"no-heading margin {self.none_margin:g}"
            if self.refine_rounds
            else "; no centroid round"
        )
        return (
            f"embedding weight {self.embedding_weight:g}, floor {self.floor:g}, tie margin {self.tie_margin:g}{refined}"
        )


GUIDED = GuidedParams()


def with_thesaurus(params: GuidedParams, thesaurus: Thesaurus | None) -> GuidedParams:
    """`params` with the TF-IDF side reading through `thesaurus`: a deployment's own synonym sets (`synopsis.synonyms`,
    added to the built-in ones) serve guided themes as they serve the machine grouping."""
    if params.features.thesaurus is thesaurus:
        return params
    return replace(params, features=replace(params.features, thesaurus=thesaurus))


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
    """Texts × headings matrix of mixed similarity to the headings alone (no centroid round).

    Without an embedder, TF-IDF alone (weight ignored).
    """
    return _Space.build(headings, texts, params, embed).heading_scores()


def refined_similarities(
    headings: Sequence[str],
    texts: Sequence[str],
    params: GuidedParams = GUIDED,
    embed: Embedder | None = None,
) -> np.ndarray:
    """Texts × headings matrix after `params.refine_rounds` centroid rounds: the scores `assign` decides on."""
    space = _Space.build(headings, texts, params, embed)
    return refine(space, space.heading_scores(), params)


def assign(
    headings: Sequence[str],
    texts: Sequence[str],
    params: GuidedParams = GUIDED,
    embed: Embedder | bool | None = True,
) -> Assignment:
    """Assign each text to a heading (or none). `embed=True` uses the process's model if it is installed."""
    model = embedder() if embed is True else (embed or None)
    return choose(refined_similarities(headings, texts, params, model), params)


@dataclass(frozen=True, slots=True)
class _Space:
    """Headings and texts in both spaces: TF-IDF rows (sparse) and embedding rows (float32, to halve memory)."""

    weight: float  # embedding share actually used (0 without an embedder)
    heading_rows: sp.csr_matrix
    text_rows: sp.csr_matrix
    heading_vectors: np.ndarray | None
    text_vectors: np.ndarray | None

    @staticmethod
    def build(headings: Sequence[str], texts: Sequence[str], params: GuidedParams, embed: Embedder | None) -> _Space:
        weight = params.embedding_weight if embed is not None else 0.0
        rows = featurise([normalise(text) for text in [*headings, *texts]], params.features)
        heading_vectors = text_vectors = None
        if weight > 0 and embed is not None and headings and texts:
            heading_vectors = np.asarray(embed(list(headings)), dtype=np.float32)
            # In blocks, so the model's working memory stays bounded on a large challenge.
            text_vectors = np.concatenate(
                [
                    np.asarray(embed(list(texts[start : start + _EMBED_CHUNK])), dtype=np.float32)
                    for start in range(0, len(texts), _EMBED_CHUNK)
                ]
            )
        return _Space(weight, rows[: len(headings)], rows[len(headings) :], heading_vectors, text_vectors)

    def scores(self, tfidf_targets: sp.csr_matrix, embedded_targets: np.ndarray | None) -> np.ndarray:
        """Texts × targets mixed cosine similarity (targets: one unit row each, in both spaces)."""
        count = tfidf_targets.shape[0]
        if count == 0 or self.text_rows.shape[0] == 0:
            return np.zeros((self.text_rows.shape[0], count))
        score = np.asarray((self.text_rows @ tfidf_targets.T).todense(), dtype=np.float64)
        if self.weight > 0 and self.text_vectors is not None and embedded_targets is not None:
            score = (1 - self.weight) * score + self.weight * (self.text_vectors @ embedded_targets.T)
        return score

    def heading_scores(self) -> np.ndarray:
        return self.scores(self.heading_rows, self.heading_vectors)


def refine(space: _Space, score: np.ndarray, params: GuidedParams) -> np.ndarray:
    """Mix each heading's score with the similarity to the centroid of its row and its clear first-round winners.

    Only contributions above the floor that beat their runner-up heading by `seed_margin` (a lone heading's: the floor
    by `lone_seed_margin`) count as seeds, so an unsure first choice cannot pull a centroid towards the wrong theme;
    the heading's own row is always in its centroid. With a lone heading, a contribution's score is then lowered by
    however much the "no heading" alternative (`_no_heading`) beats the floor, so `choose` leaves it out when that is
    the closer option.
    """
    base = score
    headings = score.shape[1]
    if headings == 0 or score.shape[0] == 0:
        return score
    raised = np.zeros(score.shape[0])
    for _ in range(params.refine_rounds):
        best = score.argmax(axis=1)
        top = np.sort(score, axis=1)
        # With no runner-up heading, the floor is the rival a clear win must beat. Asking that of every seed (when
        # the runner-up heading scores below the floor) cost accuracy on every labelled set, so only a lone heading's.
        if headings > 1:
            margin, needed = top[:, -1] - top[:, -2], params.seed_margin
        else:
            margin, needed = top[:, -1] - params.floor, params.lone_seed_margin
        # A near tie (listed under two headings) is no clear winner either.
        seeds = (top[:, -1] >= params.floor) & (margin >= needed) & (margin > params.tie_margin)
        # Heading × texts indicator of seeds, so every centroid is one sparse product.
        members = sp.csr_matrix(
            (np.ones(int(seeds.sum())), (best[seeds], np.flatnonzero(seeds))), shape=(headings, score.shape[0])
        )
        tfidf_centroids = normalize(space.heading_rows + members @ space.text_rows, norm="l2")
        embedded_centroids = None
        if space.heading_vectors is not None and space.text_vectors is not None:
            summed = space.heading_vectors + members @ space.text_vectors
            lengths = np.linalg.norm(summed, axis=1, keepdims=True)
            embedded_centroids = (summed / np.where(lengths == 0, 1, lengths)).astype(np.float32)
        score = (1 - params.centroid_weight) * base + params.centroid_weight * space.scores(
            sp.csr_matrix(tfidf_centroids), embedded_centroids
        )
        if headings == 1:
            # Several headings rival each other; a lone heading's only rival is "no heading". Given to every
            # challenge, that rival cost accuracy with terse headings on both blind sets, so only a lone heading's.
            alternative = _no_heading(space, top[:, -1] < params.floor, params)
            raised = np.maximum(alternative - params.none_margin - params.floor, 0)
    return score - raised[:, None]


def _no_heading(space: _Space, unplaced: np.ndarray, params: GuidedParams) -> np.ndarray:
    """Per text, the "no heading" alternative scored like a heading in the centroid round.

    Its own part is the floor (what a heading must reach), its centroid the texts no heading took (`unplaced`), each
    such text compared with the others only: a text is always close to itself.
    """
    similarity = _similarity_to_others(space.text_rows, unplaced)
    if space.weight > 0 and space.text_vectors is not None:
        embedded = _similarity_to_others(space.text_vectors, unplaced)
        similarity = (1 - space.weight) * similarity + space.weight * embedded
    return (1 - params.centroid_weight) * params.floor + params.centroid_weight * similarity


def _similarity_to_others(rows: sp.csr_matrix | np.ndarray, members: np.ndarray) -> np.ndarray:
    """Cosine of each row with the sum of the `members` rows, leaving the row itself out of that sum."""
    # A product rather than rows[members], which would copy up to all the rows.
    total = np.asarray(rows.T @ members.astype(rows.dtype)).ravel()
    dots = np.asarray(rows @ total).ravel()
    own = (
        np.asarray(rows.multiply(rows).sum(axis=1)).ravel() if sp.issparse(rows) else np.einsum("ij,ij->i", rows, rows)
    )
    own = np.where(members, own, 0.0)
    dots = dots - own
    # |total - row|² for a member, |total|² for the others.
    lengths = np.sqrt(np.maximum(float(total @ total) - 2 * np.where(members, dots + own, 0.0) + own, 0.0))
    cosines: np.ndarray = np.divide(dots, lengths, out=np.zeros_like(dots), where=lengths > 1e-12)
    return cosines


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
