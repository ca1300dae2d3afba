"""Durable storage for dialogue-bot: one SQLite file, accessed only through this package.

Typical use::

    db = await Database.open(path)
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
