"""Markers for things to do only once, so that e.g. a reminder or an announcement is not repeated after a restart.

Marking in the same transaction as the work it guards makes the pair atomic: either both happened or
neither did.
"""

from __future__ import annotations

from storage.session import Session


class OnceRepository:
    """Marker operations within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def mark(self, scope: str, key: str, now: float) -> bool:
        """Set the marker; True if it is new (go ahead), False if it was already set (done before)."""
        added = await self._session.execute(
            "INSERT INTO once_markers (scope, key, created_at) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO NOTHING",
            (scope, key, now),
        )
        return added == 1

    async def clear(self, scope: str, key: str) -> None:
        """Remove the marker so the thing may happen again; clearing an unset marker is fine."""
        await self._session.execute("DELETE FROM once_markers WHERE scope = ? AND key = ?", (scope, key))
