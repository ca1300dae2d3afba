"""A damaged bot.db, or a file that is not a database at all, through the real `dialogue-bot run`: one clear error
line naming the file and `restore`, exit 6, and no restart loop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot import exit_codes
from storage import Database

pytestmark = pytest.mark.integration


async def build_database(path: Path, rows: int = 400) -> None:
    """A real bot.db made through storage, big enough to have pages in the middle to damage."""
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            for number in range(rows):
                await tx.state.set(f"filler.{number}", "x" * 200)
    finally:
        await db.close()


def damage_middle_pages(path: Path) -> None:
    page_size = int.from_bytes(path.read_bytes()[16:18], "big") or 65536
    pages = path.stat().st_size // page_size
    assert pages >= 6, f"only {pages} pages: too small to damage the middle"
    with open(path, "r+b") as fh:
        for page in range(pages // 3, pages // 3 + 3):
            fh.seek(page * page_size)
            fh.write(os.urandom(page_size))


def error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.split(" ")[1:2] in (["ERROR"], ["CRITICAL"])]


@pytest.mark.parametrize("damage", ["garbage pages in the middle", "not a database at all"])
async def test_a_corrupt_database_stops_the_bot_with_one_error_and_exit_6(bot_factory, damage):
    bot = await bot_factory(start=False, encryption=False)
    db_path = bot.data_dir / "bot.db"
    if damage == "not a database at all":
        db_path.write_bytes(b"These are the minutes of a meeting, not a database.\n" * 200)
    else:
        await build_database(db_path)
        damage_middle_pages(db_path)

    await bot.start()
    code = await bot.wait_exit(timeout=60)

    assert code == exit_codes.DATABASE == 6, bot.log_tail()
    assert bot.starts == 1
    log = bot.log_text()
    errors = error_lines(log)
    assert len(errors) == 1, errors
    assert str(db_path) in errors[0] and "restore" in errors[0], errors[0]
    assert "Traceback" not in log
