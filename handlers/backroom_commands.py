"""`backroom`, `backroom link`, `backroom unlink`: a private room where a dialogue room's moderators work.

The link is made from inside the back-room, by someone who moderates the dialogue room by its real power levels:
a participant who creates a room of their own and invites the bot is a moderator only there, so they cannot make
it the back-room of a dialogue and read its roster or contributions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogue.vocabulary import DialogueState, RoomId
from handlers.commands import CommandCall, CommandRefused, UsageError
from handlers.outgoing import queue_notice
from handlers.replies import Reply
from i18n import bot_marked, bot_text

if TYPE_CHECKING:
    from storage import Transaction

# One whole refusal per join rule, so no sentence is put together from a translated clause.
NOT_PRIVATE = {
    "public": bot_marked(
        "This room is not private: anyone can join it (join rule “{join_rule}”). Make it invite-only first."
    ),
    "restricted": bot_marked(
        "This room is not private: members of other rooms can join it without an invitation (join rule "
        "“{join_rule}”). Make it invite-only first."
    ),
}
NOT_PRIVATE["knock_restricted"] = NOT_PRIVATE["restricted"]
NOT_PRIVATE_OTHERWISE = bot_marked(
    "This room is not private: people can join it without an invitation (join rule “{join_rule}”). Make it "
    "invite-only first."
)
BACKROOM_OF = {
    DialogueState.ACTIVE: bot_marked("This is the moderators' back-room of {room}: dialogue “{title}” (active)."),
    DialogueState.ENDED: bot_marked("This is the moderators' back-room of {room}: dialogue “{title}” (ended)."),
}


def room_id_argument(raw: str) -> RoomId:
    words = raw.split()
    if len(words) != 1:
        raise UsageError("give the dialogue room's ID")
    # Room IDs start with "!"; from room version 12 they have no ":server" part.
    if not words[0].startswith("!") or len(words[0]) < 2:
        # Resolving an alias (#room:server) is a request to the homeserver, which handlers do not make.
        raise UsageError("give the room's ID, which starts with ! (room settings, Advanced), not its address")
    return RoomId(words[0])


def how_to_link(call: CommandCall, dialogue_room_id: RoomId) -> str:
    return bot_text(
        call.language,
        "In a private (invite-only, preferably encrypted) room with me and the other moderators, send {command}",
        command=f"{call.prefix} backroom link {dialogue_room_id}",
    )


async def status(call: CommandCall[None], tx: Transaction) -> Reply:
    here = call.room.room_id
    dialogue_room = await tx.backrooms.dialogue_room_of(here)
    if dialogue_room is not None:
        dialogue = await tx.dialogues.latest_in_room(dialogue_room)
        if dialogue is None:
            return Reply.plain(
                bot_text(
                    call.language, "This is the moderators' back-room of {room}: no dialogue yet.", room=dialogue_room
                )
            )
        message = BACKROOM_OF.get(dialogue.state, BACKROOM_OF[DialogueState.ACTIVE])
        return Reply.plain(bot_text(call.language, message, room=dialogue_room, title=dialogue.title))
    if await tx.backrooms.backroom_of(here) is not None:
        # The back-room's ID is not repeated in front of the participants.
        return Reply.plain(
            bot_text(
                call.language,
                "This room has a moderators' back-room: the roster, contributions, themes, curation and synopsis "
                "files are handled there.",
            )
        )
    return Reply.plain(
        bot_text(call.language, "No back-room is linked to this room. {how}", how=how_to_link(call, here))
    )


async def link(call: CommandCall[RoomId], tx: Transaction) -> Reply:
    here, target = call.room.room_id, call.args
    language = call.language
    unlink_command = f"{call.prefix} backroom unlink"
    if target == here:
        raise CommandRefused(bot_text(language, "A room cannot be its own back-room."))
    current = await tx.backrooms.dialogue_room_of(here)
    if current is not None:
        if current == target:
            return Reply.plain(bot_text(language, "This room already is the back-room of {room}.", room=target))
        raise CommandRefused(
            bot_text(
                language,
                "This room is already the back-room of {room}: {command} first.",
                room=current,
                command=unlink_command,
            )
        )
    if await tx.backrooms.backroom_of(here) is not None or await tx.dialogues.latest_in_room(here) is not None:
        raise CommandRefused(
            bot_text(
                language,
                "This room is a dialogue room: its participants would see everything. A back-room must be a "
                "separate private room.",
            )
        )
    dialogue_room = call.rooms(target)
    if dialogue_room is None:
        raise CommandRefused(bot_text(language, "I am not in that room: invite me there first, or check the room ID."))
    if not dialogue_room.is_moderator(call.event.sender, call.settings.bot.moderator_power_level):
        raise CommandRefused(bot_text(language, "Only a moderator of that room can give it a back-room."))
    if await tx.backrooms.dialogue_room_of(target) is not None:
        raise CommandRefused(bot_text(language, "That room is itself a back-room."))
    if await tx.backrooms.backroom_of(target) is not None:
        raise CommandRefused(
            bot_text(
                language,
                "That room already has a back-room. To replace it, send {command} there first.",
                command=unlink_command,
            )
        )
    if not call.room.is_private:
        refusal = NOT_PRIVATE.get(call.room.join_rule, NOT_PRIVATE_OTHERWISE)
        raise CommandRefused(bot_text(language, refusal, join_rule=call.room.join_rule))
    await tx.backrooms.link(target, here, call.now)
    lines = [
        bot_text(
            language,
            "Linked: this is now the moderators' back-room of {room}. Send the roster, contributions, themes, "
            "curation and synopsis commands here; they act on that room's dialogue and need you to moderate both "
            "rooms.",
            room=target,
        )
    ]
    if not call.room.encrypted:
        lines.append(
            bot_text(
                language,
                "Warning: this room is not end-to-end encrypted, so the homeserver can read the roster and listings "
                "sent here. Consider an encrypted room.",
            )
        )
    return Reply.plain("\n".join(lines))


async def unlink(call: CommandCall[None], tx: Transaction) -> Reply:
    here = call.room.room_id
    dialogue_room = await tx.backrooms.dialogue_room_of(here)
    if dialogue_room is not None:
        await tx.backrooms.unlink_dialogue_room(dialogue_room)
        return Reply.plain(
            bot_text(call.language, "Unlinked: this room is no longer the back-room of {room}.", room=dialogue_room)
        )
    backroom = await tx.backrooms.backroom_of(here)
    if backroom is None:
        raise CommandRefused(bot_text(call.language, "No back-room is linked to this room."))
    await tx.backrooms.unlink_dialogue_room(here)
    # Sent where it is read: the back-room, in the dialogue's language, as this reply is.
    notice = bot_text(
        call.language, "Unlinked from the dialogue room: this is no longer its back-room ({room}).", room=here
    )
    await queue_notice(tx, backroom, Reply.plain(notice), call.now)
    return Reply.plain(
        bot_text(
            call.language,
            "Unlinked: this room has no back-room now. Listings and files go to the moderator who asks, by direct "
            "message.",
        )
    )
