"""Unguided grouping variants measured against the chosen one: embeddings mixed in, a data-chosen cut, HDBSCAN.

Run: .venv/bin/python benchmarks/unguided_variants.py
     .venv/bin/pip install simplemma && .venv/bin/python benchmarks/unguided_variants.py --features

For each labelled set, the ARI of average-linkage clustering on `(1-w)·TF-IDF + w·wordllama` cosine similarity
(embeddings centred on the set's mean, which spreads wordllama's otherwise high cosines), for mix weights w, cut at
fixed distances, or with the number of clusters chosen by the best silhouette, and HDBSCAN (min cluster size 3) on
the same distances. Near-duplicate merging is left out here, so w=0 at 0.94 differs a little from
`clustering_quality.py`'s chosen row. A variant is worth keeping only if it raises the blind sets' ARI without
being chosen on them.

`--features` instead varies the TF-IDF features themselves (simplemma lemmas before stemming, character 3-6-grams
instead of 3-5, both), with and without 30% embeddings mixed in, at the same cuts; the variant a tuning run would
pick is the one with the best mean ARI on eval and holdout, printed last with its blind figures.
"""

from __future__ import annotations

import json
import re
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.cluster import HDBSCAN, AgglomerativeClustering
from sklearn.metrics import adjusted_rand_score, silhouette_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synopsis.embeddings import embedder
from synopsis.grouping import CHOSEN, GroupingParams, featurise
from synopsis.text import normalise

DATA = Path(__file__).resolve().parent / "data"
SETS = ("eval", "holdout", "blind", "blind_minebans")
WEIGHTS = (0.0, 0.3, 0.5, 0.7, 1.0)
CUTS = (0.8, 0.9, 0.94, 0.98)


def main() -> None:
    warnings.filterwarnings("ignore")
    model = embedder()
    assert model is not None, "wordllama is needed for this benchmark"
    print(
        f"{'set':<15} {'w':>4} "
        + " ".join(f"{'cut ' + str(c):>9}" for c in CUTS)
        + f" {'silhouette':>14} {'HDBSCAN':>8}"
    )
    for name in SETS:
        rows = json.loads((DATA / f"{name}_contributions.json").read_text(encoding="utf-8"))
        texts, truth = [row["text"] for row in rows], [row["theme"] for row in rows]
        features = featurise([normalise(text) for text in texts], CHOSEN)
        tfidf = (features @ features.T).toarray()
        vectors = model(texts)
        vectors = vectors - vectors.mean(axis=0)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        embedded = vectors @ vectors.T
        for weight in WEIGHTS:
            distance = np.clip(1 - ((1 - weight) * tfidf + weight * embedded), 0, 2)
            np.fill_diagonal(distance, 0)
            cuts = [adjusted_rand_score(truth, _cut(distance, cut)) for cut in CUTS]
            _best, clusters, score = max(
                (silhouette_score(distance, labels, metric="precomputed"), k, adjusted_rand_score(truth, labels))
                for k in range(2, 20)
                for labels in [_k(distance, k)]
            )
            found = HDBSCAN(min_cluster_size=3, metric="precomputed").fit_predict(distance)
            noise_apart = [label if label >= 0 else 1000 + i for i, label in enumerate(found)]
            print(
                f"{name:<15} {weight:>4} "
                + " ".join(f"{value:>9.3f}" for value in cuts)
                + f" {score:>7.3f} (k={clusters:>2}) {adjusted_rand_score(truth, noise_apart):>8.3f}"
            )


def feature_variants() -> None:
    """ARI of TF-IDF feature variants (lemmas, 3-6-grams) at the fixed cuts; the pick is made on eval+holdout."""
    import simplemma  # not a dependency: `pip install simplemma` to run this part

    def lemmatise(text: str) -> str:
        return re.sub(r"[A-Za-z]+", lambda match: simplemma.lemmatize(match.group(0), lang="en"), text)

    warnings.filterwarnings("ignore")
    model = embedder()
    assert model is not None, "wordllama is needed for this benchmark"
    variants: list[tuple[str, bool, GroupingParams]] = [
        ("chosen", False, CHOSEN),
        ("lemmas", True, CHOSEN),
        ("char 3-6", False, replace(CHOSEN, char_ngrams=(3, 6))),
        ("lemmas + char 3-6", True, replace(CHOSEN, char_ngrams=(3, 6))),
    ]
    loaded = {}
    for name in SETS:
        rows = json.loads((DATA / f"{name}_contributions.json").read_text(encoding="utf-8"))
        texts = [row["text"] for row in rows]
        vectors = model(texts)
        vectors = vectors - vectors.mean(axis=0)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        loaded[name] = (texts, [row["theme"] for row in rows], vectors @ vectors.T)
    print(f"{'features':<18} {'w':>4} {'cut':>5} " + " ".join(f"{name:>15}" for name in SETS))
    results = []
    for label, lemmas, params in variants:
        for weight in (0.0, 0.3):
            for cut in CUTS:
                scores = []
                for name in SETS:
                    texts, truth, embedded = loaded[name]
                    features = featurise([normalise(lemmatise(t) if lemmas else t) for t in texts], params)
                    tfidf = (features @ features.T).toarray()
                    distance = np.clip(1 - ((1 - weight) * tfidf + weight * embedded), 0, 2)
                    np.fill_diagonal(distance, 0)
                    scores.append(adjusted_rand_score(truth, _cut(distance, cut)))
                results.append(((scores[0] + scores[1]) / 2, label, weight, cut, scores))
                print(f"{label:<18} {weight:>4} {cut:>5} " + " ".join(f"{value:>15.3f}" for value in scores))
    tuning, label, weight, cut, scores = max(results, key=lambda result: result[0])
    print(
        f"\npicked on eval+holdout (mean {tuning:.3f}): {label}, w={weight}, cut {cut}; "
        + ", ".join(f"{name} {value:.3f}" for name, value in zip(SETS, scores, strict=True))
    )


def _cut(distance: np.ndarray, threshold: float) -> np.ndarray:
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=threshold
    )
    return model.fit_predict(distance)


def _k(distance: np.ndarray, clusters: int) -> np.ndarray:
    return AgglomerativeClustering(n_clusters=clusters, metric="precomputed", linkage="average").fit_predict(distance)


if __name__ == "__main__":
    feature_variants() if "--features" in sys.argv[1:] else main()
