"""How a compile reports how far it has got, without knowing who listens (a progress bar, or nobody).

A `Progress` callback gets a stage name and how much of it is done: `(stage, done, total)`. The compile reports
`GROUPING` once per challenge; whoever loads the material and renders the document reports `LOADING` and
`RENDERING` around it, so a listener sees the three stages in order. Called from the compile's thread.
"""

from __future__ import annotations

from collections.abc import Callable

LOADING = "loading"
GROUPING = "grouping per challenge"
RENDERING = "rendering"
STAGES = (LOADING, GROUPING, RENDERING)

Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """The listener when nobody listens."""
