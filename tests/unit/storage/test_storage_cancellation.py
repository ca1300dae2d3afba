"""A task cancelled in the middle of a transaction (as at shutdown) must leave the database usable and unchanged."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.postgres import open_database


@pytest.mark.parametrize("yields_before_cancel", range(8))
async def test_cancelling_a_task_anywhere_in_a_transaction_leaves_no_transaction_open(
    storage_location, yields_before_cancel
):
    db = await open_database(storage_location)
    entered = asyncio.Event()

    async def write_then_wait() -> None:
        async with db.transaction() as tx:
            await tx.state.set("half-done", "yes")
            entered.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(write_then_wait())
    for _ in range(yields_before_cancel):
        await asyncio.sleep(0)
    task.cancel()
    async with asyncio.timeout(10):
        await asyncio.wait([task])

    # Before the fix, an abandoned BEGIN left the connection inside a transaction and this hung or failed.
    async with asyncio.timeout(10):
        async with db.transaction() as tx:
            await tx.state.set("after", "ok")
            assert await tx.state.get("half-done") is None
        async with db.transaction() as tx:
            assert await tx.state.get("after") == "ok"
        await db.close()
