"""Consistent copies of SQLite files, and taking the secrets out of a copy of the bot's database (and back in).

Everything here is blocking (the sqlite3 module, file I/O): callers run it in a worker thread, never on the event
loop. The copies use SQLite's online backup API, which reads one consistent snapshot even while another connection,
such as the running bot's, keeps writing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

# Set in a copy whose secrets were taken out: the bot refuses to run on it until they are put back.
SECRETS_REMOVED_KEY = "backup.secrets_removed"


@dataclass(frozen=True, slots=True)
class DatabaseSecrets:
    """What `remove_secrets` took out of a copy: each dialogue's secret, and the key-value entries named."""

    dialogue_secrets: Mapping[int, bytes]
    state: Mapping[str, str]


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    # isolation_level=None: statements run as written, transactions are explicit.
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        yield conn
    finally:
        conn.close()


def copy_database(source: Path, destination: Path) -> None:
    """Copy the SQLite database at `source` to a new file `destination` (mode 0600), consistently while it is in use.

    The copy is a single self-contained file (rollback journal, not WAL), so it can be stored or moved alone."""
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    # Read-only: taking a backup must never change the live database (nor run anything on it).
    with _connect(source) as src, _connect(destination) as dst:
        src.execute("PRAGMA query_only = ON")
        # pages=-1: the whole database in one step, under one read transaction, so writers that commit meanwhile
        # (the running bot) are either wholly in the copy or wholly absent.
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode = DELETE")
    os.chmod(destination, 0o600)


def remove_secrets(path: Path, state_keys: tuple[str, ...], marker: str) -> DatabaseSecrets:
    """Take the dialogues' secrets and the `state_keys` entries out of the copy at `path`, and return them.

    The file is then rebuilt (VACUUM, with secure_delete), so no free page still holds the removed bytes. `marker`
    (e.g. a backup ID) is stored under SECRETS_REMOVED_KEY."""
    with _connect(path) as conn:
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("BEGIN IMMEDIATE")
        secrets = {
            int(dialogue_id): bytes(secret)
            for dialogue_id, secret in conn.execute("SELECT id, secret FROM dialogues WHERE length(secret) > 0")
        }
        placeholders = ", ".join("?" for _ in state_keys)
        state = (
            dict(conn.execute(f"SELECT key, value FROM kv WHERE key IN ({placeholders})", state_keys))
            if state_keys
            else {}
        )
        # A purged dialogue's secret is already the empty blob; the column is NOT NULL, so blank the others alike.
        conn.execute("UPDATE dialogues SET secret = zeroblob(0)")
        if state_keys:
            conn.execute(f"DELETE FROM kv WHERE key IN ({placeholders})", state_keys)
        conn.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (SECRETS_REMOVED_KEY, marker),
        )
        conn.execute("COMMIT")
        conn.execute("VACUUM")
    return DatabaseSecrets(dialogue_secrets=secrets, state=state)


def secrets_removed_marker(path: Path) -> str | None:
    """The marker `remove_secrets` left in the database at `path`, or None if its secrets are in place."""
    with _connect(path) as conn:
        row = conn.execute("SELECT value FROM kv WHERE key = ?", (SECRETS_REMOVED_KEY,)).fetchone()
    return None if row is None else str(row[0])


def reinsert_secrets(path: Path, secrets: DatabaseSecrets) -> list[int]:
    """Put what `remove_secrets` took out back into the database at `path`; returns dialogue IDs not found there."""
    with _connect(path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        missing = []
        for dialogue_id, secret in sorted(secrets.dialogue_secrets.items()):
            changed = conn.execute("UPDATE dialogues SET secret = ? WHERE id = ?", (secret, dialogue_id)).rowcount
            if changed == 0:
                missing.append(dialogue_id)
        for key, value in secrets.state.items():
            conn.execute(
                "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
        conn.execute("DELETE FROM kv WHERE key = ?", (SECRETS_REMOVED_KEY,))
        conn.execute("COMMIT")
    return missing
