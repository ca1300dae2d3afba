"""Who is told what is only for a room's moderators (the digest, a removal, a room upgrade)."""

from __future__ import annotations

from handlers.context import RoomSnapshot
from handlers.moderator_notices import room_moderators

BOT = "@bot:example.org"


def test_the_moderators_are_the_members_at_the_threshold_in_order_without_the_bot() -> None:
    room = RoomSnapshot(
        room_id="!r:example.org",
        user_power_levels={BOT: 100, "@zoe:example.org": 50, "@amy:example.org": 100, "@pat:example.org": 49},
        display_names={BOT: "Bot", "@zoe:example.org": "Zoe", "@amy:example.org": "Amy", "@pat:example.org": "Pat"},
    )
    assert room_moderators(room, 50, BOT) == ["@amy:example.org", "@zoe:example.org"]


def test_a_moderator_who_left_the_room_is_not_told() -> None:
    room = RoomSnapshot(room_id="!r:example.org", user_power_levels={"@gone:example.org": 100}, display_names={})
    assert room_moderators(room, 50, BOT) == []


def test_the_creator_of_a_room_of_version_12_is_a_moderator_without_a_power_level() -> None:
    room = RoomSnapshot(
        room_id="!r:example.org",
        room_version="12",
        creators=frozenset({"@founder:example.org"}),
        display_names={"@founder:example.org": "Founder", "@pat:example.org": "Pat"},
    )
    assert room_moderators(room, 50, BOT) == ["@founder:example.org"]
