"""A small key-value store for single values the bot must keep across restarts (sync token, session)."""

from __future__ import annotations

from storage.session import Session


class StateRepository:
    """Key-value access within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, key: str) -> str | None:
        """The stored value, or None if the key was never set (or was deleted)."""
        value = await self._session.scalar("SELECT value FROM kv WHERE key = ?", (key,))
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``, replacing any previous value."""
        await self._session.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def delete(self, key: str) -> None:
        """Forget ``key``; deleting a key that is not there is fine."""
        await self._session.execute("DELETE FROM kv WHERE key = ?", (key,))
