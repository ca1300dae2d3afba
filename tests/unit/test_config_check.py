"""check_config: everything load_settings checks, plus whether the bot could start on this machine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from config import check_config

PASSWORD_ENV = {"DIALOGUE_BOT_MATRIX__PASSWORD": "hunter2"}


def write_config(folder: Path, data_dir: Path | str, extra: str = "") -> Path:
    path = folder / "config.toml"
    path.write_text(
        f"""
[matrix]
homeserver = "https://matrix.forum.test"
user_id = "@dialogue-bot:forum.test"
{extra}
[bot]
data_dir = "{data_dir}"
""",
        encoding="utf-8",
    )
    return path


def test_a_good_config_has_no_problems(tmp_path: Path) -> None:
    assert check_config(write_config(tmp_path, "data"), PASSWORD_ENV) == []


def test_check_config_does_not_create_the_data_dir(tmp_path: Path) -> None:
    check_config(write_config(tmp_path, "not/yet/there"), PASSWORD_ENV)

    assert not (tmp_path / "not").exists()


def test_check_config_flags_a_data_dir_that_cannot_be_created(tmp_path: Path) -> None:
    # A regular file in the way blocks creation even for root, unlike permission bits.
    (tmp_path / "blocker").write_text("", encoding="utf-8")

    problems = check_config(write_config(tmp_path, "blocker/data"), PASSWORD_ENV)

    assert problems == [
        f"bot.data_dir: cannot create {tmp_path / 'blocker' / 'data'} — {tmp_path / 'blocker'} is not a folder"
    ]


def test_check_config_flags_a_data_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("", encoding="utf-8")

    problems = check_config(write_config(tmp_path, "data"), PASSWORD_ENV)

    assert problems == [f"bot.data_dir: {tmp_path / 'data'} exists but is not a folder"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_check_config_flags_an_unwritable_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    data_dir.chmod(0o500)
    try:
        problems = check_config(write_config(tmp_path, "data"), PASSWORD_ENV)
    finally:
        data_dir.chmod(0o700)

    assert len(problems) == 1
    assert problems[0].startswith(f"bot.data_dir: {data_dir} is not writable")


def test_check_config_flags_a_data_dir_whose_parent_is_not_writable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend the permission bits deny us, so this also runs (and means something) as root.
    monkeypatch.setattr("config.loader.os.access", lambda path, mode: Path(path) != tmp_path)

    problems = check_config(write_config(tmp_path, "data"), PASSWORD_ENV)

    assert len(problems) == 1
    assert problems[0].startswith(f"bot.data_dir: cannot create {tmp_path / 'data'} — {tmp_path} is not writable")


def test_check_config_flags_an_unreadable_password_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, "data", extra='password_file = "missing-password"')

    problems = check_config(path, {})

    assert problems == [
        f"matrix.password_file: cannot read {tmp_path / 'missing-password'} — No such file or directory"
    ]


def test_check_config_reports_load_problems_and_data_dir_problems_together(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("", encoding="utf-8")

    problems = check_config(write_config(tmp_path, "data"), {})

    assert [problem.split(":", 1)[0] for problem in problems] == ["matrix", "bot.data_dir"]
