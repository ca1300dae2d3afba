"""What the bot knows about each room it is or was in."""

from __future__ import annotations

from dialogue.vocabulary import RoomId
from storage.session import Session


class RoomsRepository:
    """Room bookkeeping within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def set_joined(self, room_id: RoomId, joined_at_ms: int) -> None:
        """Record that the bot (re)joined at ``joined_at_ms``; history from before it is not ours to use."""
        await self._session.execute(
            "INSERT INTO rooms (room_id, joined_at_ms, has_left) VALUES (?, ?, 0) "
            "ON CONFLICT (room_id) DO UPDATE SET joined_at_ms = excluded.joined_at_ms, has_left = 0",
            (room_id, joined_at_ms),
        )

    async def joined_at(self, room_id: RoomId) -> int | None:
        """When the bot joined the room (ms), or None if it never joined or has left since."""
        value = await self._session.scalar(
            "SELECT joined_at_ms FROM rooms WHERE room_id = ? AND has_left = 0", (room_id,)
        )
        return None if value is None else int(value)

    async def mark_left(self, room_id: RoomId) -> None:
        """Record that the bot is no longer in the room (kept, not deleted: other flags still matter)."""
        await self._session.execute(
            "INSERT INTO rooms (room_id, has_left) VALUES (?, 1) ON CONFLICT (room_id) DO UPDATE SET has_left = 1",
            (room_id,),
        )

    async def crypto_notice_sent(self, room_id: RoomId) -> bool:
        """Whether the room was already told about encryption, so the notice is posted only once."""
        value = await self._session.scalar("SELECT crypto_notice_sent FROM rooms WHERE room_id = ?", (room_id,))
        return bool(value)

    async def set_crypto_notice_sent(self, room_id: RoomId) -> None:
        """Remember the encryption notice was posted; works before the room is recorded as joined."""
        await self._session.execute(
            "INSERT INTO rooms (room_id, crypto_notice_sent) VALUES (?, 1) "
            "ON CONFLICT (room_id) DO UPDATE SET crypto_notice_sent = 1",
            (room_id,),
        )
