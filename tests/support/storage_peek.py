"""Reading a test database's rows directly, on either backend, to check what the storage API does not return."""

from __future__ import annotations

from typing import Any

from storage import Database


async def peek(db: Database, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every row ``sql`` (``?`` placeholders) yields, as plain tuples, read in a transaction of ``db`` itself."""
    async with db.transaction() as tx:
        rows = await tx.inbox._session.fetchall(sql, params)  # the one session every repository shares
    return [tuple(row) for row in rows]
