"""The PostgreSQL backend's session: the repositories' ``?`` SQL on one asyncpg connection, and its transactions.

Repositories write one SQL for both backends. Here each statement's ``?`` placeholders become ``$1, $2, …`` (once per
distinct statement: the rewrite is cached, and asyncpg caches the prepared statement), and asyncpg's errors become the
:class:`~storage.errors.StorageError` family, built from the server's message only: its detail, which can quote a
row's values, is never passed on.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import asyncpg

from storage.dialect import POSTGRES
from storage.errors import ConnectionLostError, DatabaseCorruptError, DiskFullError, StorageError
from storage.session import Params, Row, Session, transaction

# BEGIN IMMEDIATE gives SQLite one writer at a time across processes; this transaction-scoped advisory lock (one per
# schema, so that databases sharing a server stay independent) gives PostgreSQL the same: a transaction that reads
# and then writes never interleaves with another process's (the offline CLI, a second bot started by mistake).
_BEGIN = (
    "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(hashtext('dialogue-bot:' || current_schema()))"
)

# Like SQLite's busy_timeout: wait this long for another process's transaction, then fail instead of hanging.
LOCK_TIMEOUT = "5s"


@functools.lru_cache(maxsize=2048)
def numbered_placeholders(sql: str) -> str:
    """``sql`` with each ``?`` outside quotes and comments replaced by ``$1``, ``$2``, … in order."""
    out: list[str] = []
    number = 0
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == char:
                    if end + 1 < n and sql[end + 1] == char:  # a doubled quote stays inside the literal
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            out.append(sql[i:end])
            i = end
        elif char == "?":
            number += 1
            out.append(f"${number}")
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _server_message(exc: asyncpg.PostgresError) -> str:
    # str(exc) appends the DETAIL line, which quotes the offending row's values ("Key (key)=(…) already exists"):
    # take the primary message alone, which names tables and constraints only.
    return f"{exc.sqlstate} {getattr(exc, 'message', None) or type(exc).__name__}"


def from_postgres(exc: BaseException, message: str) -> StorageError:
    """The storage error for what asyncpg or the server reported: disk full, corrupt data, a lost connection, or a
    plain StorageError. Uses the server's message (which names tables and constraints), never its detail."""
    if isinstance(exc, asyncpg.exceptions.DiskFullError):
        return DiskFullError(f"{message}: {_server_message(exc)}")
    if isinstance(exc, asyncpg.exceptions.DataCorruptedError | asyncpg.exceptions.IndexCorruptedError):
        return DatabaseCorruptError(f"{message}: {_server_message(exc)}")
    if isinstance(
        exc,
        asyncpg.exceptions.PostgresConnectionError
        | asyncpg.exceptions.ConnectionDoesNotExistError
        | asyncpg.exceptions.AdminShutdownError
        | asyncpg.exceptions.CrashShutdownError
        | OSError,
    ):
        return ConnectionLostError(f"{message}: the connection to PostgreSQL was lost ({type(exc).__name__})")
    if isinstance(exc, asyncpg.exceptions.InternalClientError):
        # The server's termination notice can arrive while a statement is being sent: asyncpg then finds its
        # protocol in two states at once, and the connection is as gone as if the socket had closed.
        return ConnectionLostError(f"{message}: the connection to PostgreSQL broke off mid-statement")
    if isinstance(exc, asyncpg.exceptions.InterfaceError) and "closed" in str(exc):
        return ConnectionLostError(f"{message}: the connection to PostgreSQL is closed")
    if isinstance(exc, asyncpg.PostgresError):
        return StorageError(f"{message}: {_server_message(exc)}")
    return StorageError(f"{message}: {type(exc).__name__}: {exc}")


_DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError)


def _changed(status: str) -> int:
    # asyncpg reports a command's tag ("UPDATE 3", "INSERT 0 1"); its last word is the row count for DML.
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresSession(Session):
    """A :class:`Session` on one asyncpg connection."""

    __slots__ = ("_conn",)

    _DRIVER_ERRORS = _DRIVER_ERRORS

    def __init__(self, conn: asyncpg.Connection) -> None:
        super().__init__(POSTGRES)
        self._conn = conn

    def _storage_error(self, exc: BaseException) -> StorageError:
        return from_postgres(exc, "database error")

    async def _driver_execute(self, sql: str, params: Params) -> int:
        status: str = await self._conn.execute(numbered_placeholders(sql), *params)
        return _changed(status)

    async def _driver_executemany(self, sql: str, rows: Sequence[Params]) -> int:
        # asyncpg's executemany reports no counts; the rows are few and the statement is prepared once.
        total = 0
        for params in rows:
            total += await self._driver_execute(sql, params)
        return total

    async def _driver_fetchall(self, sql: str, params: Params) -> list[Row]:
        # asyncpg Records: index and key access.
        records: list[Any] = await self._conn.fetch(numbered_placeholders(sql), *params)
        return records

    async def _driver_control(self, sql: str) -> None:
        await self._conn.execute(sql)

    def in_transaction(self) -> bool:
        """Whether the connection is open and inside a transaction."""
        return not self._conn.is_closed() and self._conn.is_in_transaction()


def postgres_transaction(conn: asyncpg.Connection) -> AbstractAsyncContextManager[Session]:
    """BEGIN (taking the schema's writer lock) ... COMMIT on ``conn``, or ROLLBACK and re-raise if the body raises."""
    return transaction(PostgresSession(conn), _BEGIN)


async def connect(dsn: str) -> asyncpg.Connection:
    """One connection to the database ``dsn`` names, with the lock timeout set; ConnectionLostError if impossible.

    The DSN may hold a password: it is never part of an error or a log line."""
    try:
        conn: asyncpg.Connection = await asyncpg.connect(dsn, statement_cache_size=1024)
        await conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    except _DRIVER_ERRORS as exc:
        raise from_postgres(exc, "cannot connect to the PostgreSQL database") from exc
    except ValueError as exc:  # asyncpg's DSN parser; its message can quote the DSN
        raise StorageError("the PostgreSQL DSN (storage.dsn) is not a valid postgresql:// URI") from exc
    return conn
