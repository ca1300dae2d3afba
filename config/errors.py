"""The one exception the config package raises."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class ConfigError(Exception):
    """The configuration cannot be used; carries every problem found, not just the first.

    `str(err)` is exactly the problem lines (one per line, each starting with its dotted key)
    so a CLI can print it as-is; the file it concerns is kept apart in `path` so the caller
    decides how to introduce it.
    """

    def __init__(self, problems: Iterable[str], path: Path | None = None) -> None:
        self.problems: list[str] = list(problems)
        self.path: Path | None = path
        super().__init__("\n".join(self.problems))

    def __str__(self) -> str:
        return "\n".join(self.problems)

    def __repr__(self) -> str:
        return f"ConfigError(problems={self.problems!r}, path={self.path!r})"
