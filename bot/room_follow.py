"""Joining the room that replaced a dialogue room, and reading which room it says it replaces.

A tombstone (`m.room.tombstone`) names its replacement room; only that room's own `m.room.create` event, read from
the homeserver after joining, can confirm that it really continues the old one (`predecessor.room_id`). The
decision is the handler's (handlers/room_upgrades.py); this only does the I/O, outside any database transaction,
as slow work (handlers/slow_work.py).

An upgrade in Element is followed by invites to the new room a moment later, so a join refused at first is tried a
few more times over about half a minute before the moderators are told. A room the bot joined only to look at,
and that turns out not to be the successor, is left again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from nio import Api, AsyncClient, JoinResponse, RoomGetStateEventResponse
from nio.exceptions import LocalProtocolError

from bot.errors import NETWORK_ERRORS
from handlers.room_upgrades import predecessor_of
from handlers.slow_work import CheckReplacement, ReplacementCheck

log = logging.getLogger(__name__)

JOIN_RETRY_DELAYS_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0)
"""Waits between join attempts (about 30 s in all): long enough for the invites an upgrade brings, short enough that
the moderator who upgraded (whose later commands wait behind this) is not kept waiting long."""


class ReplacementRooms:
    def __init__(self, client: AsyncClient, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._client = client
        self._sleep = sleep

    async def check(self, request: CheckReplacement) -> ReplacementCheck:
        room_id = request.replacement_room_id
        already_there = room_id in self._client.rooms
        problem = await self._join(room_id, request.via_server)
        if problem is not None:
            # The errcode only: a homeserver's message may name users.
            reason = problem.partition(":")[0]
            log.warning("could not join the replacement room", extra={"room_id": room_id, "reason": reason})
            return ReplacementCheck(joined=False, problem=problem)
        response = await self._client.room_get_state_event(room_id, "m.room.create", "")
        content = response.content if isinstance(response, RoomGetStateEventResponse) else {}
        predecessor = predecessor_of(content if isinstance(content, dict) else {})
        if predecessor != request.old_room_id and not already_there:
            # Joined only to look; a room that is not the successor is none of the bot's business.
            await self._client.room_leave(room_id)
        return ReplacementCheck(joined=True, predecessor=predecessor)

    async def _join(self, room_id: str, via_server: str | None) -> str | None:
        """Join, trying again a few times; None once joined, else the last reason it failed."""
        problem = "no answer"
        for delay in (*JOIN_RETRY_DELAYS_SECONDS, None):
            try:
                response = await self._join_once(room_id, via_server)
                if isinstance(response, JoinResponse):
                    return None
                problem = f"{getattr(response, 'status_code', None) or 'error'}: {getattr(response, 'message', '')}"
            except (*NETWORK_ERRORS, LocalProtocolError) as error:
                problem = type(error).__name__
            if delay is not None:
                await self._sleep(delay)
        return problem[:200]

    async def _join_once(self, room_id: str, via_server: str | None) -> object:
        if via_server is None:
            return await self._client.join(room_id)
        # nio's join() cannot name a server to join through; a room on another server may need it.
        path = Api._build_path(
            ["join", room_id], {"access_token": self._client.access_token, "server_name": via_server}
        )
        return await self._client._send(JoinResponse, "POST", path, Api.to_json({}))
