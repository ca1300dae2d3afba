"""`backup` and `restore`: a consistent copy taken while the bot writes, with the secrets in a separate part."""

from __future__ import annotations

import asyncio
import base64
import json
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.backup import BackupError, create_backup, restore_backup
from bot.errors import DatabaseError
from bot.session import SESSION_KEY
from storage import Database, Room, RoomMessage
from tests.unit.fakes import make_settings

SECRET = bytes(range(7, 39))  # 32 bytes, as new_dialogue_secret makes
ACCESS_TOKEN = "syt_Ym90_UniqueAccessToken_0123456789"
SESSION = json.dumps({"user_id": "@bot:test", "device_id": "BOTDEVICE", "access_token": ACCESS_TOKEN})


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
async def data_dir(tmp_path: Path) -> Path:
    """A data directory as a running bot leaves it: a database with a dialogue and a login, a key store, a key."""
    data = tmp_path / "data"
    db = await Database.open(data / "bot.db")
    try:
        async with db.transaction() as tx:
            dialogue = await tx.dialogues.create("!room:test", "Norms", SECRET, now=1.0)
            await tx.state.set(SESSION_KEY, SESSION)
            await tx.state.set("sync_token", "s1")
        assert dialogue.id == 1
    finally:
        await db.close()
    (data / "crypto").mkdir(mode=0o700)
    with sqlite3.connect(data / "crypto" / "@bot:test_BOTDEVICE.db") as store:
        store.execute("CREATE TABLE accounts (pickle TEXT)")
        store.execute("INSERT INTO accounts VALUES ('olm-account-pickle')")
    (data / "pickle.key").write_text("the-pickle-key\n")
    return data


async def test_the_data_file_holds_no_secret_and_the_secrets_file_holds_them_all(data_dir, tmp_path):
    dest = tmp_path / "backups" / "today"

    summary = await create_backup(data_dir, dest)

    data = (dest / "bot.db").read_bytes()
    for secret in (SECRET, SECRET.hex().encode(), base64.b64encode(SECRET), ACCESS_TOKEN.encode(), b"BOTDEVICE"):
        assert secret not in data, secret
    assert not (dest / "bot.db-wal").exists(), "the data part is one self-contained file"
    payload = json.loads((dest / "secrets" / "secrets.json").read_text())
    assert base64.b64decode(payload["dialogue_secrets"]["1"]) == SECRET
    assert json.loads(payload["state"][SESSION_KEY])["access_token"] == ACCESS_TOKEN
    assert (dest / "secrets" / "pickle.key").read_text() == "the-pickle-key\n"
    with sqlite3.connect(dest / "secrets" / "crypto" / "@bot:test_BOTDEVICE.db") as store:
        assert store.execute("SELECT pickle FROM accounts").fetchall() == [("olm-account-pickle",)]
    assert (summary.dialogue_secrets, summary.session, summary.pickle_key, summary.crypto_files) == (1, True, True, 1)


async def test_every_file_of_the_backup_is_0600_and_every_folder_0700(data_dir, tmp_path):
    dest = tmp_path / "backup"
    await create_backup(data_dir, dest)

    assert mode(dest / "secrets" / "secrets.json") == 0o600
    assert mode(dest / "secrets") == 0o700
    for path in [dest, *dest.rglob("*")]:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


async def test_the_backup_is_consistent_while_the_bot_keeps_writing(data_dir, tmp_path):
    """Each write adds an outbox row and records the count in one transaction: a torn copy would disagree."""
    db = await Database.open(data_dir / "bot.db")
    stop = asyncio.Event()
    started = committed = 0  # writes begun / writes whose transaction has committed
    warmed_up = asyncio.Event()  # enough pages that copying takes a while

    async def writer() -> None:
        nonlocal started, committed
        while not stop.is_set():
            started += 1
            async with db.transaction() as tx:
                await tx.outbox.enqueue(Room("!room:test"), RoomMessage({"body": "x" * 2000}), now=1.0)
                await tx.state.set("writes", str(started))
            committed = started
            if committed >= 200:
                warmed_up.set()
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    try:
        await asyncio.wait_for(warmed_up.wait(), timeout=30)
        copies = []
        for index in range(3):
            before = committed
            await create_backup(data_dir, tmp_path / f"backup{index}")
            copies.append((before, started))
    finally:
        stop.set()
        await task
        await db.close()

    assert any(after > before for before, after in copies), "the writer must have kept writing during a backup"
    for index, (before, after) in enumerate(copies):
        with sqlite3.connect(tmp_path / f"backup{index}" / "bot.db") as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            rows = copy.execute("SELECT count(*) FROM outbox").fetchone()[0]
            recorded = int(copy.execute("SELECT value FROM kv WHERE key = 'writes'").fetchone()[0])
        # Whole transactions only: what was committed before the backup began, and nothing not yet begun after.
        assert rows == recorded and before <= rows <= after


async def test_a_restored_backup_opens_with_its_dialogues_secrets_and_login_in_place(data_dir, tmp_path):
    dest = tmp_path / "backup"
    await create_backup(data_dir, dest)
    moved_secrets = tmp_path / "elsewhere" / "secrets"
    moved_secrets.parent.mkdir()
    (dest / "secrets").rename(moved_secrets)  # the operator keeps the two parts apart
    restored = tmp_path / "restored"

    assert await restore_backup(dest, moved_secrets, restored) == 1

    db = await Database.open(restored / "bot.db")
    try:
        async with db.transaction() as tx:
            dialogue = await tx.dialogues.get(1)
            assert dialogue is not None and dialogue.secret == SECRET and dialogue.title == "Norms"
            assert await tx.state.get(SESSION_KEY) == SESSION
            assert await tx.state.get("sync_token") == "s1"
            assert await tx.state.get("backup.secrets_removed") is None
    finally:
        await db.close()
    assert (restored / "pickle.key").read_text() == "the-pickle-key\n"
    assert (restored / "crypto" / "@bot:test_BOTDEVICE.db").is_file()
    for path in [restored, *restored.rglob("*")]:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


async def test_the_bot_refuses_to_run_on_a_backups_database_without_its_secrets(data_dir, tmp_path):
    await create_backup(data_dir, tmp_path / "backup")
    stripped = tmp_path / "stripped"
    stripped.mkdir()
    (tmp_path / "backup" / "bot.db").rename(stripped / "bot.db")

    with pytest.raises(DatabaseError, match="dialogue-bot restore"):
        await BotApp(make_settings(stripped)).run()


async def test_a_backup_never_overwrites_and_a_restore_never_replaces_a_database(data_dir, tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(BackupError, match="new folder"):
        await create_backup(data_dir, tmp_path / "taken")
    await create_backup(data_dir, tmp_path / "backup")
    with pytest.raises(BackupError, match="move that data directory aside"):
        await restore_backup(tmp_path / "backup", tmp_path / "backup" / "secrets", data_dir)


async def test_secrets_from_another_backup_are_refused(data_dir, tmp_path):
    await create_backup(data_dir, tmp_path / "one")
    await create_backup(data_dir, tmp_path / "two")
    with pytest.raises(BackupError, match="another backup"):
        await restore_backup(tmp_path / "one", tmp_path / "two" / "secrets", tmp_path / "restored")
    assert not (tmp_path / "restored" / "bot.db").exists()
