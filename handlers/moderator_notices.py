"""Telling a dialogue room's moderators something that is not for the participants.

In the moderators' back-room when the room has one; otherwise by direct message to each moderator of the room
(the room itself may no longer take the bot's messages: it was replaced, or the bot was removed from it). The notice
is written for each place in its own language (handlers/languages.py): the back-room in the dialogue's, a direct
message in the moderator's own choice, else the dialogue's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from dialogue.vocabulary import UserId
from handlers.languages import language_for_person, room_language
from handlers.outgoing import queue_direct_message, queue_notice

if TYPE_CHECKING:
    from handlers.context import RoomSnapshot
    from handlers.dispatch import HandlerEnv
    from handlers.replies import Reply
    from storage import Dialogue, Transaction

Notice = Callable[[str | None], "Reply"]
"""The notice in a language (None for English): called once per language needed."""


def room_moderators(room: RoomSnapshot, threshold: int, bot_user_id: UserId) -> list[UserId]:
    """The members of `room` who moderate it, in a fixed order (so notices queue the same way every time)."""
    return [
        user_id
        for user_id in sorted(room.display_names)
        if user_id != bot_user_id and room.is_moderator(user_id, threshold)
    ]


async def tell_moderators(
    tx: Transaction, room: RoomSnapshot, notice: Notice, env: HandlerEnv, dialogue: Dialogue | None = None
) -> None:
    """`room` is the dialogue room, as the bot last saw it (its members and power levels); `dialogue` the one the
    notice is about, whose language the back-room reads."""
    backroom = await tx.backrooms.backroom_of(room.room_id)
    if backroom is not None:
        await queue_notice(tx, backroom, notice(room_language(dialogue)), env.now)
        return
    for user_id in room_moderators(room, env.settings.bot.moderator_power_level, env.bot.user_id):
        language = await language_for_person(tx, user_id, dialogue)
        await queue_direct_message(tx, user_id, notice(language), env.now)
