"""The README's command and configuration references are generated; this keeps the copies in the README current."""

from __future__ import annotations

import re
from pathlib import Path

from config import EXAMPLE_CONFIG_PATH, Settings
from config.reference import config_reference_markdown
from handlers.commands import commands_markdown
from handlers.registry import build_registry

README = Path(__file__).resolve().parents[2] / "README.md"


def _block(name: str) -> str:
    match = re.search(rf"<!-- {name}:begin -->\n(.*?)<!-- {name}:end -->", README.read_text(), re.S)
    assert match is not None, f"README.md lost its {name} markers"
    return match.group(1)


def _every_setting() -> list[str]:
    return [
        f"{section}.{key}"
        for section, info in Settings.model_fields.items()
        for key in info.annotation.model_fields  # type: ignore[union-attr]
    ]


def test_the_readme_command_table_matches_the_registry():
    assert _block("commands") == commands_markdown(build_registry(), "!dialogue"), (
        "README.md's command table is stale: regenerate it with `dialogue-bot commands --update-readme README.md`"
    )


def test_the_readme_config_table_matches_the_settings_model():
    assert _block("config") == config_reference_markdown(), (
        "README.md's configuration table is stale: regenerate it with "
        "`dialogue-bot config-reference --update-readme README.md`"
    )


def test_every_setting_is_in_the_readme_table_and_in_the_example():
    in_table = re.findall(r"^\| `(\w+\.\w+)` \|", _block("config"), re.M)
    example = EXAMPLE_CONFIG_PATH.read_text(encoding="utf-8")

    assert in_table == _every_setting()
    for name in _every_setting():
        key = name.split(".")[1]
        assert re.search(rf"^#? ?{key} = ", example, re.M), f"{name} is missing from config/example.toml"


def test_the_readme_names_the_environment_override_once_above_the_table():
    readme = README.read_text()
    before_table = readme[: readme.index("<!-- config:begin -->")]

    assert "DIALOGUE_BOT_<SECTION>__<KEY>" in before_table
    assert "DIALOGUE_BOT_<SECTION>__<KEY>" not in _block("config")
