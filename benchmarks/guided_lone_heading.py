"""Guided themes with one heading at a time: does a lone heading take only its own theme?

Run: .venv/bin/python benchmarks/guided_lone_heading.py

With several headings, the headings compete; with one, only the floor and the "no heading" alternative of the centroid
round (`synopsis.guided.refine`) stand between it and the rest of the challenge. For each labelled set and heading
variant of `data/blind_headings.json`, each heading is given alone:

- mixed: over the whole set, the share of that heading's theme it takes (taken) and the share of every other
  contribution, other themes and off-topic lines, it leaves alone (kept out);
- pure: over its own theme's contributions only (a challenge that stayed on one theme), the share it takes.

Methods: the headings alone (no centroid round), the centroid round as it was before the "no heading" alternative
(any contribution over the floor seeded a lone heading), and `GUIDED`. The settings were chosen on the evaluation and
held-out sets (their mean of taken and kept out, and pure, with the objective of `guided_quality.py` held within
0.005); the blind sets only report.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synopsis.embeddings import embedder
from synopsis.guided import GUIDED, GuidedParams, assign

DATA = Path(__file__).resolve().parent / "data"
SETS = ("eval", "holdout", "blind", "blind_minebans")
METHODS: tuple[tuple[str, GuidedParams], ...] = (
    ("headings alone", replace(GUIDED, refine_rounds=0)),
    ("centroid round, before", replace(GUIDED, lone_seed_margin=0.0, none_margin=float("inf"))),
    ("GUIDED", GUIDED),
)


def main() -> None:
    model = embedder()
    assert model is not None, "wordllama is needed for this benchmark"
    headings = json.loads((DATA / "blind_headings.json").read_text(encoding="utf-8"))
    print(f"GUIDED: {GUIDED.describe()}")
    print(f"{'set':<15} {'headings':<8} {'method':<24} {'taken':>6} {'kept out':>8} {'pure':>6}")
    for group in ("ccm", "minebans"):
        for name in headings[group]["sets"]:
            rows = json.loads((DATA / f"{name}_contributions.json").read_text(encoding="utf-8"))
            texts, truth = [row["text"] for row in rows], [row["theme"] for row in rows]
            for variant in ("good", "terse"):
                for method, params in METHODS:
                    taken, kept_out, pure = [], [], []
                    for label, heading in headings[group][variant].items():
                        primary = assign([heading], texts, params, model).primary
                        taken.append(np.mean([p == 0 for p, t in zip(primary, truth, strict=True) if t == label]))
                        kept_out.append(np.mean([p is None for p, t in zip(primary, truth, strict=True) if t != label]))
                        own = [text for text, t in zip(texts, truth, strict=True) if t == label]
                        pure.append(np.mean([p == 0 for p in assign([heading], own, params, model).primary]))
                    print(
                        f"{name:<15} {variant:<8} {method:<24} {np.mean(taken):>6.1%} {np.mean(kept_out):>8.1%} "
                        f"{np.mean(pure):>6.1%}"
                    )


if __name__ == "__main__":
    main()
