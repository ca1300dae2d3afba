"""Schema migrations: recorded, idempotent, transactional, and refusing files from newer releases."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from storage import Database, MigrationError, SchemaTooNewError, StorageError
from storage.migrations import MIGRATIONS, Migration, latest_version
from storage.session import Session

# Test-only steps go after the shipped ones.
NEXT = latest_version() + 1


def _recorded_version(path: Path) -> int:
    with sqlite3.connect(path) as raw:
        return raw.execute("SELECT version FROM schema_version").fetchone()[0]


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as raw:
        return {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


async def test_opening_a_new_database_applies_and_records_every_migration(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    db = await Database.open(path)
    await db.close()
    assert db.schema_version == latest_version() == len(MIGRATIONS)
    assert _recorded_version(path) == latest_version()
    assert {"inbox", "outbox", "rooms", "kv", "schema_version"} <= _tables(path)


async def test_each_applied_migration_is_logged_at_info(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="storage")
    db = await Database.open(tmp_path / "bot.db")
    await db.close()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == [
        f"database migrated to schema {m.version} ({m.description})" for m in MIGRATIONS
    ]


async def test_reopening_an_up_to_date_database_changes_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "bot.db"
    db = await Database.open(path)
    async with db.transaction() as tx:
        await tx.state.set("k", "v")
    await db.close()

    caplog.set_level(logging.INFO, logger="storage")
    caplog.clear()
    db = await Database.open(path)
    async with db.transaction() as tx:
        assert await tx.state.get("k") == "v"
    await db.close()
    assert db.schema_version == latest_version()
    assert not [r for r in caplog.records if r.levelno >= logging.INFO]


async def test_a_database_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    db = await Database.open(path)
    await db.close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE schema_version SET version = ?", (NEXT,))

    with pytest.raises(SchemaTooNewError) as caught:
        await Database.open(path)

    error = caught.value
    assert (error.path, error.found, error.supported) == (path, NEXT, latest_version())
    assert isinstance(error, StorageError)
    message = str(error)
    assert str(path) in message
    assert f"schema version {NEXT}" in message
    assert f"only knows up to {latest_version()}" in message
    assert _recorded_version(path) == NEXT


async def test_a_failing_migration_step_leaves_the_version_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    db = await Database.open(path)
    await db.close()
    broken = (
        *MIGRATIONS,
        Migration(NEXT, "half-done step", ("CREATE TABLE extra (a TEXT)", "THIS IS NOT SQL")),
    )

    with pytest.raises(MigrationError) as caught:
        await Database.open(path, migrations=broken)

    assert caught.value.version == NEXT
    assert _recorded_version(path) == latest_version()
    assert "extra" not in _tables(path)


async def test_steps_before_a_failing_one_stay_applied(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    steps = (
        *MIGRATIONS,
        Migration(NEXT, "good step", ("CREATE TABLE good (a TEXT)",)),
        Migration(NEXT + 1, "bad step", ("THIS IS NOT SQL",)),
    )

    with pytest.raises(MigrationError):
        await Database.open(path, migrations=steps)

    assert _recorded_version(path) == NEXT
    assert "good" in _tables(path)


async def test_a_migration_can_be_an_async_function(tmp_path: Path) -> None:
    async def copy_token(session: Session) -> None:
        await session.execute("INSERT INTO kv (key, value) VALUES ('copied', 'yes')")

    path = tmp_path / "bot.db"
    db = await Database.open(path, migrations=(*MIGRATIONS, Migration(NEXT, "python step", run=copy_token)))
    async with db.transaction() as tx:
        assert await tx.state.get("copied") == "yes"
    await db.close()
    assert db.schema_version == NEXT


async def test_a_failing_async_migration_is_rolled_back(tmp_path: Path) -> None:
    async def fail_half_way(session: Session) -> None:
        await session.execute("INSERT INTO kv (key, value) VALUES ('partial', 'yes')")
        raise RuntimeError("boom")

    path = tmp_path / "bot.db"
    with pytest.raises(MigrationError, match="boom"):
        await Database.open(path, migrations=(*MIGRATIONS, Migration(NEXT, "python step", run=fail_half_way)))

    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT COUNT(*) FROM kv").fetchone()[0] == 0
    assert _recorded_version(path) == latest_version()


async def test_migrations_numbered_out_of_order_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="numbered"):
        await Database.open(tmp_path / "bot.db", migrations=(*MIGRATIONS, Migration(NEXT + 1, "skips one")))


def test_the_shipped_migrations_are_numbered_from_one_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
