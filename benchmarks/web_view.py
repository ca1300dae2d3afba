"""What the web view adds on top of compiling: the time to lay out a compiled draft as the HTML page (with its
participation charts), beside the Markdown file of the same draft.

Run: .venv/bin/python benchmarks/web_view.py [--contributions N ...]

The drafts are compile_speed.py's synthetic dialogues (one challenge; contributions spread over five days so the
per-day chart has bars). Each figure is the best of five runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.compile_speed import synthetic_input
from synopsis.compile import compile_synopsis
from synopsis.render_markdown import render_markdown
from web.draft import DialogueView
from web.page import render_page

DAY = 86_400.0


def best_of(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, nargs="+", default=[1_000, 10_000])
    args = parser.parse_args()
    print("contributions  compile (s)  page (ms)  page size (KB)  markdown (ms)")
    for count in args.contributions:
        data = synthetic_input(count, 1)
        start = data.dialogue.started_at
        spread = tuple(replace(c, created_at=start + (index % 5) * DAY) for index, c in enumerate(data.contributions))
        data = replace(data, contributions=spread)
        started = time.perf_counter()
        synopsis = compile_synopsis(data)
        compiled = time.perf_counter() - started
        view = DialogueView(1, synopsis.title, synopsis, None)
        page = best_of(5, lambda view=view: render_page(view))
        markdown = best_of(5, lambda synopsis=synopsis: render_markdown(synopsis))
        size = len(render_page(view).encode()) / 1024
        print(f"{count:>13,}  {compiled:>11.2f}  {page * 1000:>9.1f}  {size:>14.0f}  {markdown * 1000:>13.1f}")


if __name__ == "__main__":
    main()
