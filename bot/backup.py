"""`dialogue-bot backup DEST` and `dialogue-bot restore BACKUP`: the data and the secrets, kept apart.

A backup folder holds two parts an operator can store in different places:

    DEST/bot.db                 the database, without the dialogues' secrets and without the bot's login
    DEST/secrets/secrets.json   the dialogues' secrets and the login (user ID, device ID, access token)
    DEST/secrets/pickle.key     the key that encrypts the end-to-end encryption store
    DEST/secrets/crypto/        the end-to-end encryption store (the device's and the rooms' keys)

Everything is 0600 (files) and 0700 (folders). The backup is taken while the bot runs: SQLite's online backup API
copies one consistent snapshot. The copy of `bot.db` alone still gives the synopsis (`dialogue-bot synopsis`), but
the bot refuses to run on it until `restore` has put the secrets back. All file work runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from secrets import token_hex
from typing import Any

from bot.errors import BotError
from bot.exit_codes import USAGE
from bot.file_modes import make_private_dir, secure_data_dir, write_private_file
from bot.session import CRYPTO_DIR, PICKLE_KEY_FILE, SESSION_KEY
from storage.backup import DatabaseSecrets, copy_database, reinsert_secrets, remove_secrets, secrets_removed_marker

DATABASE_FILE = "bot.db"
SECRETS_DIR = "secrets"
SECRETS_FILE = "secrets.json"
FORMAT = 1
# SQLite's side files: the backup API reads through them, so they are never copied themselves.
_SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


class BackupError(BotError):
    """A backup or restore that cannot be done as asked (the message says why and what to do)."""

    exit_code = USAGE


@dataclass(frozen=True, slots=True)
class BackupSummary:
    database: Path
    secrets_dir: Path
    dialogue_secrets: int
    session: bool
    pickle_key: bool
    crypto_files: int


async def create_backup(data_dir: Path, dest: Path) -> BackupSummary:
    """Back up `data_dir` (the bot may be running) into the new folder `dest`."""
    return await asyncio.to_thread(_create_backup, data_dir, dest)


async def restore_backup(backup: Path, secrets_dir: Path, data_dir: Path) -> int:
    """Rebuild `data_dir` (which must hold no database yet) from a backup; returns the dialogues whose secret
    was put back. The bot must be stopped."""
    return await asyncio.to_thread(_restore_backup, backup, secrets_dir, data_dir)


def _create_backup(data_dir: Path, dest: Path) -> BackupSummary:
    source = data_dir / DATABASE_FILE
    if not source.is_file():
        raise BackupError(f"there is no database at {source}: check bot.data_dir")
    if dest.exists():
        raise BackupError(f"{dest} exists; give the name of a new folder")
    dest.parent.mkdir(parents=True, exist_ok=True)
    make_private_dir(dest)
    try:
        database = dest / DATABASE_FILE
        copy_database(source, database)
        backup_id = token_hex(8)
        removed = remove_secrets(database, (SESSION_KEY,), marker=backup_id)
        secrets_dir = dest / SECRETS_DIR
        make_private_dir(secrets_dir)
        write_private_file(secrets_dir / SECRETS_FILE, _secrets_json(backup_id, removed))
        pickle_key = data_dir / PICKLE_KEY_FILE
        has_pickle_key = pickle_key.is_file()
        if has_pickle_key:
            write_private_file(secrets_dir / PICKLE_KEY_FILE, pickle_key.read_bytes())
        crypto_files = _copy_store(data_dir / CRYPTO_DIR, secrets_dir / CRYPTO_DIR)
        secure_data_dir(dest)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)  # a half-made backup must not pass for a whole one
        raise
    return BackupSummary(
        database=database,
        secrets_dir=secrets_dir,
        dialogue_secrets=len(removed.dialogue_secrets),
        session=SESSION_KEY in removed.state,
        pickle_key=has_pickle_key,
        crypto_files=crypto_files,
    )


def _secrets_json(backup_id: str, removed: DatabaseSecrets) -> bytes:
    payload: dict[str, Any] = {
        "format": FORMAT,
        "backup_id": backup_id,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "dialogue_secrets": {
            str(dialogue_id): base64.b64encode(secret).decode()
            for dialogue_id, secret in removed.dialogue_secrets.items()
        },
        "state": dict(removed.state),
    }
    return (json.dumps(payload, indent=2, sort_keys=True) + "\n").encode()


def _read_secrets(path: Path) -> tuple[str, DatabaseSecrets]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"no {SECRETS_FILE} at {path}: give the secrets folder with --secrets") from None
    if payload.get("format") != FORMAT:
        raise BackupError(f"{path} is not a secrets file this release can read (format {payload.get('format')!r})")
    secrets = DatabaseSecrets(
        dialogue_secrets={int(key): base64.b64decode(value) for key, value in payload["dialogue_secrets"].items()},
        state={str(key): str(value) for key, value in payload["state"].items()},
    )
    return str(payload["backup_id"]), secrets


def _copy_store(source: Path, dest: Path) -> int:
    """Copy nio's key store: SQLite files through the backup API (nio may be writing), anything else as bytes."""
    if not source.is_dir():
        return 0
    make_private_dir(dest)
    copied = 0
    for path in sorted(source.iterdir()):
        if path.is_symlink() or path.name.endswith(_SQLITE_SIDE_FILES):
            continue
        if path.is_dir():
            copied += _copy_store(path, dest / path.name)
        elif path.suffix == ".db":
            copy_database(path, dest / path.name)
            copied += 1
        elif path.is_file():
            write_private_file(dest / path.name, path.read_bytes())
            copied += 1
    return copied


def _restore_backup(backup: Path, secrets_dir: Path, data_dir: Path) -> int:
    source = backup / DATABASE_FILE
    if not source.is_file():
        raise BackupError(f"no {DATABASE_FILE} in {backup}")
    existing = [name for name in (DATABASE_FILE, PICKLE_KEY_FILE, CRYPTO_DIR) if (data_dir / name).exists()]
    if existing:
        raise BackupError(
            f"{data_dir} already holds {', '.join(existing)}: stop the bot and move that data directory aside first"
        )
    backup_id, secrets = _read_secrets(secrets_dir / SECRETS_FILE)
    if secrets_removed_marker(source) != backup_id:
        raise BackupError(f"the secrets in {secrets_dir} belong to another backup than {source}")
    make_private_dir(data_dir)
    # Build the database under a temporary name: `bot.db` appears only once it is whole, secrets included.
    staging = data_dir / f".{DATABASE_FILE}.restoring"
    staging.unlink(missing_ok=True)
    try:
        copy_database(source, staging)
        missing = reinsert_secrets(staging, secrets)
        if missing:
            raise BackupError(f"the backup's database has no dialogue(s) {missing} that the secrets file names")
        staging.replace(data_dir / DATABASE_FILE)
    finally:
        staging.unlink(missing_ok=True)
    if (secrets_dir / PICKLE_KEY_FILE).is_file():
        write_private_file(data_dir / PICKLE_KEY_FILE, (secrets_dir / PICKLE_KEY_FILE).read_bytes())
    _copy_store(secrets_dir / CRYPTO_DIR, data_dir / CRYPTO_DIR)
    secure_data_dir(data_dir)
    return len(secrets.dialogue_secrets)
