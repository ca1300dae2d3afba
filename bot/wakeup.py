"""Waiting for "there is new work" or a deadline, whichever comes first."""

from __future__ import annotations

import asyncio
import contextlib


async def wait_for_wakeup(wake: asyncio.Event, seconds: float | None) -> None:
    """Return when `wake` is set, or after `seconds` (never, if None)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), seconds)
