"""Room snapshots for the handlers, built from the client's synced state.

matrix-nio keeps power levels, members and the encryption flag, but not who created a room. Room version 12 gives
its creators unlimited power without listing them in the power levels, so the creators are learnt here from the
`m.room.create` events that sync delivers (the first sync after each start asks for full state). Only the server's
events count: a decrypted payload claiming to be `m.room.create` is the sender's word, and is not believed.
"""

from __future__ import annotations

from typing import Any

from nio import AsyncClient, PowerLevels

from dialogue.vocabulary import RoomId
from handlers.context import RoomSnapshot


class RoomDirectory:
    """What the bot knows about its rooms beyond matrix-nio's own state."""

    def __init__(self) -> None:
        self._creators: dict[str, frozenset[str]] = {}

    def observe(self, room_id: str, source: dict[str, Any]) -> None:
        """Learn from one state or timeline event's JSON source, as the server sent it.

        Never pass a decrypted one: the sync loop does not (it knows which events it decrypted)."""
        if source.get("type") != "m.room.create" or source.get("state_key") != "":
            return
        raw_content = source.get("content")
        content = raw_content if isinstance(raw_content, dict) else {}
        creators = {str(source.get("sender", ""))}
        extra = content.get("additional_creators")
        if isinstance(extra, list):
            creators.update(str(user) for user in extra if isinstance(user, str))
        self._creators[room_id] = frozenset(creators)

    def snapshot(self, client: AsyncClient, room_id: str) -> RoomSnapshot | None:
        room = client.rooms.get(room_id)
        if room is None:
            return None
        power_levels = room.power_levels
        return RoomSnapshot(
            room_id=RoomId(room_id),
            encrypted=bool(room.encrypted),
            room_version=str(room.room_version or "1"),
            creators=self._creators.get(room_id, frozenset()),
            user_power_levels=dict(power_levels.users),
            users_default_power_level=int(power_levels.defaults.users_default),
            display_names={user_id: member.display_name for user_id, member in room.users.items()},
            joined_member_count=int(room.joined_count or len(room.users)),
            join_rule=str(room.join_rule or "invite"),
            redact_power_level=redact_power_level(power_levels),
            tombstone_power_level=state_event_power_level(power_levels, "m.room.tombstone"),
        )


def redact_power_level(power_levels: PowerLevels) -> int:
    """The level needed to redact another user's event: both the `redact` level and the level for sending an
    `m.room.redaction` event apply."""
    defaults = power_levels.defaults
    event_level = power_levels.events.get("m.room.redaction", defaults.events_default)
    return max(int(defaults.redact), int(event_level))


def state_event_power_level(power_levels: PowerLevels, event_type: str) -> int:
    """The level needed to send the state event `event_type`: its own entry, else `state_default`."""
    return int(power_levels.events.get(event_type, power_levels.defaults.state_default))
