"""Telling a dialogue room's moderators something that is not for the participants.

In the moderators' back-room when the room has one; otherwise by direct message to each moderator of the room
(the room itself may no longer take the bot's messages: it was replaced, or the bot was removed from it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.outgoing import queue_direct_message, queue_notice

if TYPE_CHECKING:
    from handlers.context import RoomSnapshot
    from handlers.replies import Reply
    from storage import Transaction


async def tell_moderators(
    tx: Transaction, room: RoomSnapshot, reply: Reply, now: float, *, threshold: int, bot_user_id: str
) -> None:
    """`room` is the dialogue room, as the bot last saw it (its members and power levels)."""
    backroom = await tx.backrooms.backroom_of(room.room_id)
    if backroom is not None:
        await queue_notice(tx, backroom, reply, now)
        return
    for user_id in sorted(room.display_names):
        if user_id != bot_user_id and room.is_moderator(user_id, threshold):
            await queue_direct_message(tx, user_id, reply, now)
