"""The lifespan's stop path runs however the start ends: a scheduler that fails to start leaves no task behind."""

from __future__ import annotations

import asyncio

import pytest

import bot.app as app_module
from bot.app import BotApp
from config import Settings
from storage import Database
from tests.unit.fakes import BOT_ID


class IdleClient:
    """Just what `_serve` reads from the client before the tasks run; the tasks themselves are replaced."""

    olm = None
    user_id = BOT_ID
    device_id = "DEVICE"


async def _forever(self: object) -> None:
    await asyncio.Event().wait()


async def test_a_scheduler_that_fails_to_start_still_cancels_every_background_task(tmp_path, monkeypatch):
    for owner in (app_module.SyncLoop, app_module.InboxProcessor, app_module.OutboxSender, app_module.Pruner):
        monkeypatch.setattr(owner, "run", _forever)
    monkeypatch.setattr(app_module.DiskSpace, "run", _forever)

    async def failing_start(self: object) -> None:
        raise RuntimeError("the scheduler could not read the agenda")

    monkeypatch.setattr(app_module.ScheduleRunner, "start", failing_start)
    settings = Settings.model_validate(
        {
            "matrix": {"homeserver": "http://127.0.0.1:1", "user_id": BOT_ID, "password": "secret"},
            "bot": {"data_dir": tmp_path},
        }
    )
    app = BotApp(settings)
    async with await Database.open(tmp_path / "bot.db") as db:
        with pytest.raises(RuntimeError, match="could not read the agenda"):
            await app._serve(IdleClient(), db)  # type: ignore[arg-type]  # a stand-in for nio's AsyncClient

    assert app._tasks, "the background tasks were started"
    assert all(task.cancelled() for task in app._tasks)
