"""Commands that destroy data (`forget-me`, `purge`) ask first and act only on `<command> confirm`, sent by the same
key in the same room within a few minutes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.commands import CommandCall, CommandRefused
from handlers.replies import Reply

if TYPE_CHECKING:
    from storage import Transaction


@dataclass(frozen=True, slots=True)
class Confirmation:
    key: str  # whose confirmation it is (a member's key, or the dialogue for `purge`)
    action: str
    window_seconds: float


async def confirmation_step(
    call: CommandCall, tx: Transaction, confirmation: Confirmation, *, ask: str, not_asked: str
) -> Reply | None:
    """None when `call` confirms a request made in time: go ahead. Without `confirm` (the command's only argument,
    parsed as a bool), the request is recorded and `ask` is the reply; a `confirm` with nothing asked is refused
    with `not_asked`."""
    room_id = call.room.room_id
    if not call.args:
        await tx.confirmations.request(
            room_id, confirmation.key, confirmation.action, call.now + confirmation.window_seconds
        )
        return Reply.plain(ask)
    if not await tx.confirmations.take(room_id, confirmation.key, confirmation.action, call.now):
        raise CommandRefused(not_asked)
    return None
