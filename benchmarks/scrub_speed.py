"""How long does scrubbing take on 64 KB bodies built to hit each pattern's worst case?

Run from the repository root:  .venv/bin/python benchmarks/scrub_speed.py [--members N] [--timeout S] [--shape NAME]

Each shape (see tests/support/scrub_corpus.py) is scrubbed through `scrub_message` in its own process, so a shape
that takes quadratic time is stopped after --timeout seconds and reported as such instead of holding up the rest.
The scrubber is whichever `privacy` package Python imports: to time another checkout, put it first on PYTHONPATH
(`PYTHONPATH=/path/to/other/checkout python benchmarks/scrub_speed.py`); the corpus always comes from this file's
checkout. The figure is the best of three runs, after one warm-up run that also compiles the roster's patterns.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

_CORPUS_PATH = Path(__file__).resolve().parent.parent / "tests" / "support" / "scrub_corpus.py"


def _corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scrub_corpus", _CORPUS_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["scrub_corpus"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _time_one(name: str, members: int) -> float:
    from privacy import ScrubContext, scrub_message

    corpus = _corpus()
    roster = corpus.realistic_roster(members)
    context = ScrubContext(roster.member_ids, roster.display_names, roster.affiliations)
    shape = next(shape for shape in corpus.adversarial_shapes(roster) if shape.name == name)
    scrub_message(shape.body, shape.formatted_body, context)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        scrub_message(shape.body, shape.formatted_body, context)
        best = min(best, time.perf_counter() - start)
    return best


def _time_patterns(members: int) -> float:
    """Seconds to build a fresh context's patterns (the bot does it in a worker thread, once per context)."""
    from privacy import ScrubContext, scrub_text

    roster = _corpus().realistic_roster(members)
    scrub_text("warm-up", ScrubContext(frozenset({"@warm:example.org"}), frozenset({"Warm Up"}), frozenset({"Up"})))
    start = time.perf_counter()
    scrub_text("x", ScrubContext(roster.member_ids, roster.display_names, roster.affiliations))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=60, help="room members (and about half as many affiliations)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a shape is given up on")
    parser.add_argument("--shape", help="time only this shape")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(f"{_time_one(args.child, args.members):.6f}")
        return
    import privacy

    print(f"scrubber: {Path(privacy.__file__).resolve().parent}; members: {args.members}")
    print(f"{'building the patterns':34} {_time_patterns(args.members) * 1000:10.1f} ms")
    names = [shape.name for shape in _corpus().adversarial_shapes(_corpus().realistic_roster(args.members))]
    if args.shape:
        names = [args.shape]
    slowest = 0.0
    for name in names:
        command = [sys.executable, __file__, "--child", name, "--members", str(args.members)]
        try:
            # 4 scrubs per child (a warm-up and three timed runs), so allow four times the timeout.
            done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout * 4, check=True)
        except subprocess.TimeoutExpired:
            print(f"{name:34} > {args.timeout:.0f} s (stopped)")
            slowest = float("inf")
            continue
        seconds = float(done.stdout.strip())
        slowest = max(slowest, seconds)
        print(f"{name:34} {seconds * 1000:10.1f} ms")
    print(f"slowest: {slowest * 1000:.1f} ms")


if __name__ == "__main__":
    main()
