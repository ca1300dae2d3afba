"""Numbered schema migrations, and the runner that applies the pending ones when the database is opened.

Each step runs in its own transaction together with the update of the recorded version, so a crash or a
failing statement leaves the database exactly at the previous version, never half-migrated. Add a step by
appending a :class:`Migration` with the next version number to :data:`MIGRATIONS`; never edit a released
step, since databases in the field have already run it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from storage.errors import MigrationError, SchemaTooNewError
from storage.session import Session, immediate_transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: its statements run first, then ``run`` (for steps SQL alone cannot express)."""

    version: int
    description: str
    statements: tuple[str, ...] = ()
    run: Callable[[Session], Awaitable[None]] | None = None


# The version bookkeeping belongs to the runner, not to any step, so that every step (including the
# first) can record itself the same way.
_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
)
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1,
        description="inbox, outbox, rooms and key-value state",
        statements=(
            # Incoming events. `source` holds the raw event only while it still has to be processed: the
            # CHECK makes it impossible to keep a sender or body once the event is done or ignored.
            """
            CREATE TABLE inbox (
                seq         INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id    TEXT    NOT NULL UNIQUE,
                room_id     TEXT    NOT NULL,
                state       TEXT    NOT NULL
                            CHECK (state IN ('pending', 'awaiting_key', 'done', 'quarantined', 'ignored')),
                source      TEXT    NULL,
                attempts    INTEGER NOT NULL DEFAULT 0,
                not_before  REAL    NOT NULL DEFAULT 0,
                error_ref   TEXT    NULL,
                received_at REAL    NOT NULL,
                CHECK ((state IN ('done', 'ignored')) = (source IS NULL))
            )
            """,
            "CREATE INDEX inbox_state_seq ON inbox (state, seq)",
            # Outgoing messages. Content is kept only until the message is sent or given up on.
            """
            CREATE TABLE outbox (
                seq         INTEGER PRIMARY KEY AUTOINCREMENT,
                txn_id      TEXT    NOT NULL UNIQUE,
                room_id     TEXT    NOT NULL,
                event_type  TEXT    NOT NULL,
                content     TEXT    NULL,
                state       TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
                attempts    INTEGER NOT NULL DEFAULT 0,
                not_before  REAL    NOT NULL DEFAULT 0,
                last_error  TEXT    NULL,
                event_id    TEXT    NULL,
                created_at  REAL    NOT NULL,
                sent_at     REAL    NULL,
                CHECK ((state = 'pending') = (content IS NOT NULL))
            )
            """,
            "CREATE INDEX outbox_pending_room_seq ON outbox (room_id, seq) WHERE state = 'pending'",
            """
            CREATE TABLE rooms (
                room_id            TEXT    PRIMARY KEY,
                joined_at_ms       INTEGER NULL,
                has_left           INTEGER NOT NULL DEFAULT 0 CHECK (has_left IN (0, 1)),
                crypto_notice_sent INTEGER NOT NULL DEFAULT 0 CHECK (crypto_notice_sent IN (0, 1))
            )
            """,
            """
            CREATE TABLE kv (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )
            """,
        ),
    ),
)


def latest_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """The schema version a database has after all of ``migrations`` ran (0 for none)."""
    return migrations[-1].version if migrations else 0


def _check_numbering(migrations: Sequence[Migration]) -> None:
    # The runner finds the next step by position, so a gap or a duplicate would skip or repeat one.
    for position, migration in enumerate(migrations, start=1):
        if migration.version != position:
            raise ValueError(
                f"migrations must be numbered 1, 2, 3, … in order; position {position} has version {migration.version}"
            )


async def read_version(session: Session) -> int:
    """The schema version recorded in the database; 0 for a database no migration has touched."""
    exists = await session.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
    if exists is None:
        return 0
    version = await session.scalar("SELECT version FROM schema_version WHERE id = 1")
    return 0 if version is None else int(version)


async def _record_version(session: Session, version: int) -> None:
    await session.execute(_VERSION_TABLE)
    await session.execute(
        "INSERT INTO schema_version (id, version) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET version = excluded.version",
        (version,),
    )


async def migrate(conn: aiosqlite.Connection, path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply every pending step, one transaction each, and return the resulting schema version.

    The version is re-read inside each step's transaction (which holds SQLite's write lock), so two
    processes opening the same file at once cannot both apply a step.

    Raises SchemaTooNewError if the file is newer than ``migrations`` know, and MigrationError if a step
    fails (that step is rolled back; earlier steps stay applied).
    """
    _check_numbering(migrations)
    supported = latest_version(migrations)
    while True:
        async with immediate_transaction(conn) as session:
            current = await read_version(session)
            if current > supported:
                raise SchemaTooNewError(path, current, supported)
            if current == supported:
                return current
            step = migrations[current]
            try:
                for statement in step.statements:
                    await session.execute(statement)
                if step.run is not None:
                    await step.run(session)
                await _record_version(session, step.version)
            except Exception as exc:
                raise MigrationError(step.version, step.description, exc) from exc
        logger.info("database migrated to schema %d (%s)", step.version, step.description)
