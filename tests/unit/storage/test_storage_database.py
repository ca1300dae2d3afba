"""Opening the database file, connection settings, and transaction behaviour (the last on both backends)."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from pathlib import Path

import pytest

from storage import Database, StorageError, Transaction
from tests.support.postgres import open_database


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_database_file_is_readable_only_by_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    db = await Database.open(path)
    try:
        assert _mode(path) == 0o600
    finally:
        await db.close()


async def test_the_wal_file_gets_the_same_private_mode(tmp_path: Path, sqlite_db: Database) -> None:
    async with sqlite_db.transaction() as tx:
        await tx.state.set("k", "v")
    wal = tmp_path / "bot.db-wal"
    assert wal.exists()
    assert _mode(wal) == 0o600


async def test_missing_parent_directories_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "bot.db"
    db = await Database.open(path)
    await db.close()
    assert path.is_file()


async def test_the_database_uses_wal_journaling(tmp_path: Path, sqlite_db: Database) -> None:
    with sqlite3.connect(tmp_path / "bot.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_the_connection_pragmas_are_set(sqlite_db: Database) -> None:
    conn = sqlite_db._conn
    assert conn is not None
    pragmas = {}
    for name in ("foreign_keys", "busy_timeout", "synchronous"):
        async with conn.execute(f"PRAGMA {name}") as cursor:
            pragmas[name] = (await cursor.fetchone())[0]
    assert pragmas == {"foreign_keys": 1, "busy_timeout": 5000, "synchronous": 1}  # 1 = NORMAL


async def test_a_file_that_is_not_a_database_is_refused_with_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    path.write_bytes(b"this is not an sqlite file, just some bytes " * 100)
    with pytest.raises(StorageError):
        await Database.open(path)


async def test_a_committed_transaction_is_visible_after_reopening(storage_location: Path | str) -> None:
    db = await open_database(storage_location)
    async with db.transaction() as tx:
        await tx.state.set("sync_token", "s123")
    await db.close()

    db = await open_database(storage_location)
    async with db.transaction() as tx:
        assert await tx.state.get("sync_token") == "s123"
    await db.close()


async def test_a_transaction_rolls_back_and_reraises_when_its_block_raises(db: Database) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with db.transaction() as tx:
            await tx.state.set("k", "written")
            raise Boom
    async with db.transaction() as tx:
        assert await tx.state.get("k") is None


async def test_a_transaction_exposes_every_repository(db: Database) -> None:
    async with db.transaction() as tx:
        assert isinstance(tx, Transaction)
        for name in ("inbox", "outbox", "rooms", "state"):
            assert getattr(tx, name) is not None


async def test_a_repository_kept_after_its_transaction_refuses_to_run(db: Database) -> None:
    async with db.transaction() as tx:
        state = tx.state
    with pytest.raises(StorageError, match="already ended"):
        await state.get("k")


async def test_a_nested_transaction_in_the_same_task_fails_instead_of_hanging(db: Database) -> None:
    async with db.transaction():
        with pytest.raises(StorageError, match="nested"):
            async with db.transaction():
                pass


async def test_concurrent_transactions_from_two_tasks_are_serialized(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.state.set("counter", "0")

    async def increment(times: int) -> None:
        for _ in range(times):
            async with db.transaction() as tx:
                value = int(await tx.state.get("counter") or "0")
                await asyncio.sleep(0)  # give the other task every chance to interleave
                await tx.state.set("counter", str(value + 1))

    await asyncio.gather(increment(25), increment(25))

    async with db.transaction() as tx:
        assert await tx.state.get("counter") == "50"


async def test_a_transaction_after_close_raises_a_storage_error(storage_location: Path | str) -> None:
    db = await open_database(storage_location)
    await db.close()
    with pytest.raises(StorageError, match="closed"):
        async with db.transaction():
            pass


async def test_closing_twice_is_harmless(storage_location: Path | str) -> None:
    db = await open_database(storage_location)
    await db.close()
    await db.close()
