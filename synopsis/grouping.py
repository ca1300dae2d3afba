"""Machine grouping of one challenge's contributions: merge duplicates, then cluster the rest into themes.

The pipeline (parameters chosen by the adjusted Rand index on `benchmarks/data/eval_contributions.json`, see
`benchmarks/clustering_quality.py`):

1. exact duplicates (same `text.normalise` key) are merged;
2. near duplicates are merged when rapidfuzz's `ratio` of their keys reaches a threshold (connected components);
3. synonym phrases are replaced by one head word each (`synopsis.thesaurus`: "quitting the treaty" and "withdrawal"
   both read "withdraw"), so paraphrases in other words can share a feature;
4. each merged item becomes a TF-IDF vector of its stemmed content words and/or the character n-grams of those
   words (weighted and concatenated), so cosine similarity sees shared words and shared word pieces
   ("normalisation" and "normal");
5. agglomerative clustering (cosine distance, average linkage) cuts the tree at a fixed distance threshold.

Pairwise clustering needs O(n²) memory, so a challenge with more than `large_threshold` items takes a scalable path:
near duplicates are found by a punctuation-insensitive key instead of pairwise fuzzy matching, a deterministic sample
(ordered by a hash of the text, so independent of input order) is clustered as above, every other item joins the
sample cluster whose members it is closest to on average if that average distance is within the same threshold
(the average-linkage criterion; for other linkages an approximation), and items left over go round again until few
enough remain to cluster directly.

Nothing here is random: the only ordering inputs are the caller's item order and hashes of the texts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz, process
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

from synopsis.text import (
    content_stems,
    negation_words,
    normalise,
    punctuation_key,
    word_char_ngrams,
    word_ngrams,
    words_of,
)
from synopsis.thesaurus import DEFAULT_THESAURUS, Thesaurus


@dataclass(frozen=True, slots=True)
class GroupingParams:
    """Everything that decides the machine grouping; `CHOSEN` holds the values picked by measurement."""

    near_duplicate_threshold: float = 90.0  # rapidfuzz ratio (0–100) at or above which two texts are one item
    word_weight: float = 0.0  # share of the cosine similarity that comes from words (the rest: character n-grams)
    word_ngrams: int = 1  # word n-grams up to this length
    char_ngrams: tuple[int, int] = (3, 5)  # character n-gram lengths (within words)
    linkage: str = "average"
    distance_threshold: float = 0.94  # cosine distance at which the cluster tree is cut
    large_threshold: int = 2000  # more items than this take the scalable path
    thesaurus: Thesaurus | None = DEFAULT_THESAURUS  # synonym phrases become their head word before featurising

    def describe(self) -> str:
        return (
            f"near-duplicate ratio >= {self.near_duplicate_threshold:g}, word weight {self.word_weight:g}, "
            f"word n-grams 1-{self.word_ngrams}, char n-grams {self.char_ngrams[0]}-{self.char_ngrams[1]}, "
            f"{self.linkage} linkage, cosine distance threshold {self.distance_threshold:g}, "
            f"scalable path above {self.large_threshold} items, {self._thesaurus_phrase()}"
        )

    def _thesaurus_phrase(self) -> str:
        return "no thesaurus" if self.thesaurus is None else f"thesaurus of {len(self.thesaurus.sets)} synonym sets"


CHOSEN = GroupingParams(
    near_duplicate_threshold=90.0,
    word_weight=0.25,
    word_ngrams=1,
    char_ngrams=(3, 5),
    linkage="average",
    distance_threshold=0.94,
    thesaurus=DEFAULT_THESAURUS,
)
"""The parameters the compiler uses, picked by `benchmarks/clustering_quality.py --search`.

With the thesaurus, a quarter word TF-IDF and three quarters character 3–5-grams of the stemmed content words scored
best: ARI 0.51 on the evaluation set (0.30 before the thesaurus), 0.36 on the held-out set. On the two sets written
blind it is far lower (0.15 on the same themes, 0.06 on another treaty's): participants who say the same thing in
other words share too few words for TF-IDF to see it, and moderators' joins are how those are brought together.
Many settings score within 0.005 of each other; see the benchmark's tie rule.
"""

_ASSIGN_CHUNK = 2048  # rows per block when assigning items to sample clusters, to bound memory


@dataclass(frozen=True, slots=True)
class Grouping:
    """The result of grouping a list of texts (indices refer to the caller's list).

    `items` are merged duplicates (each a tuple of text indices, ascending), `item_of[i]` is the item of text i,
    `features` holds one L2-normalised row per item (for similarities), `labels[j]` is the cluster of item j, and
    `scalable` says whether the large-challenge path ran.
    """

    items: tuple[tuple[int, ...], ...]
    item_of: tuple[int, ...]
    representatives: tuple[int, ...]  # per item, the text whose wording stands for it (its most frequent wording)
    features: sp.csr_matrix
    labels: tuple[int, ...]
    scalable: bool
    keys: tuple[str, ...]  # the normalised text of every text, in the caller's order

    def text_labels(self) -> list[int]:
        """The cluster of every text, in the caller's order."""
        return [self.labels[item] for item in self.item_of]


Featuriser = Callable[[Sequence[str], Sequence[str]], sp.csr_matrix]
"""(normalised texts, the same texts as written) in, one L2-normalised row per text out."""


def group_texts(
    texts: Sequence[str], params: GroupingParams = CHOSEN, featuriser: Featuriser | None = None
) -> Grouping:
    """Merge duplicates among `texts` and cluster the merged items. Deterministic for a given order of `texts`.

    `featuriser` replaces the TF-IDF rows (`featurise`) the items are compared by (synopsis/multilingual.py).
    """
    keys = [normalise(text) for text in texts]
    scalable = _count_distinct(keys) > params.large_threshold
    items = merge_duplicates(keys, params, scalable=scalable)
    item_of = [0] * len(texts)
    for number, members in enumerate(items):
        for index in members:
            item_of[index] = number
    representatives = tuple(_representative(members, keys) for members in items)
    compared = [keys[index] for index in representatives]
    if featuriser is None:
        features = featurise(compared, params)
    else:
        features = featuriser(compared, [texts[index] for index in representatives])
    labels = _cluster_scalable(features, compared, params) if scalable else cluster(features, params)
    return Grouping(
        items=tuple(items),
        item_of=tuple(item_of),
        representatives=representatives,
        features=features,
        labels=tuple(int(label) for label in labels),
        scalable=scalable,
        keys=tuple(keys),
    )


def _count_distinct(keys: Sequence[str]) -> int:
    return len(set(keys))


def _representative(members: Sequence[int], keys: Sequence[str]) -> int:
    # The most frequent wording stands for the item; ties go to the earliest text (members are ascending).
    counts: dict[str, int] = {}
    for index in members:
        counts[keys[index]] = counts.get(keys[index], 0) + 1
    best = members[0]
    for index in members:
        if counts[keys[index]] > counts[keys[best]]:
            best = index
    return best


def merge_duplicates(keys: Sequence[str], params: GroupingParams, *, scalable: bool = False) -> list[tuple[int, ...]]:
    """Group the indices of `keys` (normalised texts) into exact and near duplicates, in order of first index.

    Near duplicates are connected components of the "ratio ≥ threshold" graph, where an edge also needs the same
    negation words on both sides. On the scalable path pairwise matching (O(n²)) is replaced by a key that ignores
    punctuation only.
    """
    first_of: dict[str, int] = {}
    exact: list[list[int]] = []
    for index, key in enumerate(keys):
        slot = first_of.setdefault(key if not scalable else punctuation_key(key), len(exact))
        if slot == len(exact):
            exact.append([])
        exact[slot].append(index)
    if scalable or len(exact) < 2:
        return [tuple(members) for members in exact]
    uniques = [keys[members[0]] for members in exact]
    scores = process.cdist(
        uniques,
        uniques,
        scorer=fuzz.ratio,
        score_cutoff=params.near_duplicate_threshold,
        dtype=np.uint8,
        workers=-1,
    )
    parent = list(range(len(exact)))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    negations = [negation_words(text) for text in uniques]
    rows, cols = np.nonzero(np.triu(scores, k=1))
    for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
        if negations[row] != negations[col]:
            continue  # "is acceptable" and "is not acceptable" are one edit apart and opposite in meaning
        low, high = sorted((root(row), root(col)))
        parent[high] = low  # the smaller root wins, so the result does not depend on pair order
    merged: dict[int, list[int]] = {}
    for slot, members in enumerate(exact):
        merged.setdefault(root(slot), []).extend(members)
    return [tuple(sorted(members)) for _, members in sorted(merged.items(), key=lambda entry: min(entry[1]))]


def featurise(normalised_texts: Sequence[str], params: GroupingParams) -> sp.csr_matrix:
    """One L2-normalised row per text: weighted word TF-IDF and character n-gram TF-IDF side by side.

    With both parts unit-length, the dot product of two rows is `w·cos_words + (1-w)·cos_chars`. A text with no
    content words gets a zero row (distance 1 to everything), so it ends up on its own.

    Each text is tokenised once. Its character n-gram counts are the sum of its words' n-gram counts (exactly what
    scikit-learn's `char_wb` analyzer counts on the stems joined by spaces), so they are one sparse product of the
    word counts with a words × n-grams table built once per distinct word.
    """
    words = [words_of(text) for text in normalised_texts]
    if params.thesaurus is not None:
        words = [params.thesaurus.replace_words(text_words) for text_words in words]
    stems = [content_stems(text_words) for text_words in words]
    stem_counts, vocabulary = _counts(stems)
    parts = []
    if params.word_weight > 0:
        if params.word_ngrams > 1:
            word_counts, _ = _counts([word_ngrams(text_stems, params.word_ngrams) for text_stems in stems])
        else:
            word_counts = stem_counts
        parts.append(_tf_idf(word_counts) * np.sqrt(params.word_weight))
    if params.word_weight < 1:
        char_counts = stem_counts @ _char_ngram_table(vocabulary, params.char_ngrams) if vocabulary else stem_counts
        parts.append(_tf_idf(char_counts) * np.sqrt(1 - params.word_weight))
    rows: sp.csr_matrix = normalize(sp.hstack(parts, format="csr"), norm="l2", copy=False)
    return rows


def _as_is(tokens: list[str]) -> list[str]:
    return tokens


def _counts(tokens: Sequence[list[str]]) -> tuple[sp.csr_matrix, list[str]]:
    """Token counts per text and the (sorted) vocabulary; an all-zero column when there is no token at all."""
    vectorizer = CountVectorizer(analyzer=_as_is)
    try:
        counts = sp.csr_matrix(vectorizer.fit_transform(tokens))
    except ValueError:
        # Empty vocabulary: nothing but stop words, placeholders or punctuation anywhere.
        return sp.csr_matrix((len(tokens), 1)), []
    return counts, list(vectorizer.get_feature_names_out())


def _char_ngram_table(vocabulary: Sequence[str], lengths: tuple[int, int]) -> sp.csr_matrix:
    """Rows: the words of `vocabulary`; columns: character n-grams; cells: how often the n-gram occurs in the word."""
    columns: dict[str, int] = {}
    rows, cols = [], []
    for row, word in enumerate(vocabulary):
        for gram in word_char_ngrams(word, *lengths):
            rows.append(row)
            cols.append(columns.setdefault(gram, len(columns)))
    # Duplicate (row, column) pairs are summed on conversion: a word can hold the same n-gram twice.
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(vocabulary), len(columns)))


def _tf_idf(counts: sp.csr_matrix) -> sp.csr_matrix:
    return sp.csr_matrix(TfidfTransformer(sublinear_tf=True).fit_transform(counts))


def cluster(features: sp.csr_matrix, params: GroupingParams) -> np.ndarray:
    """Agglomerative clustering of L2-normalised rows by cosine distance; labels numbered by first appearance."""
    count = features.shape[0]
    if count < 2:
        return np.zeros(count, dtype=np.int64)
    similarity = (features @ features.T).toarray()
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    model = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage=params.linkage,
        distance_threshold=params.distance_threshold,
    )
    return _renumber(model.fit_predict(distance))


def _renumber(labels: np.ndarray) -> np.ndarray:
    # scikit-learn's label numbers are an implementation detail; number clusters by their first item instead.
    seen: dict[int, int] = {}
    return np.array([seen.setdefault(int(label), len(seen)) for label in labels], dtype=np.int64)


def _cluster_scalable(features: sp.csr_matrix, texts: Sequence[str], params: GroupingParams) -> np.ndarray:
    """Cluster a deterministic sample, attach the rest to the nearest sample cluster, repeat on what is left."""
    labels = np.full(features.shape[0], -1, dtype=np.int64)
    # A hash of the text (not the input position) picks the sample, so the same texts give the same sample.
    remaining = np.array(
        sorted(range(len(texts)), key=lambda i: (hashlib.blake2b(texts[i].encode(), digest_size=8).digest(), i)),
        dtype=np.int64,
    )
    next_label = 0
    while remaining.size:
        if remaining.size <= params.large_threshold:
            sample_labels = cluster(features[remaining], params)
            labels[remaining] = sample_labels + next_label
            break
        sample, rest = remaining[: params.large_threshold], remaining[params.large_threshold :]
        sample_labels = cluster(features[sample], params)
        clusters = int(sample_labels.max()) + 1
        labels[sample] = sample_labels + next_label
        # Mean of each cluster's unit rows: x·mean is x's average cosine similarity to the cluster's members.
        membership = sp.csr_matrix(
            (np.ones(sample.size), (sample_labels, np.arange(sample.size))), shape=(clusters, sample.size)
        )
        sizes = np.asarray(membership.sum(axis=1)).ravel()
        centroids = sp.csr_matrix(sp.diags(1.0 / sizes) @ membership @ features[sample])
        left: list[np.ndarray] = []
        for start in range(0, rest.size, _ASSIGN_CHUNK):
            block = rest[start : start + _ASSIGN_CHUNK]
            similarity = (features[block] @ centroids.T).toarray()
            best = similarity.argmax(axis=1)  # ties: the lowest cluster number, deterministically
            close = 1.0 - similarity[np.arange(block.size), best] <= params.distance_threshold
            labels[block[close]] = best[close] + next_label
            left.append(block[~close])
        next_label += clusters
        remaining = np.concatenate(left) if left else np.array([], dtype=np.int64)
    return _renumber(labels)
