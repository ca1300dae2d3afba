"""The storage section: SQLite by default, PostgreSQL with a DSN that is treated as the secret it may be."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_settings

MINIMAL = """
[matrix]
homeserver = "https://matrix.forum.test"
user_id = "@dialogue-bot:forum.test"
"""
PASSWORD_ENV = {"DIALOGUE_BOT_MATRIX__PASSWORD": "hunter2"}
DSN = "postgresql://bot:s3cret-pw@db.forum.test:5432/dialogue"


def _config(folder: Path, extra: str = "") -> Path:
    path = folder / "config.toml"
    path.write_text(MINIMAL + extra, encoding="utf-8")
    return path


def test_sqlite_is_the_default_backend_and_needs_no_dsn(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path), PASSWORD_ENV)

    assert settings.storage.backend == "sqlite"
    assert settings.storage.dsn is None


def test_postgres_takes_its_dsn_from_the_environment_and_never_shows_it(tmp_path: Path) -> None:
    settings = load_settings(
        _config(tmp_path, '[storage]\nbackend = "postgres"\n'), {**PASSWORD_ENV, "DIALOGUE_BOT_STORAGE__DSN": DSN}
    )

    assert settings.storage.backend == "postgres"
    assert settings.storage.dsn is not None and settings.storage.dsn.get_secret_value() == DSN
    assert "s3cret-pw" not in repr(settings) and "s3cret-pw" not in str(settings.storage)


def test_postgres_without_a_dsn_is_a_problem_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_config(tmp_path, '[storage]\nbackend = "postgres"\n'), PASSWORD_ENV)

    assert any("storage.dsn is not set" in problem for problem in caught.value.problems)


def test_a_malformed_dsn_is_refused_without_echoing_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            _config(tmp_path, '[storage]\nbackend = "postgres"\n'),
            {**PASSWORD_ENV, "DIALOGUE_BOT_STORAGE__DSN": "host=db password=s3cret-pw"},
        )

    problems = " ".join(caught.value.problems)
    assert "postgresql:// URI" in problems
    assert "s3cret-pw" not in problems
