"""The running bot prunes what it no longer needs, and keeps working.

Rows are made old by writing them through the storage layer with an old clock while the bot is stopped (a bot cannot
be made to wait days); the bot then starts with a short retention, and the database is read after its pruning run.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from demo.events import is_reply_from
from devserver.bot_process import BotProcess
from storage import Database, NewInboxEvent, Room, RoomMessage
from tests.integration.helpers import invite_bot_and_wait

pytestmark = pytest.mark.integration

DAY = 24 * 3600.0
PRUNE_LOG_LINE = "pruned old rows"


def column_values(data_dir: Path, table: str, column: str) -> set[str]:
    with closing(sqlite3.connect(data_dir / "bot.db")) as db:
        return {str(row[0]) for row in db.execute(f"SELECT {column} FROM {table}")}


async def wait_for_log_count(bot: BotProcess, text: str, count: int, timeout: float = 120) -> None:  # noqa: ASYNC109
    """Wait until ``text`` appears ``count`` times in the bot's log (a condition, polled; not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while bot.log_text().count(text) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} did not appear {count} times within {timeout}s\n{bot.log_tail()}")
        if not bot.is_running():
            raise AssertionError(f"the bot exited while waiting for {text!r}\n{bot.log_tail()}")
        await asyncio.sleep(0.2)


async def write_old_rows(data_dir: Path, room_id: str, now: float) -> tuple[str, str]:
    """A handled event and a sent reply from 3 days ago, a tombstone from 8 days ago and a confirmation that expired,
    as the bot would have left them; returns the event ID and the reply's transaction ID."""
    db = await Database.open(data_dir / "bot.db")
    try:
        async with db.transaction() as tx:
            source = {"event_id": "$handled-long-ago", "sender": "@someone:localhost", "type": "m.room.message"}
            await tx.inbox.add([NewInboxEvent("$handled-long-ago", room_id, source)], now=now - 3 * DAY)
            await tx.inbox.mark_done("$handled-long-ago")
            txn_id = await tx.outbox.enqueue(Room(room_id), RoomMessage({"body": "old reply"}), now=now - 3 * DAY)
            await tx.outbox.mark_sent(txn_id, "$old-reply", now=now - 3 * DAY)
            await tx.contributions.tombstone(
                "$never-came", now - 8 * DAY, room_id=room_id, redactor_key="k", by_moderator=False
            )
            await tx.confirmations.request(room_id, "k", "purge", expires_at=now - 3 * DAY)
    finally:
        await db.close()
    return "$handled-long-ago", txn_id


async def test_the_running_bot_prunes_expired_rows_and_keeps_recent_ones(make_user, bot_factory):
    # The old rows are written before the bot's first start, as they would be: the inbox fills in time order.
    bot = await bot_factory(start=False, encryption=False, extra_config={"bot": {"retention_days": 2}})
    old_event, old_txn = await write_old_rows(bot.data_dir, "!old-room:localhost", now=time.time())
    await bot.start()
    await wait_for_log_count(bot, PRUNE_LOG_LINE, 1)
    # The run at start removes the old reply, tombstone and confirmation. It keeps the old event ID: nothing newer has
    # been received yet, and the bot may have been down since (see bot/pruner.py), so nothing is known to be past it.
    assert "inbox=0 outbox=1 tombstones=1 confirmations=1" in bot.log_text()
    assert old_event in column_values(bot.data_dir, "inbox", "event_id")
    assert old_txn not in column_values(bot.data_dir, "outbox", "txn_id")
    assert column_values(bot.data_dir, "tombstones", "event_id") == set()
    assert column_values(bot.data_dir, "confirmations", "member_key") == set()

    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=False)
    await invite_bot_and_wait(moderator, room, bot.user_id)
    recent = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, recent), timeout=60)
    assert await bot.stop() == 0
    recent_txns = column_values(bot.data_dir, "outbox", "txn_id")
    assert recent_txns

    await bot.start()
    await wait_for_log_count(bot, PRUNE_LOG_LINE, 2)

    # Now events newer than the old one have arrived: its ID goes, the recent ones stay.
    assert "inbox=1 outbox=0 tombstones=0 confirmations=0" in bot.log_text()
    inbox = column_values(bot.data_dir, "inbox", "event_id")
    assert old_event not in inbox
    assert recent in inbox
    assert recent_txns <= column_values(bot.data_dir, "outbox", "txn_id")

    after = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, after), timeout=60)
    assert await bot.stop() == 0
