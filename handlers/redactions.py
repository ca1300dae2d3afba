"""Redactions: who may withdraw a contribution or a 👍, and what a redaction of a not-yet-seen event may suppress.

Matrix lets a room's power levels allow anyone to redact anything, and a redaction names its target only by event
ID. The bot therefore decides itself whether a redaction counts:
- it comes from the server as it is (a redaction inside an encrypted payload is the sender's claim, never honoured);
- it is in the same room as its target;
- its sender is the target's author (for support: its supporter), compared by pseudonymous key, or a moderator of
  the target's dialogue room by real power level.

A redaction can arrive before its target (the target's room key came late, or the bot was catching up). Then the
bot cannot tell whose the target is, so it records a tombstone: the room, a keyed hash of the redactor (under a
secret of the bot's own, per room, since the target's dialogue is not known yet), and whether the redactor was a
moderator of that room's dialogue. When the target arrives, the tombstone suppresses it only if it is in the same
room and the redactor was its own sender or such a moderator. A stranger's redaction thus cannot pre-emptively
silence someone else, while an author's own redaction, or a moderator's, holds whichever order things arrive in.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from handlers.context import RoomLookup, RoomSnapshot
from handlers.events import InboundEvent
from privacy import contributor_key, new_dialogue_secret, room_member_key

if TYPE_CHECKING:
    from storage import Transaction

log = logging.getLogger(__name__)

TOMBSTONE_SECRET_KEY = "tombstones.secret"


async def handle_redaction(
    event: InboundEvent, room: RoomSnapshot, rooms: RoomLookup, threshold: int, tx: Transaction, now: float
) -> None:
    """Withdraw the contribution (original or edit) or the support a redaction names, if its sender may."""
    target = event.redacts
    if target is None or event.was_encrypted:
        return
    contribution = await tx.contributions.by_event(target)
    if contribution is not None:
        if await _may_remove(
            event,
            room,
            rooms,
            threshold,
            await tx.contributions.was_sent_in(contribution, event.room_id),
            contribution.dialogue_id,
            contribution.member_key,
            tx,
        ):
            await tx.contributions.delete(contribution.id)
        else:
            log.info(
                "redaction not honoured: neither the author's nor a moderator's", extra={"event_id": event.event_id}
            )
        return
    support = await tx.contributions.support_by_reaction(target)
    if support is not None:
        supported = await tx.contributions.get(support.contribution_id)
        if supported is not None and await _may_remove(
            event,
            room,
            rooms,
            threshold,
            await tx.contributions.was_sent_in(supported, event.room_id),
            supported.dialogue_id,
            support.member_key,
            tx,
        ):
            await tx.contributions.remove_support_by_reaction(target)
        else:
            log.info(
                "redaction not honoured: neither the supporter's nor a moderator's", extra={"event_id": event.event_id}
            )
        return
    # The target has not arrived yet: remember who redacted it, so that it is dropped on arrival if they may.
    dialogue = await tx.dialogues.active_in_room(room.room_id)
    await tx.contributions.tombstone(
        target,
        now,
        room_id=room.room_id,
        redactor_key=room_member_key(await _tombstone_secret(tx), room.room_id, event.sender),
        by_moderator=dialogue is not None and room.is_moderator(event.sender, threshold),
    )


async def redacted_before_seen(event: InboundEvent, tx: Transaction) -> bool:
    """Whether a redaction that arrived before `event` suppresses it (see the module's docstring for the rule)."""
    tombstones = await tx.contributions.tombstones_for(event.event_id)
    if not tombstones:
        return False
    sender_key: str | None = None
    for tombstone in tombstones:
        if tombstone.room_id is None:
            return True  # recorded before the bot kept who redacted; it suppressed its target then, and still does
        if tombstone.room_id != event.room_id:
            continue
        if tombstone.by_moderator:
            return True
        if sender_key is None:
            sender_key = room_member_key(await _tombstone_secret(tx), event.room_id, event.sender)
        if tombstone.redactor_key == sender_key:
            return True
    return False


async def _may_remove(
    event: InboundEvent,
    room: RoomSnapshot,
    rooms: RoomLookup,
    threshold: int,
    same_room: bool,
    dialogue_id: int,
    owner_key: str,
    tx: Transaction,
) -> bool:
    """Whether the redaction's sender may remove what `owner_key` recorded; `same_room`: the target is in its room."""
    if not same_room:
        return False
    dialogue = await tx.dialogues.get(dialogue_id)
    if dialogue is None:
        return False
    if dialogue.secret and contributor_key(dialogue.secret, event.sender) == owner_key:
        return True
    dialogue_room = room if dialogue.room_id == room.room_id else rooms(dialogue.room_id)
    return dialogue_room is not None and dialogue_room.is_moderator(event.sender, threshold)


async def _tombstone_secret(tx: Transaction) -> bytes:
    """The bot's own secret for keying redactors in tombstones; made on first use, kept with the other state."""
    stored = await tx.state.get(TOMBSTONE_SECRET_KEY)
    if stored is not None:
        return bytes.fromhex(stored)
    secret = new_dialogue_secret()
    await tx.state.set(TOMBSTONE_SECRET_KEY, secret.hex())
    return secret
