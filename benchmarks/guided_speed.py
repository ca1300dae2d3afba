"""How fast, and in how much memory, does guided assignment (`synopsis.guided.assign`) run on a large challenge?

Run: .venv/bin/python benchmarks/guided_speed.py [--case NAME]

Cases: 1,000 and 100,000 contributions in one challenge (the synthetic texts of `compile_speed.py`) under the seven
`good` CCM headings of `data/blind_headings.json`, with wordllama, headings alone (no centroid round) and with
`GUIDED` (one centroid round); and with the first of them alone under `GUIDED` (`-lone`: the "no heading" rival of a
lone heading adds a pass over the texts). Each case runs in its own Python process so its peak resident memory is its
own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.compile_speed import synthetic_input
from synopsis.embeddings import embedder
from synopsis.guided import GUIDED, assign

DATA = Path(__file__).resolve().parent / "data"
SIZES = (("1k", 1_000), ("100k", 100_000))
CASES = {f"{size}-{rounds}": (count, rounds, 7) for size, count in SIZES for rounds in (0, 1)}
CASES.update({f"{size}-lone": (count, 1, 1) for size, count in SIZES})


def run(name: str) -> None:
    count, rounds, heading_count = CASES[name]
    headings = list(json.loads((DATA / "blind_headings.json").read_text(encoding="utf-8"))["ccm"]["good"].values())
    headings = headings[:heading_count]
    texts = [contribution.text for contribution in synthetic_input(count, 1).contributions]
    model = embedder()
    before = _peak_mib()
    start = time.perf_counter()
    result = assign(headings, texts, replace(GUIDED, refine_rounds=rounds), model)
    seconds = time.perf_counter() - start
    placed = sum(primary is not None for primary in result.primary)
    print(
        f"{count:>7,} texts, {len(headings)} heading(s), {rounds} centroid round(s): {seconds:6.1f} s, "
        f"peak RSS {_peak_mib():,.0f} MiB (before assigning {before:,.0f}); {placed:,} under a heading"
    )


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(CASES), help="run one case in this process")
    arguments = parser.parse_args()
    if arguments.case:
        run(arguments.case)
        return
    for name in CASES:
        subprocess.run([sys.executable, __file__, "--case", name], check=True)


if __name__ == "__main__":
    main()
