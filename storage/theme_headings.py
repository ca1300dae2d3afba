"""Expected-theme headings: the considerations the secretariat expects under a challenge (guided themes).

A challenge's headings are an ordered list; people refer to them by their position (1, 2, …), which is their rank
by insertion order, so removing one renumbers those after it. They go with their challenge.
"""

from __future__ import annotations

import builtins

from storage.session import Session


class ThemeHeadingsRepository:
    """Heading operations within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def add(self, challenge_id: int, heading: str, now: float) -> int:
        """Append a heading; returns its position."""
        await self._session.execute(
            "INSERT INTO theme_headings (challenge_id, heading, created_at) VALUES (?, ?, ?)",
            (challenge_id, heading, now),
        )
        return len(await self.list(challenge_id))

    async def list(self, challenge_id: int) -> builtins.list[str]:
        rows = await self._session.fetchall(
            "SELECT heading FROM theme_headings WHERE challenge_id = ? ORDER BY id", (challenge_id,)
        )
        return [row["heading"] for row in rows]

    async def edit(self, challenge_id: int, position: int, heading: str) -> bool:
        """Replace the heading at `position` (1-based); False when there is none there."""
        row_id = await self._id_at(challenge_id, position)
        if row_id is None:
            return False
        await self._session.execute("UPDATE theme_headings SET heading = ? WHERE id = ?", (heading, row_id))
        return True

    async def remove(self, challenge_id: int, position: int) -> bool:
        """Delete the heading at `position` (1-based); False when there is none there."""
        row_id = await self._id_at(challenge_id, position)
        if row_id is None:
            return False
        await self._session.execute("DELETE FROM theme_headings WHERE id = ?", (row_id,))
        return True

    async def _id_at(self, challenge_id: int, position: int) -> int | None:
        if position < 1:
            return None
        value = await self._session.scalar(
            "SELECT id FROM theme_headings WHERE challenge_id = ? ORDER BY id LIMIT 1 OFFSET ?",
            (challenge_id, position - 1),
        )
        return None if value is None else int(value)
