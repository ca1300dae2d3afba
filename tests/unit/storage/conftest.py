"""The storage suite runs on both backends: every test here that takes ``db`` runs once on a SQLite file and once on
a PostgreSQL schema (see tests/support/postgres.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Database
from tests.support.postgres import open_database


@pytest.fixture
async def db(storage_location: Path | str) -> AsyncIterator[Database]:
    """A fresh, migrated database on each backend in turn, closed afterwards."""
    database = await open_database(storage_location)
    yield database
    await database.close()


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    """For what only a SQLite file has: its journal mode, pragmas and -wal file."""
    database = await Database.open(tmp_path / "bot.db")
    yield database
    await database.close()
