"""Routes one inbox event to what the bot does with it, and reports what that did (`handlers.outcome.Outcome`).

Everything here runs inside the event's database transaction: the outgoing messages it queues and the inbox row
being marked done commit together, so replaying an event after a crash never doubles its effect. Work too slow for
the transaction (a download, a synopsis compile) is asked for instead of done: see handlers/slow_work.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dialogue.vocabulary import RoomId, UserId
from handlers.backroom_refusals import (
    ANSWERED_PRIVATELY,
    ASK_IN_BACKROOM,
    BACKROOM_NOT_PRIVATE,
    NOT_IN_BACKROOM,
    refuse_and_redact,
)
from handlers.backroom_routing import Place, RoomRole, Route, moderates, room_place, route_for
from handlers.commands import (
    CommandCall,
    CommandRefused,
    CommandRegistry,
    Invocation,
    Permission,
    UsageError,
    help_overview,
    parse_invocation,
    permission_reply,
    unknown_command_reply,
    usage_reply,
)
from handlers.consensus import handle_vote, handle_withdrawal
from handlers.context import BotInfo, RoomLookup, RoomSnapshot
from handlers.contributions import handle_message, handle_reaction
from handlers.events import InboundEvent
from handlers.ground_rules import welcome_for_late_joiners
from handlers.languages import language_for_person, reply_language, room_language
from handlers.outcome import Outcome
from handlers.outgoing import queue_direct_message, queue_notice, queue_reply
from handlers.redactions import handle_redaction
from handlers.replies import Reply
from handlers.room_removal import handle_removal
from handlers.room_upgrades import TOMBSTONE, follow_awaited, handle_tombstone
from handlers.scheduled import handle_scheduled, is_internal
from handlers.slow_work import SlowWork, SlowWorkNeeded
from i18n import bot_marked, bot_text
from privacy import contributor_key
from storage.outbox import Person, Room

if TYPE_CHECKING:
    from handlers.handler_settings import HandlerSettings
    from storage import Transaction

log = logging.getLogger(__name__)

DECRYPTED_TYPES_ACTED_ON = frozenset({"m.room.message", "m.reaction"})
"""What a decrypted event may be. State (power levels, members, create …) and redactions come only from the server,
in the clear; a payload claiming to be one is the sender's word and has no effect."""

FLOOD_NOTICE = bot_marked(
    "You are sending many messages in a short time. Everything you send is still recorded, in order, but I will "
    "not mark each message with ✅ until you slow down."
)
CRYPTO_OFF_NOTICE = bot_marked(
    "This room is end-to-end encrypted, and end-to-end encryption is switched off in my configuration, "
    "so I cannot read or answer anything here. Ask the bot's operator to switch it on."
)


def _no_rooms(room_id: RoomId) -> RoomSnapshot | None:
    return None


@dataclass(frozen=True, slots=True)
class HandlerEnv:
    """What stays the same for every event: configuration, commands, facts about the bot, and the time."""

    settings: HandlerSettings
    registry: CommandRegistry
    bot: BotInfo
    now: float
    rooms: RoomLookup = _no_rooms
    # Files to fetch and synopses to compile (handlers/slow_work.py); by default done at once, for tests and tools.
    slow_work: SlowWork = field(default_factory=SlowWork)
    # The sender is flooding (bot/flood.py): their contributions are still recorded, without a ✅ each.
    acknowledge: bool = True
    # The first message of a flood: tell its sender, in a reply to it, once.
    notify_flood: bool = False


async def handle_event(event: InboundEvent, room: RoomSnapshot, env: HandlerEnv, tx: Transaction) -> Outcome:
    """Decide what `event` means, record the consequences in `tx`, and say what was done.

    An outcome with `slow_work` means the handler stopped to ask for it: whatever it wrote in `tx` must be rolled back,
    and the event run again once the work is done (the processor does both)."""
    queued_before = tx.outbox.enqueued
    try:
        agenda_may_have_changed = await _route(event, room, env, tx)
    except SlowWorkNeeded as needed:
        return Outcome(slow_work=needed.request)
    return Outcome(messages_queued=tx.outbox.enqueued - queued_before, agenda_may_have_changed=agenda_may_have_changed)


async def _route(event: InboundEvent, room: RoomSnapshot, env: HandlerEnv, tx: Transaction) -> bool:
    """Hand the event to its handler; True when the agenda's timers may need planning again."""
    if not env.bot.encryption_enabled and (room.encrypted or event.is_still_encrypted):
        await _notify_encryption_unavailable(room.room_id, env, tx)
        return False
    if is_internal(event):
        await handle_scheduled(event, room, tx, env.now, env.settings, env.bot.user_id)
        return True
    # A room a tombstone named while the bot could not join it: the first event here completes the move, and is then
    # handled in the dialogue it brought (a first contribution counts).
    followed = await follow_awaited(room, env, tx)
    return await _route_room_event(event, room, env, tx) or followed


async def _route_room_event(event: InboundEvent, room: RoomSnapshot, env: HandlerEnv, tx: Transaction) -> bool:
    if event.is_still_encrypted:
        # Undecryptable events wait in the inbox for their keys; one reaching here has nothing we can act on.
        return False
    if event.was_encrypted and event.type not in DECRYPTED_TYPES_ACTED_ON:
        return False
    if env.notify_flood and event.type == "m.room.message":
        place = await room_place(tx, room.room_id)
        language = await _reply_language(tx, event.sender, place, in_direct_chat=_is_direct_chat(room, place))
        await queue_reply(tx, event, Reply.plain(bot_text(language, FLOOD_NOTICE)), env.now)
    if event.type == "m.room.message":
        invocation = None if event.is_edit else parse_invocation(event.body, env.settings.bot.all_command_prefixes)
        if invocation is not None:
            return await run_command(invocation, event, room, env, tx)
        if await tx.backrooms.dialogue_room_of(room.room_id) is None:
            # In a back-room, moderators talk among themselves: never a contribution, even with only one of them
            # there (a room of two would otherwise count as a direct message to the bot).
            await handle_message(event, room, env.rooms, tx, env.now, acknowledge=env.acknowledge)
    elif event.type == "m.reaction":
        # An answer to a consensus round is a reaction on the bot's own direct message, never on a contribution.
        if not await handle_vote(event, tx, env.now):
            await handle_reaction(event, tx)
    elif event.type == "m.room.redaction":
        # Redacting the reaction that cast a consensus vote withdraws the vote (a redaction from the server only).
        if not event.was_encrypted and await handle_withdrawal(event, tx, env.now):
            return False
        await handle_redaction(event, room, env.rooms, env.settings.bot.moderator_power_level, tx, env.now)
    elif event.type == "m.room.member" and event.state_key not in (None, env.bot.user_id):
        await welcome_late_joiner(event, room, env, tx)
    elif event.type == "m.room.member" and event.state_key == env.bot.user_id:
        return await handle_removal(event, room, env, tx)
    elif event.type == TOMBSTONE:
        return await handle_tombstone(event, room, env, tx)
    return False


async def welcome_late_joiner(event: InboundEvent, room: RoomSnapshot, env: HandlerEnv, tx: Transaction) -> None:
    """Someone joined after the dialogue started: send them the ground rules privately, once per dialogue.

    A direct message, not a room notice: with 60 delegates arriving, 60 welcomes would bury the room. The marker is
    the person's pseudonymous key, so leaving and re-joining does not bring the message again."""
    prev_content = event.unsigned.get("prev_content")
    previous = prev_content if isinstance(prev_content, dict) else {}
    if event.content.get("membership") != "join" or previous.get("membership") == "join":
        return
    dialogue = await tx.dialogues.active_in_room(room.room_id)
    if dialogue is None or event.origin_server_ts < dialogue.created_at * 1000:
        return
    assert event.state_key is not None
    if await tx.once.mark(f"welcome:{dialogue.id}", contributor_key(dialogue.secret, event.state_key), env.now):
        prefix = env.settings.bot.command_prefix
        language = await language_for_person(tx, UserId(event.state_key), dialogue)
        welcome = welcome_for_late_joiners(dialogue.title, prefix, language)
        await queue_direct_message(tx, UserId(event.state_key), welcome, env.now)


async def run_command(
    invocation: Invocation, event: InboundEvent, room: RoomSnapshot, env: HandlerEnv, tx: Transaction
) -> bool:
    """Check, run and answer a command; True when it ran to the end and is one that may change the agenda."""
    prefix = invocation.prefix
    settings = env.settings
    place = await room_place(tx, room.room_id)
    in_direct_chat = _is_direct_chat(room, place)
    language = await _reply_language(tx, event.sender, place, in_direct_chat=in_direct_chat)
    if not invocation.text:
        await _reply(event, help_overview(env.registry, prefix, settings.bot.command_aliases, language), env, tx)
        return False
    lookup = env.registry.find(invocation.text)
    command = lookup.command
    if command is None:
        await _reply(event, unknown_command_reply(lookup.attempted, prefix, language), env, tx)
        return False
    threshold = settings.bot.moderator_power_level
    route = route_for(command, place.role, has_backroom=place.backroom_id is not None)
    is_moderator = moderates(event.sender, room, place, env.rooms, threshold)
    if route is Route.REFUSE_AND_REDACT:
        # Before the permission check: whoever sent it, the message names people and should not stay.
        log.info("command refused", extra={"command": command.name, "reason": "sensitive in the dialogue room"})
        refused = await refuse_and_redact(
            tx,
            command,
            event,
            room,
            place,
            prefix,
            env.bot.user_id,
            env.now,
            sender_is_moderator=is_moderator,
            language=language,
        )
        await _reply(event, refused, env, tx)
        return False
    if place.role is RoomRole.BACKROOM and not room.is_private and command.sensitive is not None:
        # Someone opened the back-room after it was linked: whoever joins could read the roster and listings.
        log.info("command refused", extra={"command": command.name, "reason": "back-room not private"})
        await _reply(
            event,
            Reply.plain(bot_text(language, BACKROOM_NOT_PRIVATE, prefix=prefix, join_rule=room.join_rule)),
            env,
            tx,
        )
        return False
    if route is Route.REFUSE_NOT_IN_BACKROOM:
        log.info("command refused", extra={"command": command.name, "reason": "not in a back-room"})
        await _reply(
            event, Reply.plain(bot_text(language, NOT_IN_BACKROOM, prefix=prefix, command=command.name)), env, tx
        )
        return False
    is_isu = event.sender in settings.bot.isu_users
    if not _permitted(command.permission, is_moderator, is_isu):
        log.info("command refused", extra={"command": command.name, "reason": "permission"})
        await _reply(event, permission_reply(command, prefix, threshold, language), env, tx)
        return False
    if route is Route.REFUSE_POINT_TO_BACKROOM:
        log.info("command refused", extra={"command": command.name, "reason": "answered in the back-room"})
        await _reply(
            event, Reply.plain(bot_text(language, ASK_IN_BACKROOM, prefix=prefix, command=command.name)), env, tx
        )
        return False
    try:
        args = command.parse(lookup.raw_args)
    except UsageError as problem:
        await _reply(event, usage_reply(command, prefix, problem.message or None, language, problem.values), env, tx)
        return False
    by_direct_message = route is Route.ANSWER_BY_DIRECT_MESSAGE
    call = CommandCall(
        command=command,
        args=args,
        raw_args=lookup.raw_args,
        prefix=prefix,
        event=event,
        room=room,
        settings=settings,
        bot=env.bot,
        registry=env.registry,
        now=env.now,
        sender_is_moderator=is_moderator,
        sender_is_isu=is_isu,
        slow_work=env.slow_work,
        rooms=env.rooms,
        dialogue_room_id=place.dialogue_room_id,
        answer_to=Person(event.sender) if by_direct_message else Room(room.room_id),
        language=language,
        in_direct_chat=in_direct_chat,
    )
    took_effect = False
    try:
        reply = await command.handler(call, tx)
        took_effect = True
    except UsageError as problem:
        reply = usage_reply(command, prefix, problem.message or None, language, problem.values)
    except CommandRefused as refusal:
        reply = Reply.plain(str(refusal))
    log.info("command run", extra={"command": command.name})
    if by_direct_message:
        if reply is not None:
            await queue_direct_message(tx, event.sender, reply, env.now)
        await _reply(event, Reply.plain(bot_text(language, ANSWERED_PRIVATELY, prefix=prefix)), env, tx)
    elif reply is not None:
        await _reply(event, reply, env, tx)
    return took_effect and command.changes_agenda


async def language_of_reply(tx: Transaction, sender: UserId, room: RoomSnapshot | None, room_id: RoomId) -> str | None:
    """The language of a reply to `sender`'s event in `room_id` (handlers/languages.py), as for a command's reply;
    without a snapshot of the room, it is taken for a room, not a direct chat."""
    place = await room_place(tx, room_id)
    in_direct_chat = room is not None and _is_direct_chat(room, place)
    return await _reply_language(tx, sender, place, in_direct_chat=in_direct_chat)


def _is_direct_chat(room: RoomSnapshot, place: Place) -> bool:
    """A chat with the bot alone (as handlers/contributions.py takes a direct message): no dialogue, two members."""
    return place.role is RoomRole.OTHER and room.joined_member_count <= 2


async def _reply_language(tx: Transaction, sender: UserId, place: Place, *, in_direct_chat: bool) -> str | None:
    """The language of the replies to a command (handlers/languages.py)."""
    if in_direct_chat:
        return reply_language(
            in_direct_chat=True, preference=await tx.language_preferences.get(sender), dialogue_language=None
        )
    dialogue = None
    if place.role is not RoomRole.OTHER:
        dialogue = await tx.dialogues.latest_in_room(place.dialogue_room_id)
    if dialogue is None:
        preference = await tx.language_preferences.get(sender)
        return reply_language(in_direct_chat=False, preference=preference, dialogue_language=None, has_dialogue=False)
    return reply_language(in_direct_chat=False, preference=None, dialogue_language=room_language(dialogue))


def _permitted(permission: Permission, is_moderator: bool, is_isu: bool) -> bool:
    if permission is Permission.ANYONE:
        return True
    if permission is Permission.MODERATOR:
        return is_moderator
    return is_moderator or is_isu


async def _reply(event: InboundEvent, reply: Reply, env: HandlerEnv, tx: Transaction) -> None:
    await queue_reply(tx, event, reply, env.now)


async def _notify_encryption_unavailable(room_id: RoomId, env: HandlerEnv, tx: Transaction) -> None:
    """Say once per room, with nothing from the room in it, that the bot cannot work there."""
    if await tx.rooms.crypto_notice_sent(room_id):
        return
    await tx.rooms.set_crypto_notice_sent(room_id)
    # A notice in the room: in its dialogue's language (handlers/languages.py), English where there is none.
    language = room_language(await tx.dialogues.latest_in_room(room_id))
    await queue_notice(tx, room_id, Reply.plain(bot_text(language, CRYPTO_OFF_NOTICE)), env.now)
    log.warning("encrypted room but encryption is off", extra={"room_id": room_id})
