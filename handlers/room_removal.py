"""The bot kicked or banned from a dialogue room: the dialogue ends there, and the command line takes over.

Nothing can be said in the room any more, so the dialogue ends without notices in it, its scheduled openings are
cancelled, and whatever was still waiting to be sent there is given up (the sender would otherwise try each message
up to its limit). The moderators are told, in the back-room or by direct message, how the bot's operator pulls the
synopsis and purges the dialogue from the command line. The bot leaving by itself (declining an invite) is not a
removal: the processor never hands the bot's own events to the handlers.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from dialogue.vocabulary import UserId
from handlers.dialogue_commands import end_dialogue
from handlers.moderator_notices import tell_moderators
from handlers.replies import Reply
from i18n import bot_text

if TYPE_CHECKING:
    from handlers.context import RoomSnapshot
    from handlers.dispatch import HandlerEnv
    from handlers.events import InboundEvent
    from storage import Transaction

log = logging.getLogger(__name__)

REMOVED_MEMBERSHIPS = frozenset({"leave", "ban"})


def is_own_membership(source: dict[str, Any], bot_user_id: UserId) -> bool:
    """Whether a server event's JSON is an `m.room.member` event about the bot (what a left room's timeline holds
    that the inbox needs)."""
    return source.get("type") == "m.room.member" and source.get("state_key") == bot_user_id


def is_removal(event: InboundEvent, bot_user_id: UserId) -> bool:
    """Someone else took the bot out of the room: a kick (leave sent by another) or a ban."""
    return (
        event.type == "m.room.member"
        and event.state_key == bot_user_id
        and event.sender != bot_user_id
        and event.content.get("membership") in REMOVED_MEMBERSHIPS
    )


async def handle_removal(event: InboundEvent, room: RoomSnapshot, env: HandlerEnv, tx: Transaction) -> bool:
    """True when a dialogue ended (its timers need planning again)."""
    if not is_removal(event, env.bot.user_id):
        return False
    given_up = await tx.outbox.give_up_room(room.room_id, "the bot was removed from the room")
    log.info("removed from a room", extra={"room_id": room.room_id, "messages_given_up": given_up})
    served = await tx.backrooms.dialogue_room_of(room.room_id)
    if served is not None:
        # A back-room the bot can no longer speak in serves nobody: its moderators get direct messages instead.
        await tx.backrooms.unlink_dialogue_room(served)
        log.info("back-room unlinked: the bot was removed from it", extra={"room_id": room.room_id})
    dialogue = await tx.dialogues.active_in_room(room.room_id)
    if dialogue is None:
        return False
    await end_dialogue(tx, dialogue, env.now, announce=False)
    for schedule in await tx.schedules.for_dialogue(dialogue.id):
        await tx.schedules.cancel(schedule.challenge_id)
    await tx.synopses.audit(dialogue.id, "ended: the bot was removed from its room", env.now)
    number = dialogue.id

    def notice(language: str | None) -> Reply:
        return Reply.plain(
            bot_text(
                language,
                "I was removed from the room of the dialogue “{title}” (number {number}), so it has ended. Nothing "
                "recorded is lost. The bot's operator can pull its draft synopsis with {synopsis}, adopt it with "
                "{adopt} and then purge the rest with {purge}.",
                title=dialogue.title,
                number=number,
                synopsis=f"`dialogue-bot synopsis --dialogue {number}`",
                adopt=f"`dialogue-bot adopt --dialogue {number}`",
                purge=f"`dialogue-bot purge --dialogue {number}`",
            )
        )

    await tell_moderators(tx, room, notice, env, dialogue)
    log.info("dialogue ended: the bot was removed", extra={"room_id": room.room_id})
    return True
