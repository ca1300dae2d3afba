"""Durable storage for dialogue-bot: one SQLite file (the default) or a PostgreSQL database, accessed only through
this package. Both backends run the same repositories and migrations (storage/dialect.py has the few fragments that
differ; storage/postgres.py and storage/postgres_database.py the PostgreSQL side).

Typical use::

    db = await Database.open(path)  # or: await Database.open_postgres(dsn)
    async with db.transaction() as tx:
        await tx.inbox.add(events, now=time.time())
        await tx.state.set("sync_token", token)
    await db.close()
"""

from storage.challenges import Challenge
from storage.contributions import Contribution, Support, Tombstone
from storage.database import Database
from storage.dialogues import Dialogue
from storage.errors import (
    DatabaseCorruptError,
    DialogueAlreadyActiveError,
    DiskFullError,
    MigrationError,
    RowNotFoundError,
    SchemaTooNewError,
    StorageError,
    is_disk_full,
)
from storage.inbox import InboxRow, NewInboxEvent
from storage.outbox import (
    Destination,
    Edit,
    FileUpload,
    MediaDeletion,
    OutboxItem,
    OutboxRow,
    Person,
    Reaction,
    Redaction,
    Room,
    RoomMessage,
)
from storage.schedules import ClosingWindow, DigestSetting, Schedule
from storage.synopses import AdoptedSynopsis, Correction
from storage.transaction import Transaction

__all__ = [
    "AdoptedSynopsis",
    "Challenge",
    "ClosingWindow",
    "Contribution",
    "Correction",
    "Database",
    "DatabaseCorruptError",
    "Destination",
    "Dialogue",
    "DialogueAlreadyActiveError",
    "DigestSetting",
    "DiskFullError",
    "Edit",
    "FileUpload",
    "InboxRow",
    "MediaDeletion",
    "MigrationError",
    "NewInboxEvent",
    "OutboxItem",
    "OutboxRow",
    "Person",
    "Reaction",
    "Redaction",
    "Room",
    "RoomMessage",
    "RowNotFoundError",
    "Schedule",
    "SchemaTooNewError",
    "StorageError",
    "Support",
    "Tombstone",
    "Transaction",
    "is_disk_full",
]
