"""Direct rooms with single users, for messages the bot sends to one person (the moderators' daily digest).

The room for each person is remembered in the key-value store. It is created (encrypted when the bot has crypto)
the first time it is needed; messages wait until the person has joined, since a person who has not joined would
not receive the room key and could not read them.
"""

from __future__ import annotations

import logging

from nio import AsyncClient, RoomCreateError, RoomPreset

from bot.errors import describe_response, is_passing_fault
from storage import Database

log = logging.getLogger(__name__)

_KEY_PREFIX = "direct-room:"
_MEGOLM = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


class DirectRoomUnavailable(Exception):
    """The direct room could not be made, or its person has not joined it yet; try again later.

    `passing` is true when the homeserver failed for now (5xx, a timeout page): such a message is never given up."""

    def __init__(self, reason: str, *, passing: bool = False) -> None:
        super().__init__(reason)
        self.passing = passing


class DirectRooms:
    def __init__(self, client: AsyncClient, db: Database) -> None:
        self._client = client
        self._db = db

    async def ready_room_for(self, user_id: str) -> str:
        """The direct room with `user_id`, once they have joined it; creates and invites on first use."""
        async with self._db.transaction() as tx:
            room_id = await tx.state.get(_KEY_PREFIX + user_id)
        if room_id is None:
            room_id = await self._create(user_id)
        room = self._client.rooms.get(room_id)
        if room is None or user_id not in room.users or user_id in room.invited_users:
            raise DirectRoomUnavailable("waiting for the person to join the direct room")
        return room_id

    async def _create(self, user_id: str) -> str:
        response = await self._client.room_create(
            is_direct=True,
            preset=RoomPreset.trusted_private_chat,
            invite=[user_id],
            initial_state=[_MEGOLM] if self._client.olm is not None else [],
        )
        if isinstance(response, RoomCreateError):
            raise DirectRoomUnavailable(
                f"could not create a direct room: {describe_response(response)}", passing=is_passing_fault(response)
            )
        async with self._db.transaction() as tx:
            await tx.state.set(_KEY_PREFIX + user_id, response.room_id)
        log.info("direct room created", extra={"room_id": response.room_id})
        return response.room_id
