"""A stop that arrives in the same moment as the thing a task was waiting for still stops it.

Python 3.11's `asyncio.wait_for` returns the result when the awaited future finishes in the same loop turn as the
cancellation of the waiting task, and the cancellation is lost (CPython gh-86296, fixed in 3.12). In a `while True`
loop that means a task that never ends, and a bot that does not exit on SIGTERM: seen once in CI, where the processor
was woken by a new event just as the stop came.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

import bot.app as app_module
from bot.app import BotApp
from bot.room_state import RoomDirectory
from bot.sync_loop import SyncLoop
from bot.undecrypted import UndecryptedEvents
from bot.wakeup import wait_for_wakeup
from config import Settings
from storage import Database
from tests.unit.fakes import BOT_ID


async def _started(coroutine) -> asyncio.Task:  # type: ignore[no-untyped-def]
    task = asyncio.create_task(coroutine)
    await asyncio.sleep(0)  # one loop turn (not a timed wait): the task is now parked on what it awaits
    return task


async def test_a_wakeup_and_a_cancel_in_the_same_turn_still_cancel():
    wake = asyncio.Event()
    waiting = await _started(wait_for_wakeup(wake, 60))

    wake.set()
    waiting.cancel()

    with pytest.raises(asyncio.CancelledError):
        await waiting


class AnsweringOnCueClient:
    """A client whose sync answers exactly when the test says so."""

    olm = None
    user_id = BOT_ID

    def __init__(self) -> None:
        self.answer: asyncio.Future[object] = asyncio.get_running_loop().create_future()

    async def sync(self, **_: object) -> object:
        return await self.answer


async def test_a_sync_answer_and_a_cancel_in_the_same_turn_still_cancel(tmp_path):
    settings = Settings.model_validate(
        {
            "matrix": {"homeserver": "http://127.0.0.1:1", "user_id": BOT_ID, "password": "secret"},
            "bot": {"data_dir": tmp_path},
        }
    )
    client = AnsweringOnCueClient()
    async with await Database.open(tmp_path / "bot.db") as db:
        undecrypted = UndecryptedEvents(client, db, settings, on_decrypted=lambda: None, on_outbox_changed=lambda: None)  # type: ignore[arg-type]
        loop = SyncLoop(client, db, settings, RoomDirectory(), on_new_events=lambda: None, undecrypted=undecrypted)  # type: ignore[arg-type]
        syncing = await _started(loop._sync_with_watchdog(None, full_state=False))

        client.answer.set_result("a response")
        syncing.cancel()

        with pytest.raises(asyncio.CancelledError):
            await syncing


async def test_a_background_task_that_swallows_its_cancellation_is_cancelled_again(monkeypatch, caplog):
    monkeypatch.setattr(app_module, "CANCEL_RETRY_SECONDS", 0.01)
    cancellations = 0

    async def swallows_the_first_cancellation() -> None:
        nonlocal cancellations
        while True:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancellations += 1
                if cancellations > 1:
                    raise

    task = await _started(swallows_the_first_cancellation())
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        await BotApp._cancel(task)

    assert task.cancelled()
    assert cancellations == 2
    assert [record.getMessage() for record in caplog.records] == ["task ignored its cancellation; cancelling again"]
