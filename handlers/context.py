"""What a handler knows about the room and the bot when it decides what to do with an event.

The bot builds these snapshots from its Matrix client; handlers only read them, so their decisions can be tested
with hand-made snapshots.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from dialogue.vocabulary import RoomId, UserId

MISSING_POWER_LEVEL = 0
# Join rules under which nobody gets in without a member letting them in. `restricted` is not one: members of
# another room (a space full of participants, say) may join freely.
PRIVATE_JOIN_RULES = frozenset({"invite", "knock", "private"})


def room_version_has_privileged_creators(room_version: str) -> bool:
    """Whether the room version gives its creators unlimited power (room version 12 and later, MSC4289).

    In such rooms the creators do not appear in the power-level table at all, so a plain table look-up would
    wrongly treat the room's own creator as a power-0 user.
    """
    if room_version.isdigit():
        return int(room_version) >= 12
    return room_version.startswith("org.matrix.hydra")


@dataclass(frozen=True, slots=True)
class RoomSnapshot:
    """The parts of a room's state that handlers decide on."""

    room_id: RoomId
    encrypted: bool = False
    room_version: str = "1"
    creators: frozenset[str] = frozenset()
    user_power_levels: Mapping[str, int] = field(default_factory=dict)
    users_default_power_level: int = 0
    display_names: Mapping[UserId, str] = field(default_factory=dict)
    joined_member_count: int = 0
    # `m.room.join_rules`: who may join without an invite ("public" means anyone).
    join_rule: str = "invite"
    # The power level needed to redact someone else's event (the `redact` level, or the `m.room.redaction`
    # event level if that is higher).
    redact_power_level: int = 50
    # The power level needed to send `m.room.tombstone` (replace the room by an upgraded one).
    tombstone_power_level: int = 100

    def power_level_of(self, user_id: UserId) -> int:
        return self.user_power_levels.get(user_id, self.users_default_power_level)

    def is_privileged_creator(self, user_id: UserId) -> bool:
        return user_id in self.creators and room_version_has_privileged_creators(self.room_version)

    def is_moderator(self, user_id: UserId, threshold: int) -> bool:
        """Moderators are users at or above the power-level threshold, and the creators of v12+ rooms."""
        return self.is_privileged_creator(user_id) or self.power_level_of(user_id) >= threshold

    def can_redact_others(self, user_id: UserId) -> bool:
        """Whether `user_id` may remove other people's messages here."""
        return self.is_privileged_creator(user_id) or self.power_level_of(user_id) >= self.redact_power_level

    def can_replace_room(self, user_id: UserId) -> bool:
        """Whether `user_id` may send the tombstone that replaces this room by another (a room upgrade)."""
        return self.is_privileged_creator(user_id) or self.power_level_of(user_id) >= self.tombstone_power_level

    @property
    def is_private(self) -> bool:
        """Nobody can join without being let in (invited, or a knock accepted)."""
        return self.join_rule in PRIVATE_JOIN_RULES


@dataclass(frozen=True, slots=True)
class BotInfo:
    """Facts about the running bot that some commands report."""

    user_id: UserId
    version: str
    started_at: float
    encryption_enabled: bool


RoomLookup = Callable[[RoomId], "RoomSnapshot | None"]
"""The snapshot of another room the bot is in (None if it is not), for handlers that look beyond the event's room."""
