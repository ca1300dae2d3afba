"""Fixtures the unit tests share."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh, migrated database in the test's own folder, closed afterwards."""
    database = await Database.open(tmp_path / "bot.db")
    yield database
    await database.close()


@pytest.fixture
def keep_process_state() -> Iterator[None]:
    """`main` restricts the umask and sets up logging, as the operator's command should; the test process gets its
    own back."""
    umask = os.umask(0o022)
    os.umask(umask)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    os.umask(umask)
    root.handlers[:] = handlers
    root.setLevel(level)
