"""The bot's Matrix client: matrix-nio's AsyncClient, except that room state comes only from the server.

matrix-nio decrypts megolm events while it processes a sync (and a `/messages` page) and then treats the decrypted
event like any other: one whose payload says `"type": "m.room.power_levels"` (or `m.room.member`,
`m.room.create`, `m.room.encryption` …) is applied to the in-memory room state. The payload is written by whoever
sent the event, so any participant could raise their own power level, or add a member nio would then share room
keys with. Only the homeserver, through the sync's state and unencrypted timeline, may change what the bot
believes about a room.

The fix chosen here is the narrowest one that cannot be bypassed: this client never decrypts room events itself,
so a decrypted payload never reaches nio's room-state code at all. The bot decrypts each event in one place
(`bot/decryption.py`), with the server's envelope in hand, and builds the inbox source from the envelope plus the
payload's type and content only. Filtering the decrypted events by type instead would leave nio's state code one
forgotten event type away from the same hole, and would lose the envelope the bot needs anyway.

This overrides three of nio's private hooks (checked against matrix-nio 0.26); `tests/unit/test_server_state_client.py`
fails if a nio upgrade changes them.
"""

from __future__ import annotations

from typing import Any

from nio import AsyncClient, MatrixRoom, MegolmEvent, RoomContextResponse, RoomMessagesResponse


class ServerStateClient(AsyncClient):
    """An AsyncClient that leaves megolm events encrypted, so nothing inside them can change room state."""

    def _handle_timeline_event(
        self, event: Any, room_id: str, room: MatrixRoom, encrypted_rooms: set[str]
    ) -> Any | None:
        if isinstance(event, MegolmEvent):
            # Left as it came; the sync loop decrypts it. The room is the one the server delivered it in.
            event.room_id = room_id
            return None
        # A server event (state or unencrypted timeline): nio applies it to the room as usual.
        return super()._handle_timeline_event(event, room_id, room, encrypted_rooms)

    def _handle_messages_response(self, response: RoomMessagesResponse) -> None:
        # Back-filled pages stay encrypted too; the sync loop decrypts them the same way as live events.
        for event in response.chunk:
            if isinstance(event, MegolmEvent):
                event.room_id = response.room_id

    def _handle_context_response(self, response: RoomContextResponse) -> None:
        # The bot does not ask for event context; should it ever, the events stay encrypted here as well.
        return None
