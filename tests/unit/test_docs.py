"""The README's command reference is generated from the registry; this keeps the copy in the README current."""

from __future__ import annotations

import re
from pathlib import Path

from handlers.commands import commands_markdown
from handlers.registry import build_registry

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_command_table_matches_the_registry():
    match = re.search(r"<!-- commands:begin -->\n(.*?)<!-- commands:end -->", README.read_text(), re.S)
    assert match is not None, "README.md lost its commands markers"
    assert match.group(1) == commands_markdown(build_registry(), "!dialogue"), (
        "README.md's command table is stale: regenerate it with `dialogue-bot commands --update-readme README.md`"
    )
