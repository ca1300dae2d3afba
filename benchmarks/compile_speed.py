"""How fast, and in how much memory, does `compile_synopsis` run on large dialogues?

Run: .venv/bin/python benchmarks/compile_speed.py [--case NAME]

Cases: 1,000 contributions in 1 challenge, and 100,000 in 10 challenges (10,000 each, which takes the grouping's
scalable path). Each case runs in its own Python process, so the peak resident memory it reports (ru_maxrss) is that
case's alone; the resident memory after imports, before any data is built, is printed beside it.

The contributions are synthetic but deterministic (a fixed seed): each is a new sentence of 6–18 words drawn from
the vocabulary of one theme of the evaluation set (mostly) and of the whole set, with about 10% exact repeats and 5%
near repeats (a changed word ending or added punctuation) of earlier contributions, written by a pool of people a
third the size of the contributions, some with 👍 supporters.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synopsis.compile import compile_synopsis
from synopsis.model import ChallengeInput, ContributionInput, DialogueInput, Overrides, SynopsisInput

DATA = Path(__file__).resolve().parent / "data"
SEED = 20261203
CASES: dict[str, tuple[int, int]] = {"1k": (1_000, 1), "100k": (100_000, 10)}  # contributions, challenges
CATEGORIES = ("State party", "international organisation", "civil society", "survivor", "other")


def synthetic_input(count: int, challenges: int) -> SynopsisInput:
    rng = np.random.default_rng(SEED)
    rows = json.loads((DATA / "eval_contributions.json").read_text(encoding="utf-8"))
    by_theme: dict[str, list[str]] = {}
    for row in rows:
        by_theme.setdefault(row["theme"], []).extend(row["text"].rstrip(".!?").split())
    themes = sorted(by_theme)
    everything = [word for theme in themes for word in by_theme[theme]]
    people = max(count // 3, 1)
    texts: list[str] = []
    contributions = []
    for index in range(count):
        roll = rng.random()
        if texts and roll < 0.10:
            text = texts[int(rng.integers(len(texts)))]
        elif texts and roll < 0.15:
            text = texts[int(rng.integers(len(texts)))] + ("s" if roll < 0.125 else "!")
        else:
            vocabulary = by_theme[themes[int(rng.integers(len(themes)))]]
            length = int(rng.integers(6, 19))
            words = [
                vocabulary[int(rng.integers(len(vocabulary)))]
                if rng.random() < 0.8
                else everything[int(rng.integers(len(everything)))]
                for _ in range(length)
            ]
            text = " ".join(words).capitalize() + "."
        texts.append(text)
        supporters = frozenset(f"p{int(p)}" for p in rng.integers(people, size=int(rng.integers(0, 4))))
        contributions.append(
            ContributionInput(
                ref=f"c{index:06d}",
                challenge_number=1 + index % challenges,
                text=text,
                member_key=f"p{int(rng.integers(people))}",
                supporter_keys=supporters,
                created_at=1_796_000_000.0 + index,
            )
        )
    return SynopsisInput(
        dialogue=DialogueInput("Synthetic dialogue", 1_796_000_000.0, None, 3, "Europe/Zurich"),
        challenges=tuple(ChallengeInput(n, f"Challenge {n}", "What is at stake?") for n in range(1, challenges + 1)),
        contributions=tuple(contributions),
        categories={f"p{n}": CATEGORIES[n % len(CATEGORIES)] for n in range(people)},
        overrides=Overrides(excluded=frozenset({"c000007"})),
        k=3,
    )


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run_case(name: str) -> None:
    baseline = _rss_mib()
    count, challenges = CASES[name]
    data = synthetic_input(count, challenges)
    started = time.perf_counter()
    synopsis = compile_synopsis(data)
    elapsed = time.perf_counter() - started
    themes = sum(len(section.themes) for section in synopsis.sections)
    others = sum(len(section.other_points) for section in synopsis.sections)
    print(
        f"{count:>7,} contributions in {challenges:>2} challenge(s): {elapsed:6.2f} s wall, "
        f"peak RSS {_rss_mib():7.1f} MiB (after imports {baseline:.1f} MiB); "
        f"{themes} themes, {others} other points"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(CASES), help="run one case in this process")
    arguments = parser.parse_args()
    if arguments.case:
        run_case(arguments.case)
        return
    for name in CASES:
        # A fresh process per case, so each peak memory figure is that case's own.
        subprocess.run([sys.executable, __file__, "--case", name], check=True)


if __name__ == "__main__":
    main()
