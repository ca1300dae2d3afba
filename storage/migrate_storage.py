"""Moving a deployment's database from its SQLite file to PostgreSQL (`dialogue-bot migrate-storage`).

The copy is all or nothing: every table goes across in one PostgreSQL transaction, parents before the tables whose
foreign keys name them, and each table's row count is checked before that transaction commits. Identity sequences are
set past the highest id SQLite ever handed out (its ``sqlite_sequence``, not just the highest id left), so an id of a
removed row is never reused, as on SQLite. Nothing read is ever printed or logged: only table names and counts.

The bot must be stopped: the SQLite file is opened in exclusive locking mode, which fails while any other connection
(a running bot, another command) has it open, and keeps everyone else out until the copy is done.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from storage.errors import StorageError
from storage.migrations import latest_version
from storage.postgres import connect, postgres_transaction
from storage.postgres_database import PostgresDatabase

logger = logging.getLogger(__name__)

# Runner bookkeeping, not data: the target's own migrations wrote it already (and SQLite's own table of counters).
_NOT_COPIED = frozenset({"schema_version", "sqlite_sequence"})
_BATCH_ROWS = 500


class BotRunningError(StorageError):
    """The SQLite file is open elsewhere (the bot, or another dialogue-bot command): stop it first."""


@dataclass(frozen=True, slots=True)
class CopiedTable:
    """One table as copied: its name and how many rows it has on both sides."""

    name: str
    rows: int


class _Source:
    """The SQLite file, held in exclusive mode from the first read until :meth:`close`.

    sqlite3 blocks, so every call runs in a worker thread; they are awaited one at a time."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None

    def _open(self) -> None:
        if not self._path.is_file():
            raise StorageError(f"there is no database file at {self._path}")
        conn = sqlite3.connect(
            f"file:{self._path}?mode=rw", uri=True, timeout=0, isolation_level=None, check_same_thread=False
        )
        try:
            # Exclusive locking mode makes the first read take the file's lock for good; in WAL mode every open
            # connection holds a shared lock, so this fails at once while the bot (or anything else) has it open.
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as exc:
            conn.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise BotRunningError(
                    f"{self._path} is in use: stop the bot (and any other dialogue-bot command) before migrate-storage"
                ) from exc
            raise StorageError(f"cannot open {self._path}: {exc}") from exc
        self._conn = conn

    def _require(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StorageError("the source database is not open")
        return self._conn

    async def open(self) -> None:
        await asyncio.to_thread(self._open)

    async def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Every row of a query on the source (statements built here from table names, never from input)."""
        return await asyncio.to_thread(lambda: [tuple(row) for row in self._require().execute(sql)])

    async def cursor(self, sql: str) -> sqlite3.Cursor:
        return await asyncio.to_thread(self._require().execute, sql)

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await asyncio.to_thread(_rollback_and_close, conn)


def _rollback_and_close(conn: sqlite3.Connection) -> None:
    # Only read: rolling back leaves the file exactly as it was.
    try:
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def dependency_order(tables: Sequence[str], parents: dict[str, set[str]]) -> list[str]:
    """``tables`` with every table after the tables its foreign keys reference (alphabetical among equals)."""
    ordered: list[str] = []
    placed: set[str] = set()
    remaining = sorted(tables)
    while remaining:
        ready = [name for name in remaining if parents.get(name, set()) - {name} <= placed]
        if not ready:
            raise StorageError(f"foreign keys form a cycle among {', '.join(remaining)}")
        ordered += ready
        placed.update(ready)
        remaining = [name for name in remaining if name not in placed]
    return ordered


async def _source_version(source: _Source) -> int:
    try:
        rows = await source.query("SELECT version FROM schema_version WHERE id = 1")
    except sqlite3.Error as exc:
        raise StorageError(f"the source has no schema version: is it a dialogue-bot database? ({exc})") from exc
    return int(rows[0][0]) if rows else 0


async def _source_tables(source: _Source) -> tuple[list[str], dict[str, set[str]], dict[str, int]]:
    names = [
        str(row[0])
        for row in await source.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if row[0] not in _NOT_COPIED
    ]
    parents = {
        name: {str(row[2]) for row in await source.query(f"PRAGMA foreign_key_list({_quoted(name)})")} for name in names
    }
    sequences: dict[str, int] = {}
    if await source.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"):
        sequences = {str(name): int(seq) for name, seq in await source.query("SELECT name, seq FROM sqlite_sequence")}
    return names, parents, sequences


async def _target_columns(conn: asyncpg.Connection) -> dict[str, list[tuple[str, str]]]:
    """Each table of the target's schema: its columns in order, with their PostgreSQL types."""
    rows = await conn.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
    )
    columns: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        columns.setdefault(str(row["table_name"]), []).append((str(row["column_name"]), str(row["data_type"])))
    return columns


def _converter(data_type: str) -> Any:
    # SQLite is loosely typed: a value may come back in a neighbouring type (a whole float in an INTEGER column, text
    # in a BLOB one). Convert the few such cases losslessly; anything else is left for PostgreSQL to refuse.
    def convert(value: Any) -> Any:
        if value is None:
            return None
        if data_type == "bigint" and isinstance(value, float) and value.is_integer():
            return int(value)
        if data_type == "double precision" and isinstance(value, int):
            return float(value)
        if data_type == "bytea" and isinstance(value, str):
            return value.encode("utf-8")
        return value

    return convert


async def _copy_table(
    source: _Source, conn: asyncpg.Connection, table: str, columns: list[tuple[str, str]], source_columns: set[str]
) -> int:
    wanted: list[str] = []
    for name, _ in columns:
        if name in source_columns or name == "rowid":  # rooms' explicit rowid is SQLite's implicit one
            wanted.append(name)
        else:
            raise StorageError(f"the target's {table}.{name} has no counterpart in the source")
    missing = source_columns - {name for name, _ in columns}
    if missing:
        raise StorageError(f"the source's {table} has columns the target lacks: {', '.join(sorted(missing))}")
    converters = [_converter(data_type) for _, data_type in columns]
    cursor = await source.cursor(f"SELECT {', '.join(_quoted(name) for name in wanted)} FROM {_quoted(table)}")
    copied = 0
    while batch := await asyncio.to_thread(cursor.fetchmany, _BATCH_ROWS):
        records = [tuple(convert(value) for convert, value in zip(converters, row, strict=True)) for row in batch]
        try:
            await conn.copy_records_to_table(table, records=records, columns=wanted)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, ValueError, TypeError) as exc:
            # The driver's message can quote the value it refused: name the table and the kind of error only.
            sqlstate = getattr(exc, "sqlstate", None) or type(exc).__name__
            raise StorageError(f"copying {table} failed ({sqlstate}); nothing was written") from None
        copied += len(records)
    return copied


async def _reset_sequences(conn: asyncpg.Connection, sequences: dict[str, int]) -> None:
    identities = await conn.fetch(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES'"
    )
    for row in identities:
        table, column = str(row["table_name"]), str(row["column_name"])
        highest = await conn.fetchval(f"SELECT COALESCE(MAX({_quoted(column)}), 0) FROM {_quoted(table)}")
        # AUTOINCREMENT never reuses the id of a removed row: continue after the highest ever handed out.
        next_after = max(int(highest), sequences.get(table, 0))
        sequence = await conn.fetchval("SELECT pg_get_serial_sequence($1, $2)", _quoted(table), column)
        if next_after > 0:
            await conn.execute("SELECT setval($1, $2, true)", sequence, next_after)
        else:
            await conn.execute("SELECT setval($1, 1, false)", sequence)


async def migrate_storage(source_path: Path, dsn: str) -> list[CopiedTable]:
    """Copy the SQLite database at ``source_path`` into the empty PostgreSQL database ``dsn`` names.

    The target is first migrated to the latest schema (a fresh database gets every table). Raises BotRunningError if
    the file is in use, StorageError if the source is at another schema version than this release's, if the target
    already holds rows, or if any table's count differs after the copy (then nothing was committed)."""
    source = _Source(source_path)
    await source.open()
    try:
        found, wanted = await _source_version(source), latest_version()
        if found != wanted:
            advice = (
                "upgrade dialogue-bot first"
                if found > wanted
                else "start this release's bot on it once (it upgrades the file), stop it, and try again"
            )
            raise StorageError(f"{source_path} is at schema version {found}, this release at {wanted}: {advice}")
        tables, parents, sequences = await _source_tables(source)
        # Creates the tables in an empty target (its own transactions); refuses a newer target.
        await (await PostgresDatabase.connect(dsn)).close()
        conn = await connect(dsn)
        try:
            return await _copy_everything(source, conn, tables, parents, sequences)
        finally:
            await conn.close()
    finally:
        await source.close()


async def _copy_everything(
    source: _Source,
    conn: asyncpg.Connection,
    tables: list[str],
    parents: dict[str, set[str]],
    sequences: dict[str, int],
) -> list[CopiedTable]:
    copied: list[CopiedTable] = []
    async with postgres_transaction(conn):
        target = await _target_columns(conn)
        target_tables = set(target) - _NOT_COPIED
        if target_tables != set(tables):
            differ = sorted(target_tables ^ set(tables))
            raise StorageError(f"the source and the target have different tables: {', '.join(differ)}")
        for table in sorted(target_tables):
            if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {_quoted(table)})"):
                raise StorageError(
                    f"the target database is not empty ({table} has rows): migrate-storage only fills an empty one"
                )
        for table in dependency_order(tables, parents):
            source_columns = {str(row[1]) for row in await source.query(f"PRAGMA table_info({_quoted(table)})")}
            expected = int((await source.query(f"SELECT count(*) FROM {_quoted(table)}"))[0][0])
            rows = await _copy_table(source, conn, table, target[table], source_columns)
            landed = int(await conn.fetchval(f"SELECT count(*) FROM {_quoted(table)}"))
            if not rows == landed == expected:
                raise StorageError(
                    f"{table}: {expected} rows in the source but {landed} in the target; nothing was committed"
                )
            copied.append(CopiedTable(table, landed))
        await _reset_sequences(conn, sequences)
    logger.info("storage migrated to PostgreSQL: %d tables, %d rows", len(copied), sum(t.rows for t in copied))
    return copied
