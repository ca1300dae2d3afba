"""demo/runner.py without a homeserver: a step stops waiting as soon as the bot's process has exited."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

from demo.runner import Demo, DemoFailure
from devserver.bot_process import BotProcess


async def test_a_step_fails_at_once_with_the_bots_last_words_when_the_bot_exits(tmp_path):
    demo = Demo(tmp_path / "out", tmp_path, quick=True, keep=False)
    bot_dir = tmp_path / "bot"
    bot_dir.mkdir()
    demo.bot = BotProcess(user_id="@bot:test", password="", base_dir=bot_dir, config={"bot": {"data_dir": "data"}})
    demo.bot.command_prefix = [sys.executable, "-c", "raise SystemExit(4)"]
    demo.bot_log = demo.bot.log_path
    await asyncio.to_thread(demo.bot.start_sync)
    demo.bot_log.write_text("INFO starting\ndialogue-bot: login refused\n")
    never = asyncio.Event()
    started = time.monotonic()

    with pytest.raises(DemoFailure) as failure:
        await demo.step("waiting for the bot", never.wait(), timeout=30)

    assert str(failure.value) == (
        "step 1 (waiting for the bot) failed: the bot stopped with exit code 4: dialogue-bot: login refused"
    )
    assert time.monotonic() - started < 10


async def test_a_step_that_finishes_gives_its_result_and_a_timeout_says_how_long(tmp_path):
    demo = Demo(tmp_path / "out", tmp_path, quick=True, keep=False)

    async def answer() -> int:
        return 42

    assert await demo.step("answering", answer()) == 42
    with pytest.raises(DemoFailure, match=r"^step 2 \(waiting\) timed out after \d+s$"):
        await demo.step("waiting", asyncio.Event().wait(), timeout=0.1)
