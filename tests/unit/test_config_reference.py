"""`dialogue-bot config-reference`: every configuration key, its default and meaning, from the settings model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from config import EXAMPLE_CONFIG_PATH, Settings
from config.reference import config_fields, config_reference_markdown, default_text, is_secret


def _rows() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in config_reference_markdown().splitlines()[2:]:
        key, default, meaning = (cell.strip() for cell in line.strip("|").split(" | "))
        rows[key.strip("`")] = (default, meaning)
    return rows


def test_every_field_has_a_row_with_a_description():
    rows = _rows()

    for section, key, field in config_fields():
        assert field.description, f"{section}.{key} needs a description in config/settings.py"
        assert rows[f"{section}.{key}"][1].startswith(" ".join(field.description.split()))


def test_required_keys_are_marked_required_and_defaults_come_from_the_model():
    rows = _rows()

    assert rows["matrix.homeserver"][0] == "**required**"
    assert rows["matrix.user_id"][0] == "**required**"
    assert rows["matrix.device_name"][0] == '`"dialogue-bot"`'
    assert rows["matrix.encryption"][0] == "`true`"
    assert rows["bot.data_dir"][0] == '`"./data"`'
    assert rows["bot.command_aliases"][0] == '`["!dg"]`'
    assert rows["bot.isu_users"][0] == "`[]`"
    assert rows["bot.moderator_power_level"][0] == "`50`"
    assert rows["privacy.k_threshold"][0] == f"`{Settings.model_fields['privacy'].default_factory().k_threshold}`"  # type: ignore[misc]
    assert rows["matrix.device_id"][0] == "unset"


def test_secrets_are_shown_unset_with_advice_to_use_the_environment_or_a_file():
    rows = _rows()
    secrets = [f"{section}.{key}" for section, key, field in config_fields() if is_secret(field)]

    assert secrets == ["matrix.password", "matrix.access_token", "storage.dsn"]
    for name in secrets:
        default, meaning = rows[name]
        env = "DIALOGUE_BOT_" + name.upper().replace(".", "__")
        assert default == "unset"
        assert f"`{env}`" in meaning
        if name.startswith("matrix."):
            assert f"`{name}_file`" in meaning


def test_the_example_states_the_same_defaults_in_its_comments():
    # Each key in config/example.toml is preceded by its comment, which says "Default: <value>" or "Required".
    lines = EXAMPLE_CONFIG_PATH.read_text(encoding="utf-8").splitlines()
    for section, key, field in config_fields():
        index = next(i for i, line in enumerate(lines) if re.match(rf"#? ?{key} = ", line))
        comment = []
        for line in reversed(lines[:index]):
            if not line.startswith("#"):
                break
            comment.insert(0, line.lstrip("# "))
        text = " ".join(comment)
        expected = "Required" if field.is_required() else f"Default: {default_text(field).strip('`')}"
        assert expected in text, f"{section}.{key}: config/example.toml should say {expected!r}"


def test_the_command_prints_the_table_or_rewrites_it_between_markers(tmp_path: Path, capsys: pytest.CaptureFixture):
    assert main(["config-reference"]) == 0
    assert capsys.readouterr().out == config_reference_markdown()

    readme = tmp_path / "README.md"
    readme.write_text("before\n<!-- config:begin -->\nold table\n<!-- config:end -->\nafter\n", encoding="utf-8")
    assert main(["config-reference", "--update-readme", str(readme)]) == 0
    assert readme.read_text(encoding="utf-8") == (
        f"before\n<!-- config:begin -->\n{config_reference_markdown()}<!-- config:end -->\nafter\n"
    )


def test_a_file_without_markers_is_left_alone_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture):
    readme = tmp_path / "README.md"
    readme.write_text("no markers here\n", encoding="utf-8")

    assert main(["config-reference", "--update-readme", str(readme)]) == 2
    assert readme.read_text(encoding="utf-8") == "no markers here\n"
    assert "<!-- config:begin -->" in capsys.readouterr().err
