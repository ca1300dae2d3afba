"""The command line's progress display for a synopsis compile: one line on stderr, rewritten in place.

Shown only when stderr is a terminal, so scripts, pipes and logs get nothing (`stage_printer` returns the silent
listener then). A tiny printer rather than a library: three stages, one of them counted, need no more.
"""

from __future__ import annotations

import sys
from typing import TextIO

from synopsis.progress import Progress, no_progress

BAR_WIDTH = 20


def stage_printer(stream: TextIO | None = None) -> Progress:
    """A `Progress` that draws on `stream` (default stderr) if it is a terminal, else one that says nothing."""
    out = sys.stderr if stream is None else stream
    if not out.isatty():
        return no_progress

    def show(stage: str, done: int, total: int) -> None:
        if total > 0:
            filled = BAR_WIDTH * done // total
            line = f"{stage:<24} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}"
        else:
            line = f"{stage}…"
        # \r and clear-to-end-of-line: each stage overwrites the last, and the finished line stays.
        out.write(f"\r\x1b[K{line}")
        out.flush()

    return show


def finish(progress: Progress, stream: TextIO | None = None) -> None:
    """End the progress line with a newline, if one was drawn."""
    if progress is not no_progress:
        (sys.stderr if stream is None else stream).write("\n")
