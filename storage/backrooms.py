"""Back-rooms: the private room where a dialogue room's moderators handle the roster, listings and files."""

from __future__ import annotations

from dialogue.vocabulary import RoomId
from storage.session import Session


class BackroomsRepository:
    """Links between a dialogue room and its moderators' back-room, within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def link(self, dialogue_room_id: RoomId, backroom_id: RoomId, now: float) -> None:
        """Record the link; the caller has checked that neither room is already on either side of one."""
        await self._session.execute(
            "INSERT INTO backrooms (dialogue_room_id, backroom_id, linked_at) VALUES (?, ?, ?)",
            (dialogue_room_id, backroom_id, now),
        )

    async def unlink_dialogue_room(self, dialogue_room_id: RoomId) -> bool:
        """Remove the dialogue room's link, if any; returns whether there was one."""
        changed = await self._session.execute("DELETE FROM backrooms WHERE dialogue_room_id = ?", (dialogue_room_id,))
        return changed > 0

    async def backroom_of(self, dialogue_room_id: RoomId) -> RoomId | None:
        """The back-room linked to this dialogue room, if any."""
        value = await self._session.scalar(
            "SELECT backroom_id FROM backrooms WHERE dialogue_room_id = ?", (dialogue_room_id,)
        )
        return None if value is None else RoomId(str(value))

    async def dialogue_room_of(self, backroom_id: RoomId) -> RoomId | None:
        """The dialogue room this room is the back-room of, if it is one."""
        value = await self._session.scalar(
            "SELECT dialogue_room_id FROM backrooms WHERE backroom_id = ?", (backroom_id,)
        )
        return None if value is None else RoomId(str(value))

    async def move_dialogue_room(self, old_room_id: RoomId, new_room_id: RoomId) -> None:
        """The dialogue room was replaced (upgraded): its back-room now serves the new room."""
        await self._session.execute(
            "UPDATE backrooms SET dialogue_room_id = ? WHERE dialogue_room_id = ?", (new_room_id, old_room_id)
        )
