"""Pending "are you sure?" questions: an action a member asked for, waiting for them to confirm it in time."""

from __future__ import annotations

from dialogue.vocabulary import RoomId
from storage.session import Session


class ConfirmationsRepository:
    """Confirmation operations within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def request(self, room_id: RoomId, member_key: str, action: str, expires_at: float) -> None:
        """Ask ``member_key`` to confirm ``action`` before ``expires_at``; asking again restarts the clock."""
        await self._session.execute(
            "INSERT INTO confirmations (room_id, member_key, action, expires_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (room_id, member_key, action) DO UPDATE SET expires_at = excluded.expires_at",
            (room_id, member_key, action, expires_at),
        )

    async def take(self, room_id: RoomId, member_key: str, action: str, now: float) -> bool:
        """Use up a pending confirmation: True if one was waiting and had not expired by ``now``.

        The request is gone afterwards either way, so one request confirms at most one action.
        """
        expires_at = await self._session.scalar(
            "DELETE FROM confirmations WHERE room_id = ? AND member_key = ? AND action = ? RETURNING expires_at",
            (room_id, member_key, action),
        )
        return expires_at is not None and now < float(expires_at)

    async def prune_expired(self, now: float, limit: int) -> int:
        """Delete up to ``limit`` requests that expired before ``now`` and were never taken; return how many.

        An expired request can no longer confirm anything (``take`` says False), so it only takes up room.
        """
        rowid = self._session.dialect.row_identity  # the table has no key column
        return await self._session.execute(
            f"DELETE FROM confirmations WHERE {rowid} IN "
            f"(SELECT {rowid} FROM confirmations WHERE expires_at <= ? LIMIT ?)",
            (now, limit),
        )
