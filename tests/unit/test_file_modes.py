"""Everything under bot.data_dir is private to the bot's user (files 0600, folders 0700), whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from nio import AsyncClient, AsyncClientConfig

from bot.file_modes import secure_data_dir
from bot.session import prepare_data_dir, read_or_create_pickle_key
from storage import Database


@pytest.fixture
def permissive_umask():
    """A umask that would leave new files world-writable: the code must not rely on the operator's umask."""
    previous = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_data_dir_and_crypto_folder_are_0700(tmp_path, permissive_umask):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o777)

    crypto = await prepare_data_dir(data_dir)

    assert mode(data_dir) == 0o700 and mode(crypto) == 0o700


async def test_the_database_and_its_wal_and_shm_files_are_0600(tmp_path, permissive_umask):
    db = await Database.open(tmp_path / "bot.db")
    try:
        async with db.transaction() as tx:
            await tx.state.set("k", "v")  # a write, so the WAL and shared-memory files exist
        for name in ("bot.db", "bot.db-wal", "bot.db-shm"):
            assert mode(tmp_path / name) == 0o600, name
    finally:
        await db.close()


def test_a_new_pickle_key_is_0600_written_whole_and_fsynced_with_its_folder(tmp_path, permissive_umask, monkeypatch):
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    path = tmp_path / "pickle.key"

    key = read_or_create_pickle_key(path)

    assert mode(path) == 0o600
    assert path.read_text().strip() == key and len(key) >= 40
    assert synced == ["file", "dir"], "the key's bytes, then its directory entry, must reach the disk"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pickle.key"], "no temporary file may be left behind"
    assert read_or_create_pickle_key(path) == key


def test_an_existing_pickle_key_is_read_back_and_its_mode_tightened(tmp_path, permissive_umask):
    path = tmp_path / "pickle.key"
    path.write_text("existing-key\n")
    path.chmod(0o644)

    assert read_or_create_pickle_key(path) == "existing-key"
    assert mode(path) == 0o600


def test_secure_data_dir_makes_every_file_0600_and_every_folder_0700(tmp_path, permissive_umask):
    (tmp_path / "crypto" / "nested").mkdir(parents=True, mode=0o777)
    for name in ("bot.db", "crypto/store.db", "crypto/nested/x"):
        (tmp_path / name).write_text("x")
        (tmp_path / name).chmod(0o666)
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.write_text("not ours to change")
    outside.chmod(0o644)
    (tmp_path / "link").symlink_to(outside)

    secure_data_dir(tmp_path)

    assert mode(tmp_path) == 0o700
    for folder in ("crypto", "crypto/nested"):
        assert mode(tmp_path / folder) == 0o700, folder
    for name in ("bot.db", "crypto/store.db", "crypto/nested/x"):
        assert mode(tmp_path / name) == 0o600, name
    assert mode(outside) == 0o644, "a symbolic link must not be followed"


async def test_nios_crypto_store_is_made_0600_once_secured(tmp_path, permissive_umask):
    crypto = await prepare_data_dir(tmp_path)
    client = AsyncClient(
        "http://127.0.0.1:1",
        "@bot:test",
        store_path=str(crypto),
        config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False, pickle_key="k" * 43),
    )
    try:
        client.restore_login("@bot:test", "DEVICE", "token")  # nio creates its SQLite store here
        created = [path for path in crypto.rglob("*") if path.is_file()]
        assert created, "nio should have created its store"

        secure_data_dir(tmp_path)

        for path in created:
            assert mode(path) == 0o600, path.name
    finally:
        await client.close()
