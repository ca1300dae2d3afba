"""`!dialogue web [<dialogue>]`: the secretariat gets a signed, expiring link to a dialogue's web view (web/).

Only ISU users (`bot.isu_users`) get one, and only by direct message: whoever holds the link sees the draft until it
expires (`web.link_minutes`). Sent in a room, the room is told only that the link went by direct message.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from handlers.arguments import small_number
from handlers.commands import CommandCall, CommandRefused, UsageError
from handlers.outgoing import queue_direct_message
from handlers.replies import Reply
from handlers.synopsis_commands import room_dialogue
from web.tokens import LinkSigner, read_or_create_key

if TYPE_CHECKING:
    from storage import Transaction


def web_arguments(raw: str) -> int | None:
    """The dialogue's number, or None for the room's own dialogue."""
    words = raw.split()
    if not words:
        return None
    number = small_number(words[0])
    if len(words) != 1 or number is None:
        raise UsageError("give a dialogue's number (see dialogues), or nothing for this room's dialogue")
    return number


def link_for(base: str, dialogue_id: int, token: str) -> str:
    return f"{base}/d/{dialogue_id}?t={token}"


async def web_link(call: CommandCall[int | None], tx: Transaction) -> Reply | None:
    if not call.sender_is_isu:
        raise CommandRefused("Only the secretariat (ISU users) may open the web view.")
    base = call.settings.web.link_base()
    if base is None:
        raise CommandRefused("The web view is not enabled: the operator sets web.listen (and web.base_url).")
    if call.args is None:
        dialogue = await room_dialogue(call, tx)
    else:
        named = await tx.dialogues.get(call.args)
        if named is None:
            raise CommandRefused(f"No dialogue {call.args}. {call.prefix} dialogues lists them.")
        dialogue = named
    # The key is made once, in the data directory; reading a small file still goes off the event loop.
    key = await asyncio.to_thread(read_or_create_key, call.settings.bot.data_dir)
    expires_at = int(call.now) + call.settings.web.link_minutes * 60
    link = link_for(base, dialogue.id, LinkSigner(key).sign(dialogue.id, expires_at))
    until = datetime.fromtimestamp(expires_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    message = Reply.plain(
        f"The web view of “{dialogue.title}” (dialogue {dialogue.id}), read-only, until {until}: {link}\n"
        "Do not pass it on: whoever opens it sees the draft until then."
    )
    if call.in_direct_chat:
        return message
    await queue_direct_message(tx, call.event.sender, message, call.now)
    return Reply.plain("I sent you the link by direct message.")
