"""A dialogue room replaced by another (a room upgrade): the dialogue follows to the new room, or the moderators
are told why it cannot.

A tombstone (`m.room.tombstone`) counts only as the homeserver delivered it (never from a decrypted payload: see
handlers/events.py) and only from someone with the power to send it in the old room (a creator of a room of version
12 or later has it without appearing in the power levels). It names the new room, and anyone with that power could
name any room; so the bot joins the named room (bot/room_follow.py, as slow work outside the transaction) and moves
the dialogue only when that room's own `m.room.create` names the old room as its predecessor. The move, the prompts
of open challenges posted again (their threads continue there) and the one notice in the new room commit together
with the tombstone's inbox row, so a tombstone handled again after a crash neither moves nor announces twice.
When the bot cannot join, the moderators are told to invite it, and the first event in the new room after it has
joined completes the move (`follow_awaited`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from dialogue.vocabulary import RoomId
from handlers.dialogue_commands import repost_prompt
from handlers.moderator_notices import tell_moderators
from handlers.outgoing import queue_notice
from handlers.replies import Reply
from i18n import bot_marked, bot_text

if TYPE_CHECKING:
    from handlers.context import RoomSnapshot
    from handlers.dispatch import HandlerEnv
    from handlers.events import InboundEvent
    from handlers.slow_work import ReplacementCheck
    from storage import Dialogue, Transaction

log = logging.getLogger(__name__)

TOMBSTONE = "m.room.tombstone"
# One whole message per outcome, each saying that the room was replaced and why the dialogue stays.
ALREADY_HAS_DIALOGUE = bot_marked(
    "The room of the dialogue “{title}” was replaced by {room}. That room already has a dialogue of its own, so this "
    "one stays here."
)
NOT_JOINED_TEXT = bot_marked(
    "The room of the dialogue “{title}” was replaced by {room}. I could not join it ({problem}), so the dialogue stays "
    "here. To move it, invite me to the new room (the invite must come from someone in the bot's allowed inviters): "
    "I take the dialogue there as soon as someone joins or writes in it after me."
)
NOT_SUCCESSOR_TEXT = bot_marked(
    "The room of the dialogue “{title}” was replaced by {room}. That room does not name this one as the room it "
    "replaces, so the dialogue stays here."
)
AWAITING_KEY = "room_follow.awaiting:"
"""State key prefix: `<prefix><replacement room>` holds the old room whose tombstone named it while the bot could not
join; the first event there after the bot has joined completes the move (`follow_awaited`)."""


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A tombstone the bot may act on: the room it points to, and the server to join it through."""

    replacement_room_id: RoomId
    via_server: str | None


class Verdict(Enum):
    MOVE = "move"
    NOT_JOINED = "not joined"
    NOT_SUCCESSOR = "not the successor"


def tombstone_in(event: InboundEvent, room: RoomSnapshot) -> Tombstone | None:
    """The tombstone in `event`, if it is one the bot may act on: a server state event, sent by someone who may
    replace the room, naming another room."""
    if event.type != TOMBSTONE or event.state_key != "" or event.was_encrypted:
        return None
    replacement = event.content.get("replacement_room")
    if not isinstance(replacement, str) or not replacement.startswith("!") or replacement == room.room_id:
        return None
    if not room.can_replace_room(event.sender):
        return None
    _, _, server = event.sender.partition(":")
    return Tombstone(RoomId(replacement), server or None)


def predecessor_of(create_content: dict[str, Any]) -> str | None:
    """The room an `m.room.create` event's content says its room replaces, if any."""
    predecessor = create_content.get("predecessor")
    if not isinstance(predecessor, dict):
        return None
    room_id = predecessor.get("room_id")
    return room_id if isinstance(room_id, str) else None


def verdict(check: ReplacementCheck, old_room_id: RoomId) -> Verdict:
    if not check.joined:
        return Verdict.NOT_JOINED
    return Verdict.MOVE if check.predecessor == old_room_id else Verdict.NOT_SUCCESSOR


async def handle_tombstone(event: InboundEvent, room: RoomSnapshot, env: HandlerEnv, tx: Transaction) -> bool:
    """Follow the dialogue to the replacement room, or tell the moderators; True when the dialogue moved."""
    dialogue = await tx.dialogues.active_in_room(room.room_id)
    if dialogue is None:
        return False
    tombstone = tombstone_in(event, room)
    if tombstone is None:
        log.info("tombstone ignored", extra={"room_id": room.room_id, "reason": "not valid or not permitted"})
        return False
    new_room = tombstone.replacement_room_id
    check = await env.slow_work.check_replacement(room.room_id, new_room, tombstone.via_server)
    outcome = verdict(check, room.room_id)
    if outcome is Verdict.MOVE and await tx.dialogues.active_in_room(new_room) is not None:
        await _tell(tx, room, env, dialogue, ALREADY_HAS_DIALOGUE, new_room)
        return False
    if outcome is Verdict.NOT_JOINED:
        # The homeserver's reason stays as the server gave it: it is for whoever fixes the invite.
        await _tell(tx, room, env, dialogue, NOT_JOINED_TEXT, new_room, problem=check.problem)
        await tx.state.set(AWAITING_KEY + new_room, room.room_id)
        log.info("dialogue not moved", extra={"room_id": room.room_id, "reason": "could not join"})
        return False
    if outcome is Verdict.NOT_SUCCESSOR:
        await _tell(tx, room, env, dialogue, NOT_SUCCESSOR_TEXT, new_room)
        log.info("dialogue not moved", extra={"room_id": room.room_id, "reason": "not the successor"})
        return False
    await _move_and_tell(tx, dialogue, new_room, env.now)
    return True


async def _move_and_tell(tx: Transaction, dialogue: Dialogue, new_room: RoomId, now: float) -> None:
    old_room = dialogue.room_id
    await move_dialogue(tx, dialogue, new_room, now)
    if await tx.backrooms.backroom_of(new_room) is not None:
        await _tell_backroom(tx, new_room, dialogue, now)
    log.info("dialogue moved to the replacement room", extra={"room_id": old_room, "new_room_id": new_room})


async def follow_awaited(room: RoomSnapshot, env: HandlerEnv, tx: Transaction) -> bool:
    """The bot is now in a room a tombstone named while it could not join: move the dialogue here after all, once
    this room's create event names the old room. True when it moved."""
    key = AWAITING_KEY + room.room_id
    stored = await tx.state.get(key)
    if stored is None:
        return False
    old_room = RoomId(stored)
    dialogue = await tx.dialogues.active_in_room(old_room)
    if dialogue is None or await tx.dialogues.active_in_room(room.room_id) is not None:
        await tx.state.delete(key)  # ended, moved or superseded meanwhile: nothing left to follow
        return False
    check = await env.slow_work.check_replacement(old_room, room.room_id, None)
    outcome = verdict(check, old_room)
    if outcome is Verdict.NOT_JOINED:
        return False
    await tx.state.delete(key)
    if outcome is Verdict.NOT_SUCCESSOR:
        old = env.rooms(old_room)
        if old is not None:
            await _tell(tx, old, env, dialogue, NOT_SUCCESSOR_TEXT, room.room_id)
        return False
    await _move_and_tell(tx, dialogue, room.room_id, env.now)
    return True


async def move_dialogue(tx: Transaction, dialogue: Dialogue, new_room: RoomId, now: float) -> None:
    """Everything the dialogue's room carries, to `new_room`, with one notice there (all in the caller's
    transaction). The agenda, schedules and contributions hang on the dialogue and follow by themselves."""
    await tx.dialogues.move_to_room(dialogue.id, new_room)
    await tx.backrooms.move_dialogue_room(dialogue.room_id, new_room)
    open_ones = await tx.challenges.open_in_dialogue(dialogue.id)
    language = dialogue.language
    lines = [
        bot_text(
            language,
            "The dialogue “{title}” continues here: this room replaces the previous one, and everything recorded "
            "there is kept. The Chatham House Rule applies as before.",
            title=dialogue.title,
        )
    ]
    if open_ones:
        lines.append(
            bot_text(language, "The open challenges follow, each starting a new thread: reply there to contribute.")
        )
    await queue_notice(tx, new_room, Reply.plain("\n".join(lines)), now)
    for challenge in open_ones:
        await repost_prompt(tx, new_room, challenge, now)
    await tx.synopses.audit(dialogue.id, "moved to the room that replaced its own", now)


async def _tell(
    tx: Transaction,
    room: RoomSnapshot,
    env: HandlerEnv,
    dialogue: Dialogue,
    message: str,
    new_room: RoomId,
    **values: object,
) -> None:
    """Tell the moderators `message` (a marked one), each in their language."""

    def notice(language: str | None) -> Reply:
        return Reply.plain(bot_text(language, message, title=dialogue.title, room=new_room, **values))

    await tell_moderators(tx, room, notice, env, dialogue)


async def _tell_backroom(tx: Transaction, new_room: RoomId, dialogue: Dialogue, now: float) -> None:
    backroom = await tx.backrooms.backroom_of(new_room)
    assert backroom is not None
    text = bot_text(
        dialogue.language,
        "The dialogue “{title}” moved to {room}, which replaced its room; this back-room serves it.",
        title=dialogue.title,
        room=new_room,
    )
    await queue_notice(tx, backroom, Reply.plain(text), now)
