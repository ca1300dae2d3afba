"""The exceptions the storage layer raises.

Callers outside ``storage/`` never see ``sqlite3`` exceptions: everything the database reports is turned
into a :class:`StorageError`, so the bot has one thing to catch (and one place to decide that a broken
database is fatal) without depending on the driver.
"""

from __future__ import annotations

from pathlib import Path


class StorageError(Exception):
    """Base class for every error raised by the storage layer."""


class SchemaTooNewError(StorageError):
    """The database file was written by a newer release than this one.

    Opening it anyway could silently misread or damage data the newer release depends on, so we refuse and
    tell the operator what to do instead.
    """

    def __init__(self, path: Path, found: int, supported: int) -> None:
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
