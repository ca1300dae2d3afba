"""Answering invites: join when the inviter is allowed (`bot.allowed_inviters`), else decline."""

from __future__ import annotations

import logging

from nio import AsyncClient, InviteMemberEvent, SyncResponse

from config import BotSettings

# Logged under the sync loop's name, as before this module was split from it: operators filter on that name.
log = logging.getLogger("bot.sync_loop")


async def answer_invites(client: AsyncClient, bot: BotSettings, response: SyncResponse) -> None:
    """Join each room the bot was invited to by an allowed inviter; decline the rest."""
    for room_id, info in response.rooms.invite.items():
        inviter = next(
            (
                event.sender
                for event in info.invite_state
                if isinstance(event, InviteMemberEvent)
                and event.state_key == client.user_id
                and event.membership == "invite"
            ),
            None,
        )
        if inviter is not None and bot.is_allowed_inviter(inviter):
            result = await client.join(room_id)
            log.info("invite accepted", extra={"room_id": room_id, "ok": not hasattr(result, "status_code")})
        else:
            await client.room_leave(room_id)
            log.info("invite declined: inviter not allowed", extra={"room_id": room_id})
