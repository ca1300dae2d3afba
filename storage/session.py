"""The SQL access one transaction hands to the repositories, and the BEGIN/COMMIT/ROLLBACK around it.

Repositories never touch a driver's connection directly: they get a :class:`Session` (SQLite's here, PostgreSQL's in
``storage/postgres.py``), which

* turns the driver's errors into :class:`StorageError` (callers need not know the driver),
* names its backend's :class:`~storage.dialect.Dialect` for the few fragments SQL spells differently, and
* stops working once its transaction has ended, so a repository kept past ``async with`` cannot run
  statements outside the lock and interleave with another task's transaction.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

import aiosqlite

from storage.dialect import SQLITE, Dialect
from storage.errors import StorageError, from_sqlite

logger = logging.getLogger(__name__)

Params = Sequence[Any]


class Row(Protocol):
    """A result row as every backend returns it: by position or by column name, and iterable over its values."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...

    def keys(self) -> Any: ...


def _wrap(exc: sqlite3.Error) -> StorageError:
    # A full disk and a damaged file get their own errors: the bot pauses for the one and stops for the other.
    return from_sqlite(exc, "database error")


class Session:
    """Statement execution bound to one open transaction; a backend subclasses it with the four driver methods."""

    __slots__ = ("_active", "checkpoint_requested", "dialect", "lazy_checkpoint_requested")

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._active = True
        self.checkpoint_requested = False
        self.lazy_checkpoint_requested = False

    def request_checkpoint(self) -> None:
        """Ask for the write-ahead log to be emptied once this transaction has committed.

        Repositories call this when they delete words or people's traces: until a checkpoint copies the
        committed (zeroed) pages into the database file and truncates the log, the log still holds the
        old pages, deleted text included. (PostgreSQL has no such step the bot can take: see docs/privacy.md.)
        """
        self.checkpoint_requested = True

    def request_lazy_checkpoint(self) -> None:
        """Like :meth:`request_checkpoint`, for routine clean-up (a handled event's source, a sent message's
        content): the log is emptied within the database's lazy-checkpoint interval rather than at once, since a
        checkpoint after every event would cost several times the event's own handling."""
        self.lazy_checkpoint_requested = True

    def end(self) -> None:
        """Refuse further statements: the transaction this session belonged to is over."""
        self._active = False

    def _check_active(self) -> None:
        if not self._active:
            raise StorageError("this transaction has already ended; open a new one with `async with db.transaction()`")

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement and return how many rows it changed."""
        raise NotImplementedError

    async def executemany(self, sql: str, rows: Sequence[Params]) -> int:
        """Run one statement per parameter row and return the total number of rows changed."""
        raise NotImplementedError

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Run a query (or a statement with RETURNING) and return every row."""
        raise NotImplementedError

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """Run a query expected to yield at most one row."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        """Return the first column of the first row, or None when there is no row."""
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


class SqliteSession(Session):
    """A :class:`Session` on the aiosqlite connection."""

    __slots__ = ("_conn",)

    def __init__(self, conn: aiosqlite.Connection) -> None:
        super().__init__(SQLITE)
        self._conn = conn

    def _connection(self) -> aiosqlite.Connection:
        self._check_active()
        return self._conn

    # Each await on the connection is a round trip to aiosqlite's thread, which costs more than most statements
    # (benchmarks/ingest.py): so one per statement. A cursor whose statement changed rows (no RETURNING) has
    # finished with it once `execute` returns, so it is left to be freed rather than closed by a second trip.

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement and return how many rows it changed."""
        conn = self._connection()
        try:
            cursor = await conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise _wrap(exc) from exc
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Sequence[Params]) -> int:
        """Run one statement per parameter row and return the total number of rows changed."""
        conn = self._connection()
        try:
            cursor = await conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise _wrap(exc) from exc
        return cursor.rowcount

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Run a query (or a statement with RETURNING) and return every row."""
        conn = self._connection()
        try:
            return list(await conn.execute_fetchall(sql, params))
        except sqlite3.Error as exc:
            raise _wrap(exc) from exc


async def _run(conn: aiosqlite.Connection, sql: str) -> None:
    try:
        await conn.execute(sql)
    except sqlite3.Error as exc:
        raise _wrap(exc) from exc


async def _run_to_completion(conn: aiosqlite.Connection, sql: str) -> None:
    """Run a transaction-control statement even if the calling task is cancelled meanwhile.

    aiosqlite runs statements in a worker thread: cancelling the awaiting task does not stop the statement. If
    a BEGIN were abandoned half-way, the connection would be left inside a transaction nobody owns, and every
    later BEGIN would fail. So wait for the statement to finish, then let the cancellation go on.
    """
    statement = asyncio.ensure_future(_run(conn, sql))
    try:
        await asyncio.shield(statement)
    except asyncio.CancelledError:
        await asyncio.wait([statement])
        raise


async def _rollback(conn: aiosqlite.Connection) -> None:
    # SQLite rolls some failures (disk full, I/O errors) back by itself; a second ROLLBACK would then fail
    # and hide the original exception, which is the one worth seeing.
    if not conn.in_transaction:
        return
    try:
        await _run_to_completion(conn, "ROLLBACK")
    except StorageError:
        logger.debug("rollback failed", exc_info=True)


@asynccontextmanager
async def immediate_transaction(conn: aiosqlite.Connection) -> AsyncIterator[Session]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK and re-raise if the body raises.

    IMMEDIATE takes SQLite's write lock up front, so a transaction that reads and then writes can never
    fail half-way with SQLITE_BUSY because another connection wrote in between. The caller must make sure
    only one transaction is open on ``conn`` at a time (:class:`storage.Database` does, with a lock).
    """
    try:
        await _run_to_completion(conn, "BEGIN IMMEDIATE")
    except asyncio.CancelledError:
        await _rollback(conn)
        raise
    session = SqliteSession(conn)
    try:
        yield session
    except BaseException:
        session.end()
        await _rollback(conn)
        raise
    session.end()
    try:
        await _run_to_completion(conn, "COMMIT")
    except BaseException:
        await _rollback(conn)
        raise
