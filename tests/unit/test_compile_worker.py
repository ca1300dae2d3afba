"""The compile's child process (bot/compile_worker.py): same document as in-process, gone when idle or cancelled."""

from __future__ import annotations

import asyncio
import os

import pytest

from bot.compile_worker import CompileWorker
from config import SynopsisSettings
from handlers.slow_work import CompileSynopsis, compile_and_render
from synopsis.model import ChallengeInput, ContributionInput, DialogueInput, SynopsisInput


def request(count: int = 6) -> CompileSynopsis:
    texts = ["Transfers through States parties must be challenged.", "Survivors need victim assistance funding."]
    data = SynopsisInput(
        dialogue=DialogueInput("Dialogue", 1_796_000_000.0, None, 1, "Europe/Zurich"),
        challenges=(ChallengeInput(1, "Transfers", "What do transfers mean?"),),
        contributions=tuple(
            ContributionInput(f"c{n}", 1, texts[n % 2], f"p{n % 3}", frozenset(), 1_796_000_000.0 + n)
            for n in range(count)
        ),
        categories={},
        k=3,
    )
    return CompileSynopsis(data, SynopsisSettings(), ("md",))


async def test_the_child_renders_what_the_bot_would_have_rendered_itself() -> None:
    worker = CompileWorker()
    try:
        compiled = await worker.compile(request())
    finally:
        await worker.close()
    assert compiled.rendered == compile_and_render(request()).rendered


async def test_an_idle_child_exits_and_the_next_compile_starts_another() -> None:
    worker = CompileWorker(idle_seconds=0.5)
    try:
        await worker.compile(request())
        first = worker.child_pid
        assert first is not None
        await worker.wait_child_exit()
        assert worker.child_pid is None
        again = await worker.compile(request())
        assert worker.child_pid not in (None, first)
    finally:
        await worker.close()
    assert again.rendered == compile_and_render(request()).rendered


async def test_a_cancelled_compile_kills_its_child() -> None:
    worker = CompileWorker()
    try:
        await worker.warm()
        job = asyncio.create_task(worker.compile(request(4_000)))
        for _ in range(500):  # until the request is with the child: the worker offers no event for it
            if worker.asking:
                break
            await asyncio.sleep(0.01)
        assert worker.asking
        pid = worker.child_pid
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)
        assert job.cancelled()
        assert worker.child_pid is None
        assert pid is not None
        with pytest.raises(ProcessLookupError):  # killed and reaped
            os.kill(pid, 0)
    finally:
        await worker.close()
