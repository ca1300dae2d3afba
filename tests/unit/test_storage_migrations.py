"""Schema migrations: recorded, idempotent, transactional, and refusing files from newer releases (both backends)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from storage import Database, MigrationError, SchemaTooNewError, StorageError
from storage.migrations import MIGRATIONS, Migration, latest_version
from storage.postgres_database import DESCRIPTION, PostgresDatabase
from storage.session import Session

# Test-only steps go after the shipped ones.
NEXT = latest_version() + 1

Location = Path | str  # a SQLite file, or a PostgreSQL DSN


@pytest.fixture(params=("sqlite", "postgres"))
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Location:
    """Where a database no migration has touched yet lives: a new SQLite file, or an empty PostgreSQL schema."""
    if request.param == "sqlite":
        return tmp_path / "bot.db"
    dsn: str = request.getfixturevalue("postgres_dsn")
    return dsn


async def _open(location: Location, migrations: Sequence[Migration] = MIGRATIONS) -> Database:
    if isinstance(location, Path):
        return await Database.open(location, migrations=migrations)
    return await PostgresDatabase.connect(location, migrations=migrations)


async def _raw(location: Location, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows read (or a statement run) outside the bot's Database, as another program would."""
    if isinstance(location, Path):
        with sqlite3.connect(location) as raw:
            return [tuple(row) for row in raw.execute(sql, params)]
    conn = await asyncpg.connect(location)
    try:
        return [tuple(row) for row in await conn.fetch(sql.replace("?", "$1"), *params)]
    finally:
        await conn.close()


async def _recorded_version(location: Location) -> int:
    [(version,)] = await _raw(location, "SELECT version FROM schema_version")
    return int(version)


async def _tables(location: Location) -> set[str]:
    if isinstance(location, Path):
        return {row[0] for row in await _raw(location, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    return {row[0] for row in await _raw(location, sql)}


async def test_opening_a_new_database_applies_and_records_every_migration(location: Location) -> None:
    db = await _open(location)
    await db.close()
    assert db.schema_version == latest_version() == len(MIGRATIONS)
    assert await _recorded_version(location) == latest_version()
    assert {"inbox", "outbox", "rooms", "kv", "schema_version"} <= await _tables(location)


async def test_each_applied_migration_is_logged_at_info(location: Location, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="storage")
    db = await _open(location)
    await db.close()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == [
        f"database migrated to schema {m.version} ({m.description})" for m in MIGRATIONS
    ]


async def test_reopening_an_up_to_date_database_changes_nothing(
    location: Location, caplog: pytest.LogCaptureFixture
) -> None:
    db = await _open(location)
    async with db.transaction() as tx:
        await tx.state.set("k", "v")
    await db.close()

    caplog.set_level(logging.INFO, logger="storage")
    caplog.clear()
    db = await _open(location)
    async with db.transaction() as tx:
        assert await tx.state.get("k") == "v"
    await db.close()
    assert db.schema_version == latest_version()
    assert not [r for r in caplog.records if r.levelno >= logging.INFO]


async def test_a_database_from_a_newer_release_is_refused(location: Location) -> None:
    db = await _open(location)
    await db.close()
    await _raw(location, "UPDATE schema_version SET version = ?", (NEXT,))

    with pytest.raises(SchemaTooNewError) as caught:
        await _open(location)

    error = caught.value
    # A PostgreSQL database is named by its config key: the DSN may hold a password.
    named = location if isinstance(location, Path) else DESCRIPTION
    assert (error.path, error.found, error.supported) == (named, NEXT, latest_version())
    assert isinstance(error, StorageError)
    message = str(error)
    assert str(named) in message
    assert f"schema version {NEXT}" in message
    assert f"only knows up to {latest_version()}" in message
    assert await _recorded_version(location) == NEXT


async def test_a_failing_migration_step_leaves_the_version_unchanged(location: Location) -> None:
    db = await _open(location)
    await db.close()
    broken = (
        *MIGRATIONS,
        Migration(NEXT, "half-done step", ("CREATE TABLE extra (a TEXT)", "THIS IS NOT SQL")),
    )

    with pytest.raises(MigrationError) as caught:
        await _open(location, migrations=broken)

    assert caught.value.version == NEXT
    assert await _recorded_version(location) == latest_version()
    assert "extra" not in await _tables(location)


async def test_steps_before_a_failing_one_stay_applied(location: Location) -> None:
    steps = (
        *MIGRATIONS,
        Migration(NEXT, "good step", ("CREATE TABLE good (a TEXT)",)),
        Migration(NEXT + 1, "bad step", ("THIS IS NOT SQL",)),
    )

    with pytest.raises(MigrationError):
        await _open(location, migrations=steps)

    assert await _recorded_version(location) == NEXT
    assert "good" in await _tables(location)


async def test_a_migration_can_be_an_async_function(location: Location) -> None:
    async def copy_token(session: Session) -> None:
        await session.execute("INSERT INTO kv (key, value) VALUES ('copied', 'yes')")

    db = await _open(location, migrations=(*MIGRATIONS, Migration(NEXT, "python step", run=copy_token)))
    async with db.transaction() as tx:
        assert await tx.state.get("copied") == "yes"
    await db.close()
    assert db.schema_version == NEXT


async def test_a_failing_async_migration_is_rolled_back(location: Location) -> None:
    async def fail_half_way(session: Session) -> None:
        await session.execute("INSERT INTO kv (key, value) VALUES ('partial', 'yes')")
        raise RuntimeError("boom")

    with pytest.raises(MigrationError, match="boom"):
        await _open(location, migrations=(*MIGRATIONS, Migration(NEXT, "python step", run=fail_half_way)))

    assert await _raw(location, "SELECT COUNT(*) FROM kv") == [(0,)]
    assert await _recorded_version(location) == latest_version()


async def test_migrations_numbered_out_of_order_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="numbered"):
        await Database.open(tmp_path / "bot.db", migrations=(*MIGRATIONS, Migration(NEXT + 1, "skips one")))


def test_the_shipped_migrations_are_numbered_from_one_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
