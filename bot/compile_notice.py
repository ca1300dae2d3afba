"""A synopsis compile that takes a while says so: one notice in the room the command came from ("Compiling the draft
synopsis…"), edited to "… done." once the command is answered.

Exactly once, also across a restart during the compile: the notice's outbox transaction ID is derived from the
command's event ID, and it is queued with `enqueue_once`, so however often the compile is started again for that
event (a restart, a second round because the material changed) there is one notice, and the homeserver would drop a
repeat anyway. The edit is queued in the command's last transaction, the one that marks it done, and only when a
notice was queued for it, so it too is queued once. Both go to the same room, the edit after the notice, so the
sender finds the notice's event ID when it sends the edit (`storage.outbox.Edit`).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable

from dialogue.vocabulary import RoomId
from handlers.context import RoomSnapshot
from handlers.dispatch import language_of_reply
from handlers.events import InboundEvent
from handlers.replies import Reply, notice_content
from i18n import bot_marked, bot_text
from storage import Edit, Room, RoomMessage, Transaction

NOTICE_AFTER_SECONDS = 2.0
"""A compile still running after this long gets its notice; a quicker one is answered without."""
WORKING = bot_marked("Compiling the draft synopsis…")
DONE = bot_marked("Compiling the draft synopsis… done.")
FAILED = bot_marked("Compiling the draft synopsis… it failed (see below).")


def notice_txn_id(event_id: str) -> str:
    return "dlgcompiling" + hashlib.sha256(event_id.encode()).hexdigest()[:32]


async def announce_if_slow(work: Awaitable[None], after: float, announce: Callable[[], Awaitable[None]]) -> None:
    """Await `work`; if it is not done within `after` seconds, `announce()` meanwhile (once)."""
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=after)
        if not done:
            await announce()
        await task
    finally:
        if not task.done():  # we were cancelled: the work goes with us
            task.cancel()


async def queue_notice(
    tx: Transaction, room_id: RoomId, command: InboundEvent, now: float, room: RoomSnapshot | None = None
) -> bool:
    """Queue the notice for `command` unless it was queued before; whether it was queued now.

    In the language of the command's own reply (handlers/languages.py); `room` tells a direct chat from a room."""
    language = await language_of_reply(tx, command.sender, room, room_id)
    content = notice_content(Reply.plain(bot_text(language, WORKING)), in_reply_to=command)
    return await tx.outbox.enqueue_once(notice_txn_id(command.event_id), Room(room_id), RoomMessage(content), now)


async def queue_outcome(
    tx: Transaction,
    room_id: RoomId,
    command: InboundEvent,
    now: float,
    *,
    failed: bool,
    room: RoomSnapshot | None = None,
) -> bool:
    """Queue the edit that ends the notice, if `command` got one; whether it did (in the notice's language)."""
    txn_id = notice_txn_id(command.event_id)
    if not await tx.outbox.was_queued(txn_id):
        return False
    language = await language_of_reply(tx, command.sender, room, room_id)
    text = bot_text(language, FAILED if failed else DONE)
    await tx.outbox.enqueue(Room(room_id), Edit(txn_id, notice_content(Reply.plain(text))), now)
    return True
