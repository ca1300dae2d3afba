"""The database handle: opening the file safely, connection pragmas, and serialized transactions."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from types import TracebackType

import aiosqlite

from storage.errors import DatabaseCorruptError, StorageError, from_sqlite
from storage.migrations import MIGRATIONS, Migration, migrate
from storage.session import Session, immediate_transaction
from storage.transaction import Transaction

logger = logging.getLogger(__name__)

_PRAGMAS = (
    # Wait for another process's write lock instead of failing at once.
    "PRAGMA busy_timeout = 5000",
    "PRAGMA foreign_keys = ON",
    # With WAL, NORMAL is still crash-safe for the database; at worst the last commits before a power
    # loss are lost, which the inbox/outbox design tolerates (sync replays, txn_ids de-duplicate).
    "PRAGMA synchronous = NORMAL",
    # Overwrite deleted content with zeros instead of leaving it in free pages and cells, where it would
    # survive a withdrawal, forget-me or purge in the raw file.
    "PRAGMA secure_delete = ON",
)

# Copies every committed page into the database file and empties the -wal file, whose older frames still
# hold the pages as they were before a deletion.
_CHECKPOINT = "PRAGMA wal_checkpoint(TRUNCATE)"

LAZY_CHECKPOINT_SECONDS = 30.0
"""Routine clean-up (handled events' sources, sent messages' contents) is checkpointed by the first transaction
at least this long after the last checkpoint. The running bot commits one after every sync (a long poll of at most
30 s), so such data leaves the -wal file within about a minute. benchmarks/checkpoint_cost.py measures why not
after every event."""


def _prepare_file(path: Path) -> None:
    """Create the parent directory and, for a new database, an empty file readable only by us.

    Creating the file ourselves with mode 0600 (instead of letting SQLite create it with the umask's
    default and tightening it afterwards) leaves no moment in which others could open it. SQLite gives
    the -wal and -shm files the same mode as the database file.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)
    os.chmod(path, 0o600)  # the umask may have taken bits away; make the result exact


async def _configure(conn: aiosqlite.Connection, path: Path) -> None:
    try:
        async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
            row = await cursor.fetchone()
        for pragma in _PRAGMAS:
            await conn.execute(pragma)
    except sqlite3.Error as exc:
        raise from_sqlite(exc, f"cannot use {path} as a database") from exc
    mode = str(row[0]).lower() if row else "unknown"
    if mode != "wal":
        # Without WAL, readers block the writer and vice versa; refuse rather than run degraded.
        raise StorageError(f"cannot enable WAL journaling for {path} (journal mode is {mode!r})")


async def _quick_check(conn: aiosqlite.Connection, path: Path) -> None:
    """Refuse a damaged file at once, before anything is migrated or handled on top of it.

    ``quick_check`` reads every page and checks the b-trees' structure but not the indexes' contents, which makes it
    several times faster than ``integrity_check`` (benchmarks/quick_check_speed.py measures it)."""
    started = time.monotonic()
    try:
        async with conn.execute("PRAGMA quick_check(5)") as cursor:
            problems = [str(row[0]) for row in await cursor.fetchall()]
    except sqlite3.Error as exc:
        raise from_sqlite(exc, f"checking {path}") from exc
    if problems != ["ok"]:
        raise DatabaseCorruptError(f"the integrity check of {path} failed: {'; '.join(problems)[:300]}")
    logger.debug("database checked", extra={"seconds": round(time.monotonic() - started, 3)})


class Database:
    """The bot's single SQLite connection, and the lock that serializes transactions on it.

    The sync loop, processor and sender all run in one event loop and share this object: each unit of work
    is an ``async with db.transaction() as tx`` block, and the lock makes those blocks run one after
    another, never interleaved. Create with :meth:`open`.
    """

    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: Path,
        schema_version: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Use :meth:`open`; this only wraps an already configured and migrated connection."""
        self._clock = clock
        self._last_checkpoint = clock()
        self._lazy_checkpoint_due = False
        self._conn: aiosqlite.Connection | None = conn
        self._path = path
        self._init_serializing(schema_version)

    def _init_serializing(self, schema_version: int) -> None:
        """What every backend's handle holds: its schema version, and the lock that serializes its transactions."""
        self._schema_version = schema_version
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        clock: Callable[[], float] = time.monotonic,
    ) -> Database:
        """Open (creating if needed) the database at ``path`` and bring its schema up to date.

        ``migrations`` and ``clock`` (which times lazy checkpoints) are for tests; the bot uses the defaults.
        Raises SchemaTooNewError if the file comes from a newer release, DatabaseCorruptError if it is damaged or not
        a database (checked with ``PRAGMA quick_check`` first), MigrationError if a step fails, StorageError if the
        file is otherwise unusable.
        """
        try:
            await asyncio.to_thread(_prepare_file, path)
        except OSError as exc:
            raise StorageError(f"cannot create the database file {path}: {exc}") from exc
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise from_sqlite(exc, f"cannot open the database {path}") from exc
        try:
            conn.row_factory = aiosqlite.Row
            await _configure(conn, path)
            await _quick_check(conn, path)
            version = await migrate(lambda: immediate_transaction(conn), path, migrations)
            # A migration may have rewritten identifying values (see step 6); leave no old pages in the log.
            await conn.execute(_CHECKPOINT)
        except BaseException:
            await conn.close()
            raise
        logger.debug("database opened at schema %d", version)
        return cls(conn, path, version, clock)

    @classmethod
    async def open_postgres(cls, dsn: str, *, migrations: Sequence[Migration] = MIGRATIONS) -> Database:
        """Connect to the PostgreSQL database ``dsn`` names and bring its schema up to date (storage.backend =
        "postgres"); see :class:`storage.postgres_database.PostgresDatabase`."""
        from storage.postgres_database import PostgresDatabase  # that module builds on this one

        return await PostgresDatabase.connect(dsn, migrations=migrations)

    @property
    def path(self) -> Path:
        """Where the database file is, e.g. for error messages and backups."""
        return self._path

    @property
    def backend(self) -> str:
        """Which storage backend this is: "sqlite" here, "postgres" for storage.postgres_database's subclass."""
        return "sqlite"

    @property
    def schema_version(self) -> int:
        """The schema version the file is at (the newest this code knows, once open succeeded)."""
        return self._schema_version

    def _require_open(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StorageError(f"the database {self._path} is closed")
        return self._conn

    def _check_not_nested(self) -> None:
        # Waiting for a lock we hold ourselves would hang forever; fail instead.
        if self._owner is not None and self._owner is asyncio.current_task():
            raise StorageError("a transaction is already open in this task; transactions cannot be nested")

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """A write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN and the schema's writer lock): committed if
        the block ends normally, else rolled back.

        Waits for any other task's transaction to finish first. Keep blocks short and do no network I/O
        inside them: every other task is waiting.
        """
        self._check_open()
        self._check_not_nested()
        async with self._lock:
            begin = self._begin()  # it may have been closed while we waited
            self._owner = asyncio.current_task()
            try:
                async with begin as session:
                    yield Transaction(session)
                await self._after_commit(session)
            finally:
                self._owner = None

    # What a backend provides to transaction(): the check that it is open, a transaction on its connection, and the
    # upkeep after a commit.

    def _check_open(self) -> None:
        self._require_open()

    def _begin(self) -> AbstractAsyncContextManager[Session]:
        return immediate_transaction(self._require_open())

    async def _after_commit(self, session: Session) -> None:
        self._lazy_checkpoint_due |= session.lazy_checkpoint_requested
        lazy_due = self._lazy_checkpoint_due and self._clock() - self._last_checkpoint >= LAZY_CHECKPOINT_SECONDS
        if session.checkpoint_requested or lazy_due:
            await self._checkpoint(self._require_open())

    async def _checkpoint(self, conn: aiosqlite.Connection) -> bool:
        # Runs after the transaction committed: raising now would make its caller redo finished work. So a
        # failure is logged, and the next transaction tries again (the checkpoint stays due).
        try:
            async with conn.execute(_CHECKPOINT) as cursor:
                row = await cursor.fetchone()
        except sqlite3.Error as exc:
            logger.warning("database checkpoint failed", extra={"error": str(exc)})
            self._lazy_checkpoint_due = True
            return False
        if row is not None and row[0] != 0:
            # Only another process reading the file (e.g. the offline CLI) can keep a TRUNCATE from completing.
            logger.warning("database checkpoint incomplete: another process is reading the file")
            self._lazy_checkpoint_due = True
            return False
        self._last_checkpoint = self._clock()
        self._lazy_checkpoint_due = False
        return True

    async def checkpoint(self) -> bool:
        """Empty the write-ahead log into the database file now; False if that could not be done completely."""
        self._require_open()
        self._check_not_nested()
        async with self._lock:
            return await self._checkpoint(self._require_open())

    async def close(self) -> None:
        """Close the connection once any running transaction is over; closing twice is fine."""
        self._check_not_nested()
        async with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                await conn.close()
                logger.debug("database closed")

    async def __aenter__(self) -> Database:
        """Allow ``async with await Database.open(path) as db:`` so the connection is always closed."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the database when the ``async with`` block ends."""
        await self.close()
