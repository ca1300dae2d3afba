"""What is particular to the PostgreSQL backend: the same schema as SQLite, placeholders, errors, the writer lock."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import asyncpg
import pytest

from storage import Database, MigrationError, SchemaTooNewError, StorageError
from storage.errors import ConnectionLostError
from storage.migrations import MIGRATIONS, Migration, latest_version
from storage.postgres import from_postgres, numbered_placeholders
from storage.postgres_database import PostgresDatabase
from tests.support.postgres import PostgresServer
from tests.support.storage_peek import peek

# How SQLite's declared column types come back from PostgreSQL's catalogue (storage.migrations.postgres_ddl).
_POSTGRES_TYPE = {"INTEGER": "bigint", "REAL": "double precision", "TEXT": "text", "BLOB": "bytea"}


def test_placeholders_are_numbered_in_order_outside_quotes_and_comments() -> None:
    sql = "SELECT '?', \"a?\" FROM t -- why?\nWHERE a = ? AND b = 'it''s ?' AND c IN (?, ?)"
    assert numbered_placeholders(sql) == (
        "SELECT '?', \"a?\" FROM t -- why?\nWHERE a = $1 AND b = 'it''s ?' AND c IN ($2, $3)"
    )
    assert numbered_placeholders("SELECT 1") == "SELECT 1"


def _sqlite_schema(path: Path) -> tuple[dict[str, list[tuple[str, str]]], set[str]]:
    with closing(sqlite3.connect(path)) as raw:
        tables = [
            row[0]
            for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence'")
        ]
        columns = {
            table: [(row[1], _POSTGRES_TYPE[row[2]]) for row in raw.execute(f"PRAGMA table_info({table})")]
            for table in tables
        }
        indexes = {
            row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        }
    return columns, indexes


async def _postgres_schema(dsn: str) -> tuple[dict[str, list[tuple[str, str]]], set[str]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        )
        # Only the indexes the migrations create by name: not those behind PRIMARY KEY and UNIQUE constraints.
        index_rows = await conn.fetch(
            "SELECT indexname FROM pg_indexes i WHERE schemaname = current_schema() AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        )
    finally:
        await conn.close()
    columns: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        columns.setdefault(row["table_name"], []).append((row["column_name"], row["data_type"]))
    return columns, {row["indexname"] for row in index_rows}


async def test_a_fresh_postgres_database_has_the_same_tables_columns_and_indexes_as_sqlite(
    tmp_path: Path, postgres_dsn: str
) -> None:
    async with await Database.open(tmp_path / "bot.db"):
        pass
    async with await PostgresDatabase.connect(postgres_dsn):
        pass
    sqlite_columns, sqlite_indexes = _sqlite_schema(tmp_path / "bot.db")
    postgres_columns, postgres_indexes = await _postgres_schema(postgres_dsn)

    # SQLite's implicit rowid of rooms (the quarantine listing's room number) is an explicit column on PostgreSQL.
    assert postgres_columns.pop("rooms")[-1] == ("rowid", "bigint")
    sqlite_columns.pop("rooms")
    assert postgres_columns == sqlite_columns
    assert postgres_indexes == sqlite_indexes
    assert len(sqlite_columns) >= 25 and len(sqlite_indexes) >= 14  # the comparison compared something


async def test_a_database_error_names_the_constraint_but_never_the_values(postgres_dsn: str) -> None:
    async with await PostgresDatabase.connect(postgres_dsn) as db:
        async with db.transaction() as tx:
            await tx.state.set("k", "v")
        with pytest.raises(StorageError) as caught:
            await peek(db, "INSERT INTO kv (key, value) VALUES (?, ?)", ("k", "the secret words"))
    assert "kv_pkey" in str(caught.value)
    assert "secret words" not in str(caught.value) and "(k)" not in str(caught.value)


async def test_a_lost_connection_is_a_connection_lost_error(postgres: PostgresServer, postgres_dsn: str) -> None:
    db = await PostgresDatabase.connect(postgres_dsn)
    [(pid,)] = await peek(db, "SELECT pg_backend_pid()")
    admin = await asyncpg.connect(postgres.uri)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid) is True
    finally:
        await admin.close()

    with pytest.raises(ConnectionLostError, match="connection to PostgreSQL"):
        async with db.transaction() as tx:
            await tx.state.get("k")
    await db.close()


async def _until_a_connection_waits_for_the_writer_lock(admin: asyncpg.Connection) -> None:
    # The server signals nothing when a backend starts waiting for a lock: ask it (10 s at most).
    for _ in range(1000):
        if await admin.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the second connection never waited for the writer lock")


async def test_a_second_process_waits_for_the_first_ones_transaction(
    postgres: PostgresServer, postgres_dsn: str
) -> None:
    """The single-writer guarantee BEGIN IMMEDIATE gives on SQLite: no lost update between two connections."""
    first = await PostgresDatabase.connect(postgres_dsn)
    second = await PostgresDatabase.connect(postgres_dsn)
    admin = await asyncpg.connect(postgres.uri)
    try:
        async with first.transaction() as tx:
            await tx.state.set("counter", "0")

        async def increment(db: Database) -> None:
            async with db.transaction() as tx:
                value = int(await tx.state.get("counter") or "0")
                await tx.state.set("counter", str(value + 1))

        async with first.transaction() as tx:
            value = int(await tx.state.get("counter") or "0")
            waiting = asyncio.create_task(increment(second))
            await _until_a_connection_waits_for_the_writer_lock(admin)
            await tx.state.set("counter", str(value + 1))
        async with asyncio.timeout(10):
            await waiting

        async with first.transaction() as tx:
            assert await tx.state.get("counter") == "2"
    finally:
        await admin.close()
        await first.close()
        await second.close()


async def test_a_postgres_database_from_a_newer_release_is_refused_without_naming_the_dsn(postgres_dsn: str) -> None:
    async with await PostgresDatabase.connect(postgres_dsn) as db:
        await peek(db, "UPDATE schema_version SET version = ?", (latest_version() + 1,))
    with pytest.raises(SchemaTooNewError) as caught:
        await PostgresDatabase.connect(postgres_dsn)
    assert "storage.dsn" in str(caught.value) and postgres_dsn not in str(caught.value)


async def test_a_failing_migration_step_on_postgres_is_rolled_back_ddl_included(postgres_dsn: str) -> None:
    broken = Migration(
        version=latest_version() + 1,
        description="broken",
        statements=("CREATE TABLE half_made (a INTEGER)", "SELECT no_such_column FROM kv"),
    )
    with pytest.raises(MigrationError):
        await PostgresDatabase.connect(postgres_dsn, migrations=(*MIGRATIONS, broken))
    async with await PostgresDatabase.connect(postgres_dsn) as db:
        assert db.schema_version == latest_version()
        assert await peek(db, "SELECT 1 FROM information_schema.tables WHERE table_name = 'half_made'") == []


def test_a_protocol_broken_off_mid_statement_is_a_connection_lost_error() -> None:
    # What asyncpg raises when the server's termination notice arrives while BEGIN is being sent.
    broken = asyncpg.InternalClientError("cannot switch to state 15; another operation (2) is in progress")
    assert isinstance(from_postgres(broken, "database error"), ConnectionLostError)
