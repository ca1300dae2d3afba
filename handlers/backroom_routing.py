"""Where a command may be handled: the participants' room, the moderators' back-room, or elsewhere.

The decision is a pure function of the command's declaration (handlers/registry.py) and the kind of room, so it is
tested without a database; `room_role` finds the kind of room from storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from dialogue.vocabulary import RoomId, UserId
from handlers.commands import Command, Sensitivity
from handlers.context import RoomLookup, RoomSnapshot

if TYPE_CHECKING:
    from storage import Transaction


class RoomRole(Enum):
    DIALOGUE_ROOM = "dialogue room"  # has (or had) a dialogue, or has a back-room linked
    BACKROOM = "back-room"  # linked to a dialogue room
    OTHER = "other"  # a direct chat, or a room with no dialogue yet


class Route(Enum):
    RUN = "run"
    # A roster command in the participants' room: not done, and its message removed if the bot may.
    REFUSE_AND_REDACT = "refuse and redact"
    # A listing, curation or file asked for in the participants' room when there is a back-room: ask there.
    REFUSE_POINT_TO_BACKROOM = "refuse, point to the back-room"
    # The same with no back-room: done, and the answer goes to the sender alone.
    ANSWER_BY_DIRECT_MESSAGE = "answer by direct message"
    # A command that acts on the participants' room (start, open, withdraw …) sent in the back-room.
    REFUSE_NOT_IN_BACKROOM = "refuse, not in the back-room"


@dataclass(frozen=True, slots=True)
class Place:
    """The kind of room a command was sent in, and the room whose dialogue it acts on."""

    role: RoomRole
    dialogue_room_id: RoomId
    backroom_id: RoomId | None  # the back-room linked to `dialogue_room_id`, if any


async def room_place(tx: Transaction, room_id: RoomId) -> Place:
    dialogue_room = await tx.backrooms.dialogue_room_of(room_id)
    if dialogue_room is not None:
        return Place(RoomRole.BACKROOM, dialogue_room, room_id)
    backroom = await tx.backrooms.backroom_of(room_id)
    if backroom is not None or await tx.dialogues.latest_in_room(room_id) is not None:
        return Place(RoomRole.DIALOGUE_ROOM, room_id, backroom)
    return Place(RoomRole.OTHER, room_id, None)


def route_for(command: Command, role: RoomRole, *, has_backroom: bool) -> Route:
    """What to do with `command` sent in a room of this kind."""
    if role is RoomRole.BACKROOM:
        return Route.RUN if command.sensitive is not None or command.in_backroom else Route.REFUSE_NOT_IN_BACKROOM
    if role is RoomRole.DIALOGUE_ROOM:
        if command.sensitive in (Sensitivity.REQUEST, Sensitivity.REQUEST_WITH_FILE):
            # Even with no back-room: the roster must never be written in front of the participants.
            return Route.REFUSE_AND_REDACT
        if command.sensitive is Sensitivity.ANSWER:
            return Route.REFUSE_POINT_TO_BACKROOM if has_backroom else Route.ANSWER_BY_DIRECT_MESSAGE
    return Route.RUN


def moderates(user_id: UserId, room: RoomSnapshot, place: Place, rooms: RoomLookup, threshold: int) -> bool:
    """A moderator of the room, and, in a back-room, of its dialogue room too: demoted there, one loses access here."""
    if not room.is_moderator(user_id, threshold):
        return False
    if place.role is not RoomRole.BACKROOM:
        return True
    dialogue_room = rooms(place.dialogue_room_id)
    return dialogue_room is not None and dialogue_room.is_moderator(user_id, threshold)
