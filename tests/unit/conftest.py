"""Fixtures the unit tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh, migrated database in the test's own folder, closed afterwards."""
    database = await Database.open(tmp_path / "bot.db")
    yield database
    await database.close()
