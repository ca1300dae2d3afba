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
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, ClassVar, Protocol, cast

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


class Session:
    """Statement execution bound to one open transaction.

    The checks and the error translation around every statement are here, once; a backend subclasses it with its
    driver's calls (the ``_driver_*`` methods), the errors those raise (``_DRIVER_ERRORS``) and how such an error
    becomes a :class:`StorageError` (``_storage_error``).
    """

    __slots__ = ("_active", "checkpoint_requested", "dialect", "lazy_checkpoint_requested")

    _DRIVER_ERRORS: ClassVar[tuple[type[BaseException], ...]] = ()

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
        self._check_active()
        try:
            return await self._driver_execute(sql, params)
        except self._DRIVER_ERRORS as exc:
            raise self._storage_error(exc) from exc

    async def executemany(self, sql: str, rows: Sequence[Params]) -> int:
        """Run one statement per parameter row and return the total number of rows changed."""
        self._check_active()
        try:
            return await self._driver_executemany(sql, rows)
        except self._DRIVER_ERRORS as exc:
            raise self._storage_error(exc) from exc

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Run a query (or a statement with RETURNING) and return every row."""
        self._check_active()
        try:
            return await self._driver_fetchall(sql, params)
        except self._DRIVER_ERRORS as exc:
            raise self._storage_error(exc) from exc

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """Run a query expected to yield at most one row."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        """Return the first column of the first row, or None when there is no row."""
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def control(self, sql: str) -> None:
        """Run a transaction-control statement (BEGIN, COMMIT, ROLLBACK); unlike the others, also once ended."""
        try:
            await self._driver_control(sql)
        except self._DRIVER_ERRORS as exc:
            raise self._storage_error(exc) from exc

    # What a backend provides. The driver methods raise the driver's own errors; the methods above translate them.

    def _storage_error(self, exc: BaseException) -> StorageError:
        """The storage error for one of ``_DRIVER_ERRORS``."""
        raise NotImplementedError

    async def _driver_execute(self, sql: str, params: Params) -> int:
        raise NotImplementedError

    async def _driver_executemany(self, sql: str, rows: Sequence[Params]) -> int:
        raise NotImplementedError

    async def _driver_fetchall(self, sql: str, params: Params) -> list[Row]:
        raise NotImplementedError

    async def _driver_control(self, sql: str) -> None:
        raise NotImplementedError

    def in_transaction(self) -> bool:
        """Whether the connection is inside a transaction (a failed BEGIN or COMMIT may or may not have left one)."""
        raise NotImplementedError


class SqliteSession(Session):
    """A :class:`Session` on the aiosqlite connection."""

    __slots__ = ("_conn",)

    _DRIVER_ERRORS = (sqlite3.Error,)

    def __init__(self, conn: aiosqlite.Connection) -> None:
        super().__init__(SQLITE)
        self._conn = conn

    def _storage_error(self, exc: BaseException) -> StorageError:
        # A full disk and a damaged file get their own errors: the bot pauses for the one and stops for the other.
        return from_sqlite(cast(sqlite3.Error, exc), "database error")  # the only kind in _DRIVER_ERRORS

    # Each await on the connection is a round trip to aiosqlite's thread, which costs more than most statements
    # (benchmarks/ingest.py): so one per statement. A cursor whose statement changed rows (no RETURNING) has
    # finished with it once `execute` returns, so it is left to be freed rather than closed by a second trip.

    async def _driver_execute(self, sql: str, params: Params) -> int:
        cursor = await self._conn.execute(sql, params)
        return cursor.rowcount

    async def _driver_executemany(self, sql: str, rows: Sequence[Params]) -> int:
        cursor = await self._conn.executemany(sql, rows)
        return cursor.rowcount

    async def _driver_fetchall(self, sql: str, params: Params) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def _driver_control(self, sql: str) -> None:
        await self._conn.execute(sql)

    def in_transaction(self) -> bool:
        """Whether the connection is inside a transaction."""
        return self._conn.in_transaction


async def _run_to_completion(session: Session, sql: str) -> None:
    """Run a transaction-control statement even if the calling task is cancelled meanwhile.

    Both drivers run a statement beyond the awaiting task's reach (aiosqlite in a worker thread, asyncpg on the
    server): cancelling the task does not stop it. If a BEGIN or COMMIT were abandoned half-way, the connection would
    be left inside a transaction nobody owns, and every later BEGIN would fail. So wait for the statement to finish,
    then let the cancellation go on.
    """
    statement = asyncio.ensure_future(session.control(sql))
    try:
        await asyncio.shield(statement)
    except asyncio.CancelledError:
        await asyncio.wait([statement])
        raise


async def _rollback(session: Session) -> None:
    # SQLite rolls some failures (disk full, I/O errors) back by itself; a second ROLLBACK would then fail
    # and hide the original exception, which is the one worth seeing.
    if not session.in_transaction():
        return
    try:
        await _run_to_completion(session, "ROLLBACK")
    except StorageError:
        logger.debug("rollback failed", exc_info=True)


@asynccontextmanager
async def transaction(session: Session, begin: str) -> AsyncIterator[Session]:
    """``begin`` ... COMMIT on ``session``'s connection, or ROLLBACK and re-raise if the body raises.

    Whatever stops ``begin`` from completing (a cancellation, a lock not granted in time) rolls back what part of it
    ran. The caller must make sure only one transaction is open on the connection at a time
    (:class:`storage.Database` does, with a lock).
    """
    try:
        await _run_to_completion(session, begin)
    except BaseException:
        await _rollback(session)
        raise
    try:
        yield session
    except BaseException:
        session.end()
        await _rollback(session)
        raise
    session.end()
    try:
        await _run_to_completion(session, "COMMIT")
    except BaseException:
        await _rollback(session)
        raise


def immediate_transaction(conn: aiosqlite.Connection) -> AbstractAsyncContextManager[Session]:
    """BEGIN IMMEDIATE ... COMMIT on ``conn``, or ROLLBACK and re-raise if the body raises.

    IMMEDIATE takes SQLite's write lock up front, so a transaction that reads and then writes can never
    fail half-way with SQLITE_BUSY because another connection wrote in between.
    """
    return transaction(SqliteSession(conn), "BEGIN IMMEDIATE")
