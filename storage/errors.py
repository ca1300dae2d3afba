"""The exceptions the storage layer raises.

Callers outside ``storage/`` never see ``sqlite3`` exceptions: everything the database reports is turned
into a :class:`StorageError`, so the bot has one thing to catch (and one place to decide that a broken
database is fatal) without depending on the driver.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

# SQLite's primary result codes (the low byte of an extended code) for a full disk and for a damaged file.
_SQLITE_FULL = 13
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


class StorageError(Exception):
    """Base class for every error raised by the storage layer."""


class SchemaTooNewError(StorageError):
    """The database file was written by a newer release than this one.

    Opening it anyway could silently misread or damage data the newer release depends on, so we refuse and
    tell the operator what to do instead.
    """

    def __init__(self, path: Path | str, found: int, supported: int) -> None:
        self.path = path
        self.found = found
        self.supported = supported
        super().__init__(
            f"The database at {path} has schema version {found}, but this dialogue-bot only knows up to "
            f"{supported}. It was written by a newer release: upgrade dialogue-bot, or restore a backup "
            "made with this version."
        )


class MigrationError(StorageError):
    """A migration step failed; its transaction was rolled back, so the schema is still at ``version - 1``."""

    def __init__(self, version: int, description: str, cause: BaseException) -> None:
        self.version = version
        self.description = description
        super().__init__(
            f"Migrating the database to schema {version} ({description}) failed, so it was left at schema "
            f"{version - 1}: {cause}"
        )


class RowNotFoundError(StorageError):
    """A state change named a row that does not exist, or is not in a state that allows that change.

    This is always a bug in the caller (transactions are serialized, so there are no races to excuse it);
    failing loudly beats silently dropping, say, a decrypted event.
    """


class DialogueAlreadyActiveError(StorageError):
    """A dialogue was started in a room that already has an active one; end that one first.

    A room runs at most one dialogue at a time, so that every message in it belongs to exactly one.
    """


class DiskFullError(StorageError):
    """A write failed because the disk (or the file system holding the data directory) is full.

    Nothing was written: the transaction was rolled back. Not a fault of what was being handled, so the bot pauses
    its intake until space returns instead of counting it as a failure (bot/disk_space.py).
    """


class DatabaseCorruptError(StorageError):
    """The database file is damaged or is not a SQLite database at all (or PostgreSQL reports corrupted data).
    Retrying cannot help: the bot stops, and the operator restores a backup."""


class ConnectionLostError(StorageError):
    """The connection to the PostgreSQL server broke (or could not be made); the transaction did not commit.

    The bot stops like for any storage failure; the inbox/outbox design makes a restart redo nothing twice."""


def from_sqlite(exc: sqlite3.Error, message: str) -> StorageError:
    """The storage error for what SQLite reported: DiskFullError, DatabaseCorruptError, or a plain StorageError.

    ``message`` says what was being done; sqlite3 messages name tables and constraints, never bound values, so they
    are safe to pass on."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    if primary == _SQLITE_FULL or "database or disk is full" in text:
        return DiskFullError(f"{message}: {exc}")
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in text or "not a database" in text:
        return DatabaseCorruptError(f"{message}: {exc}")
    return StorageError(f"{message}: {exc}")


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error``, or anything it was raised from, says the disk is full: ours (DiskFullError), SQLite's
    (SQLITE_FULL, also from matrix-nio's key store) or the operating system's (ENOSPC, EDQUOT)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DiskFullError):
            return True
        if isinstance(current, OSError) and current.errno in _DISK_FULL_ERRNOS:
            return True
        if isinstance(current, sqlite3.Error) and isinstance(from_sqlite(current, ""), DiskFullError):
            return True
        if type(current).__name__ == "OperationalError" and "database or disk is full" in str(current).lower():
            return True  # peewee's (matrix-nio's key store) own OperationalError, which wraps sqlite3's
        current = current.__cause__ or current.__context__
    return False
