"""The sync watchdog: a sync the homeserver never answers (a blocked port) is abandoned, logged and retried."""

from __future__ import annotations

import asyncio
import logging

from bot.room_state import RoomDirectory
from bot.sync_loop import SyncLoop
from bot.undecrypted import UndecryptedEvents
from config import Settings
from tests.unit.fakes import BOT_ID


class NeverAnsweringClient:
    """A client whose every sync hangs, as one does behind a port that accepts connections and never answers."""

    olm = None
    user_id = BOT_ID

    def __init__(self) -> None:
        self.sync_calls = 0
        self.second_call = asyncio.Event()

    async def sync(self, **_: object) -> None:
        self.sync_calls += 1
        if self.sync_calls >= 2:
            self.second_call.set()
        await asyncio.Event().wait()


def settings(tmp_path) -> Settings:
    return Settings.model_validate(
        {
            "matrix": {
                "homeserver": "http://127.0.0.1:1",
                "user_id": BOT_ID,
                "password": "secret",
                "request_timeout_seconds": 0.3,
                "retry_max_seconds": 0.1,
            },
            "bot": {"data_dir": tmp_path},
        }
    )


async def test_a_first_sync_that_never_answers_is_abandoned_logged_and_retried(db, tmp_path, caplog):
    client = NeverAnsweringClient()
    configured = settings(tmp_path)
    undecrypted = UndecryptedEvents(client, db, configured, on_decrypted=lambda: None, on_outbox_changed=lambda: None)  # type: ignore[arg-type]
    loop = SyncLoop(client, db, configured, RoomDirectory(), on_new_events=lambda: None, undecrypted=undecrypted)  # type: ignore[arg-type]

    with caplog.at_level(logging.INFO, logger="bot"):
        task = asyncio.create_task(loop.run())
        try:
            await asyncio.wait_for(client.second_call.wait(), timeout=30)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    lines = [record for record in caplog.records if record.getMessage().startswith("sync did not answer within")]
    assert lines, [record.getMessage() for record in caplog.records]
    assert lines[0].levelno == logging.WARNING
    assert not loop.first_sync_done.is_set()
