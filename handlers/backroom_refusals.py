"""What the bot answers when a command is not handled where it was sent, and the removal of a roster command
sent in front of the participants."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogue.vocabulary import EventId, UserId
from handlers.backroom_routing import Place
from handlers.commands import Command, Sensitivity
from handlers.context import RoomSnapshot
from handlers.events import InboundEvent
from handlers.outgoing import queue_redaction
from handlers.replies import Reply, replied_event_id
from i18n import bot_marked, bot_text

if TYPE_CHECKING:
    from storage import Transaction

# gettext messages (translated with bot_text, placeholders filled after translation).
NOT_IN_BACKROOM = bot_marked("{prefix} {command} acts on the participants' room: send it there, not in the back-room.")
ASK_IN_BACKROOM = bot_marked(
    "{prefix} {command} is answered in the moderators' back-room, not in front of the participants: send it there."
)
ANSWERED_PRIVATELY = bot_marked(
    "I have sent you the answer in a direct message, since this room has no moderators' back-room "
    "({prefix} backroom explains how to link one)."
)
BACKROOM_NOT_PRIVATE = bot_marked(
    "This back-room is no longer private (join rule “{join_rule}”), so I will not handle the roster, listings or "
    "files here until it is invite-only again ({prefix} backroom unlink ends the link)."
)
REDACTION_REASON = bot_marked("Roster commands belong in the moderators' back-room")
REMOVED = bot_marked("I removed your message from this room.")
REMOVED_WITH_FILE = bot_marked("I removed your message and the file from this room.")
NOT_REMOVED = bot_marked(
    "I could not remove your message: please delete it yourself (I need the power to remove messages here)."
)
NOT_REMOVED_WITH_FILE = bot_marked(
    "I could not remove your message: please delete it yourself, and the file (I need the power to remove messages "
    "here)."
)


async def refuse_and_redact(
    tx: Transaction,
    command: Command,
    event: InboundEvent,
    room: RoomSnapshot,
    place: Place,
    prefix: str,
    bot_user_id: UserId,
    now: float,
    *,
    sender_is_moderator: bool,
    language: str | None = None,
) -> Reply:
    """Refuse a command whose own text names people; queue the removal of it (and of a moderator's roster file)
    if the bot may remove messages here. Returns the refusal, which says which it was."""
    if place.backroom_id is not None:
        where = bot_text(language, "Send it in the moderators' back-room.")
    else:
        where = bot_text(
            language,
            "Link a moderators' back-room and send it there: in a private (invite-only) room with me and the other "
            "moderators, send {command}",
            command=f"{prefix} backroom link {room.room_id}",
        )
    lines = [
        bot_text(
            language,
            "{command} is not handled in this room: it names participants, and everyone here sees it.",
            command=f"{prefix} {command.name}",
        ),
        where,
    ]
    targets = [event.event_id]
    attached = replied_event_id(event)
    # Only a moderator's roster file is removed: anyone else could otherwise have the bot remove any message.
    if command.sensitive is Sensitivity.REQUEST_WITH_FILE and attached is not None and sender_is_moderator:
        targets.append(EventId(attached))
    if room.can_redact_others(bot_user_id):
        for target in targets:
            # The reason is shown to the room's members beside the removed message: in the room's language.
            await queue_redaction(tx, room.room_id, target, bot_text(language, REDACTION_REASON), now)
        removed = REMOVED_WITH_FILE if len(targets) > 1 else REMOVED
        lines.append(bot_text(language, removed))
    else:
        kept = NOT_REMOVED_WITH_FILE if len(targets) > 1 else NOT_REMOVED
        lines.append(bot_text(language, kept))
    return Reply.plain("\n".join(lines))
