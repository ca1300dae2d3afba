"""What one pass over the configuration file and the environment found, valid or not, and the order its problems
are read in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from config.keys import SECTIONS
from config.settings import Settings


@dataclass
class Loaded:
    """Everything one pass over file and environment found, valid or not."""

    path: Path
    file_found: bool = False
    file_unusable: bool = False
    settings: Settings | None = None
    data_dir: Path | None = None
    problems: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.problems.append(text)

    def sorted_problems(self) -> list[str]:
        # Problems are found in pipeline order; people read them more easily in the order
        # of the file. The sort is stable, so one key's problems keep their discovery order.
        return sorted(self.problems, key=problem_order)


def problem_order(text: str) -> tuple[int, int]:
    """Sort key: problems with the file first, then by section and key in schema order."""
    if text.startswith("config file"):
        return (0, 0)
    section, _, key = text.split(":", 1)[0].partition(".")
    sections = list(SECTIONS)
    if section not in SECTIONS:
        return (len(sections) + 1, 0)
    keys = list(SECTIONS[section].model_fields)
    # Section-wide problems ("matrix: no credentials") come after that section's keys.
    return (sections.index(section) + 1, keys.index(key) if key in keys else len(keys))
