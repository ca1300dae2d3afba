"""Queueing the bot's messages: every outgoing event goes through the transaction's outbox, as a typed item."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dialogue.vocabulary import EventId, RoomId, UserId
from handlers.events import InboundEvent
from handlers.replies import Reply, notice_content
from handlers.reply_parts import split_reply
from storage.outbox import FileUpload, MediaDeletion, Person, Reaction, Redaction, Room, RoomMessage

if TYPE_CHECKING:
    from storage import Transaction

ACKNOWLEDGEMENT = "✅"


async def queue_reply(tx: Transaction, event: InboundEvent, reply: Reply, now: float) -> str:
    """Answer `event` with a notice (in its thread, if it was in one); returns the (first part's) transaction ID.

    A reply too long for one event goes out as numbered parts, in order (handlers/reply_parts.py)."""
    txn_ids = [
        await tx.outbox.enqueue(Room(event.room_id), RoomMessage(notice_content(part, in_reply_to=event)), now)
        for part in split_reply(reply)
    ]
    return txn_ids[0]


async def queue_notice(
    tx: Transaction, room_id: RoomId, reply: Reply, now: float, *, thread_root: str | None = None
) -> str:
    """A notice in the room, or in the thread under `thread_root` (in numbered parts if it is too long)."""
    txn_ids = []
    for part in split_reply(reply):
        content: dict[str, Any] = notice_content(part)
        if thread_root is not None:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread_root,
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": thread_root},
            }
        txn_ids.append(await tx.outbox.enqueue(Room(room_id), RoomMessage(content), now))
    return txn_ids[0]


async def queue_message(tx: Transaction, room_id: RoomId, reply: Reply, now: float) -> str:
    """A plain `m.text` message (a challenge's prompt, which participants reply to in its thread)."""
    content = notice_content(reply)
    content["msgtype"] = "m.text"
    return await tx.outbox.enqueue(Room(room_id), RoomMessage(content), now)


async def queue_acknowledgement(tx: Transaction, event: InboundEvent, now: float) -> str:
    return await tx.outbox.enqueue(Room(event.room_id), Reaction(event.event_id, ACKNOWLEDGEMENT), now)


async def queue_direct_message(tx: Transaction, user_id: UserId, reply: Reply, now: float) -> str:
    """A notice to one person in a direct chat. The outbox row names the person; the sender finds (or creates) the
    direct room when it sends, since making a room is I/O the handlers do not do. Long ones go in parts."""
    txn_ids = [
        await tx.outbox.enqueue(Person(user_id), RoomMessage(notice_content(part)), now) for part in split_reply(reply)
    ]
    return txn_ids[0]


async def queue_file(
    tx: Transaction,
    destination: Room | Person,
    filename: str,
    mimetype: str,
    data: bytes,
    now: float,
    *,
    dialogue_id: int | None = None,
) -> str:
    """A file for the sender to upload and post in a room, or to a person in their direct room with the bot (uploading
    is I/O, which handlers leave to the bot).

    With ``dialogue_id``, the sender records the upload's mxc URI under that dialogue, so that purging the
    dialogue can have the file deleted from the media store."""
    return await tx.outbox.enqueue(destination, FileUpload(filename, mimetype, data, dialogue_id), now)


async def queue_media_deletion(
    tx: Transaction, room_id: RoomId, mxc_uris: list[str], now: float, language: str | None = None
) -> str:
    """Have the sender delete these uploads from the media store and then say in the room how that went (in
    `language`, the dialogue's)."""
    return await tx.outbox.enqueue(Room(room_id), MediaDeletion(tuple(mxc_uris), language), now)


async def queue_redaction(tx: Transaction, room_id: RoomId, event_id: EventId, reason: str, now: float) -> str:
    """Have the sender remove `event_id` from the room; its transaction ID makes a retry remove it once."""
    return await tx.outbox.enqueue(Room(room_id), Redaction(event_id, reason), now)
