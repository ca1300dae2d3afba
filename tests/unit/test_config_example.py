"""config/example.toml must stay loadable, complete, and in step with the model's defaults."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from config import EXAMPLE_CONFIG_PATH, ConfigError, Settings, load_settings

PLACEHOLDERS = {
    "https://matrix.example.org": "https://matrix.forum.test",
    "@dialogue-bot:example.org": "@dialogue-bot:forum.test",
}


def filled_in_example(folder: Path) -> Path:
    text = EXAMPLE_CONFIG_PATH.read_text(encoding="utf-8")
    for placeholder, value in PLACEHOLDERS.items():
        assert f'"{placeholder}"' in text
        text = text.replace(f'"{placeholder}"', f'"{value}"')
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_as_shipped_is_rejected_with_placeholder_messages() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(EXAMPLE_CONFIG_PATH, {"DIALOGUE_BOT_MATRIX__PASSWORD": "hunter2"})

    assert caught.value.problems == [
        "matrix.homeserver: still the example value 'https://matrix.example.org' — set your homeserver's URL",
        "matrix.user_id: still the example value '@dialogue-bot:example.org' — set the bot account's Matrix user ID",
    ]


def test_the_example_loads_once_placeholders_are_replaced_and_a_password_is_given(tmp_path: Path) -> None:
    settings = load_settings(filled_in_example(tmp_path), {"DIALOGUE_BOT_MATRIX__PASSWORD": "hunter2"})

    assert settings.matrix.homeserver == "https://matrix.forum.test"
    assert settings.bot.data_dir == tmp_path / "data"


def test_the_example_shows_the_model_defaults(tmp_path: Path) -> None:
    loaded = load_settings(filled_in_example(tmp_path), {"DIALOGUE_BOT_MATRIX__PASSWORD": "hunter2"})
    defaults = Settings.model_validate(
        {
            "matrix": {
                "homeserver": loaded.matrix.homeserver,
                "user_id": loaded.matrix.user_id,
                "password": "hunter2",
            },
            "bot": {"data_dir": tmp_path / "data"},
        }
    )

    assert loaded == defaults


def test_the_example_documents_every_key() -> None:
    text = EXAMPLE_CONFIG_PATH.read_text(encoding="utf-8")
    documented: dict[str, set[str]] = {}
    section = ""
    for line in text.splitlines():
        if header := re.fullmatch(r"\[(\w+)\]", line.strip()):
            section = header.group(1)
        # Optional keys without a default are shown commented out, directly after a comment.
        elif section and (key := re.match(r"#?\s?(\w+) = ", line)):
            documented.setdefault(section, set()).add(key.group(1))

    expected = {name: set(info.annotation.model_fields) for name, info in Settings.model_fields.items()}
    assert documented == expected


def test_the_example_parses_as_toml() -> None:
    assert set(tomllib.loads(EXAMPLE_CONFIG_PATH.read_text(encoding="utf-8"))) == set(Settings.model_fields)
