"""The database handle on PostgreSQL: one asyncpg connection, migrated on connect, transactions serialized as on SQLite.

Everything the bot does with a :class:`~storage.database.Database` works the same here: the same repositories, the
same one-transaction-at-a-time lock, the same migrations. What SQLite-specific upkeep there is (WAL checkpoints,
quick_check, the 0600 file) has no counterpart: PostgreSQL manages its own files, and docs/privacy.md says what that
means for deleted data.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import asyncpg

from storage.database import Database
from storage.errors import StorageError
from storage.migrations import MIGRATIONS, Migration, migrate
from storage.postgres import connect, postgres_transaction
from storage.session import Session

logger = logging.getLogger(__name__)

# What errors and messages call the database: never the DSN, which may hold a password.
DESCRIPTION = "the PostgreSQL database (storage.dsn)"


class PostgresDatabase(Database):
    """The bot's single PostgreSQL connection, and the lock that serializes transactions on it. Create with
    :meth:`connect`."""

    def __init__(self, conn: asyncpg.Connection, schema_version: int) -> None:
        """Use :meth:`connect`; this only wraps an already migrated connection."""
        # Database.__init__ sets up a SQLite connection; only the lock bookkeeping is shared.
        self._pg: asyncpg.Connection | None = conn
        self._conn = None
        self._init_serializing(schema_version)

    @classmethod
    async def connect(cls, dsn: str, *, migrations: Sequence[Migration] = MIGRATIONS) -> PostgresDatabase:
        """Connect to the database ``dsn`` names and bring its schema up to date.

        Raises SchemaTooNewError, MigrationError, ConnectionLostError (server unreachable) or StorageError."""
        conn = await connect(dsn)
        try:
            version = await migrate(lambda: postgres_transaction(conn), DESCRIPTION, migrations)
        except BaseException:
            await conn.close()
            raise
        logger.debug("PostgreSQL database opened at schema %d", version)
        return cls(conn, version)

    @property
    def path(self) -> Path:
        """There is no database file: backups are the operator's (pg_dump); see docs/operations.md."""
        raise StorageError(f"{DESCRIPTION} has no file: back it up with pg_dump (docs/operations.md, PostgreSQL)")

    @property
    def backend(self) -> str:
        """Which storage backend this is."""
        return "postgres"

    def _require_pg(self) -> asyncpg.Connection:
        if self._pg is None:
            raise StorageError(f"{DESCRIPTION} is closed")
        return self._pg

    def _check_open(self) -> None:
        self._require_pg()

    def _begin(self) -> AbstractAsyncContextManager[Session]:
        return postgres_transaction(self._require_pg())

    async def _after_commit(self, session: Session) -> None:
        """Nothing to do: PostgreSQL checkpoints its write-ahead log itself."""

    async def checkpoint(self) -> bool:
        """Nothing to do: PostgreSQL checkpoints its write-ahead log itself."""
        self._require_pg()
        return True

    async def close(self) -> None:
        """Close the connection once any running transaction is over; closing twice is fine."""
        self._check_not_nested()
        async with self._lock:
            conn, self._pg = self._pg, None
            if conn is not None:
                with contextlib.suppress(*_CLOSE_ERRORS):
                    await conn.close(timeout=5)
                logger.debug("PostgreSQL database closed")


# A connection that broke already is closed as far as we care.
_CLOSE_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)
