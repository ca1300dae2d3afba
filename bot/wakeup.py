"""Waiting for "there is new work" or a deadline, whichever comes first."""

from __future__ import annotations

import asyncio
import contextlib


async def wait_for_wakeup(wake: asyncio.Event, seconds: float | None) -> None:
    """Return when `wake` is set, or after `seconds` (never, if None).

    `asyncio.timeout`, not `asyncio.wait_for`: on Python 3.11 the latter loses a cancellation that arrives in the
    same loop turn as the wake-up (CPython gh-86296), and a loop built on it then never stops."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await wake.wait()
