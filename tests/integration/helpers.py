"""Small predicates and steps shared by the integration tests."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import nio
from nio import Api

from demo.events import body_of, is_reply_from


async def invite_bot_and_wait(user: Any, room_id: str, bot_user_id: str) -> None:
    await user.invite(room_id, bot_user_id)
    await user.wait_for_membership(room_id, bot_user_id, "join", timeout=60)


async def link_backroom(moderator: Any, bot_user_id: str, dialogue_room: str, *, encrypted: bool) -> str:
    """Create a private room with the bot, make it the dialogue room's back-room, and return its ID."""
    backroom = await moderator.create_room(encrypted=encrypted, name="Moderators")
    await invite_bot_and_wait(moderator, backroom, bot_user_id)
    asked = await moderator.send_text(backroom, f"!dialogue backroom link {dialogue_room}")
    reply = await moderator.wait_for(backroom, is_reply_from(bot_user_id, asked), description="backroom link")
    assert body_of(reply).startswith("Linked"), body_of(reply)
    return str(backroom)


async def delegates(make_user: Any, count: int, surname: str) -> list[Any]:
    """`count` participants whose display names ("Delegate <surname>-<n>") a test can look for in what the bot wrote."""
    people = [await make_user(f"p{index}") for index in range(count)]
    for index, person in enumerate(people):
        await person.client.set_displayname(f"Delegate {surname}-{index}")
    return people


async def start_dialogue(moderator: Any, bot_user_id: str, people: list[Any]) -> str:
    """An encrypted room with the moderator, `people` and the bot, and a dialogue started in it; returns the room."""
    room = await moderator.create_room(encrypted=True, invite=[person.user_id for person in people])
    for person in people:
        await moderator.wait_for_membership(room, person.user_id, "join")
    await invite_bot_and_wait(moderator, room, bot_user_id)
    await moderator.send_text(room, "!dialogue start Strengthening the norms")
    await moderator.wait_for(room, lambda e: e.sender == bot_user_id and "Chatham House Rule" in body_of(e))
    return str(room)


def thread_relation(root: str) -> dict[str, Any]:
    """A reply in the thread under `root`, as Element sends it."""
    return {"rel_type": "m.thread", "event_id": root, "is_falling_back": True, "m.in_reply_to": {"event_id": root}}


class _SessionKeyFrozen:
    """An outbound megolm session that shares the key it had when wrapped, not its current ratchet state."""

    def __init__(self, session: Any) -> None:
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "session_key", session.session_key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._session, name, value)


class WithheldRoomKey:
    """The user's next messages in the room use a megolm session nobody has the key to, until `release()`."""

    def __init__(self, user: Any, room_id: str) -> None:
        self._user = user
        self._room_id = room_id
        olm = user.client.olm
        olm.create_outbound_group_session(room_id)
        self._session = olm.outbound_group_sessions[room_id]
        self._session.shared = True  # so nio encrypts with it without sharing it
        # Megolm ratchets on every message: keep the key as it was before the first one, to share it later.
        self._key_from_the_start = _SessionKeyFrozen(self._session)

    @property
    def session_id(self) -> str:
        """The megolm session whose key is withheld: what a room key request for these messages names."""
        return str(self._session.id)

    async def release(self) -> None:
        self._session.shared = False
        self._user.client.olm.outbound_group_sessions[self._room_id] = self._key_from_the_start
        await self._user.client.share_group_session(self._room_id, ignore_unverified_devices=True)


def withhold_next_room_key(user: Any, room_id: str) -> WithheldRoomKey:
    return WithheldRoomKey(user, room_id)


async def send_megolm_payload(user: Any, room_id: str, payload: dict[str, Any]) -> str:
    """Encrypt `payload` exactly as given and send it into `room_id`; returns the event ID.

    nio's own room_send writes the envelope's room into the payload; a modified client can write anything there
    (another `room_id`, a `state_key`, `redacts`). This is that client: the payload goes into the user's megolm
    session for `room_id` untouched, so everyone in the room, the bot included, can decrypt it.
    """
    async with user._send_lock:
        await user._prepare_encrypted(room_id)
        client = user.client
        olm = client.olm
        assert olm is not None
        if olm.should_share_group_session(room_id):
            shared = await client.share_group_session(room_id, ignore_unverified_devices=True)
            assert isinstance(shared, nio.ShareGroupSessionResponse), shared
        session = olm.outbound_group_sessions[room_id]
        content = {
            "algorithm": "m.megolm.v1.aes-sha2",
            "sender_key": olm.account.identity_keys["curve25519"],
            "ciphertext": session.encrypt(json.dumps(payload)),
            "session_id": session.id,
            "device_id": client.device_id,
        }
        method, path, data = Api.room_send(client.access_token, room_id, "m.room.encrypted", content, uuid4())
        response = await client._send(nio.RoomSendResponse, method, path, data, (room_id,))
    assert isinstance(response, nio.RoomSendResponse), response
    return str(response.event_id)


async def raw_room_events(user: Any, room_id: str, *, page: int = 500) -> list[dict[str, Any]]:
    """Every event of the room as the homeserver stores it (still encrypted), oldest first, via /messages.

    nio decrypts what it syncs and hands back the decrypted type, so a test that must see what went over the wire
    asks the homeserver directly."""
    events: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        path = nio.Api.room_messages(
            user.client.access_token, room_id, start=token, direction=nio.MessageDirection.back, limit=page
        )[1]
        response = await user.client.send("GET", path)
        body = await response.json()
        assert response.status == 200, body
        chunk = body.get("chunk", [])
        events.extend(chunk)
        token = body.get("end")
        if not chunk or token is None:
            return list(reversed(events))
