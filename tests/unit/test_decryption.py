"""Decrypted events: state only from the server, and the server's envelope around the sender's payload.

These use a real matrix-nio client with a real olm machine (no homeserver): the payload is encrypted with a megolm
session the client holds the inbound half of, exactly as a participant's client would encrypt it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, AsyncClientConfig, MegolmEvent, SyncResponse

from bot.decryption import decrypt_for_inbox, inbox_source
from bot.server_state_client import ServerStateClient
from bot.undecrypted import UndecryptedEvents
from handlers.events import InboundEvent
from storage import Database, NewInboxEvent
from tests.unit.fakes import make_settings

ROOM = "!room:test"
OTHER_ROOM = "!other:test"
BOT = "@bot:test"
MALLORY = "@mallory:test"
MEMBERS = ("@alice:test", MALLORY, BOT)

ENVELOPE = {
    "type": "m.room.encrypted",
    "event_id": "$envelope",
    "sender": MALLORY,
    "origin_server_ts": 1_700_000_000_000,
    "unsigned": {"age": 12},
    "content": {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "…", "session_id": "s", "device_id": "D"},
}


# -- the pure part: what the inbox source is made of ----------------------------------------------------------------


def test_the_source_takes_type_and_content_from_the_payload_and_everything_else_from_the_envelope() -> None:
    payload = {
        "type": "m.room.message",
        "content": {"msgtype": "m.text", "body": "hello"},
        "room_id": ROOM,
        "event_id": "$forged",
        "sender": "@someone-else:test",
        "origin_server_ts": 1,
        "state_key": "",
        "redacts": "$victim",
        "unsigned": {"prev_content": {"membership": "join"}},
    }

    source = inbox_source(ENVELOPE, payload, ROOM)

    assert source == {
        "type": "m.room.message",
        "content": {"msgtype": "m.text", "body": "hello"},
        "event_id": "$envelope",
        "sender": MALLORY,
        "origin_server_ts": 1_700_000_000_000,
        "room_id": ROOM,
        "unsigned": {"age": 12},
    }


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "m.room.message", "content": {"body": "x"}, "room_id": OTHER_ROOM},
        {"type": "m.room.message", "content": {"body": "x"}},
        {"type": "m.room.message", "content": "not an object", "room_id": ROOM},
        {"content": {"body": "x"}, "room_id": ROOM},
    ],
    ids=["another-room", "no-room", "bad-content", "no-type"],
)
def test_a_payload_naming_another_room_or_malformed_is_dropped(payload: dict[str, Any]) -> None:
    assert inbox_source(ENVELOPE, payload, ROOM) is None


def test_the_handlers_view_of_a_decrypted_source_has_the_inbox_rows_room_and_no_state_key_or_redacts() -> None:
    source = {**ENVELOPE, "type": "m.room.member", "state_key": MALLORY, "redacts": "$x", "room_id": OTHER_ROOM}

    event = InboundEvent.from_source(source, ROOM, was_encrypted=True)

    assert (event.room_id, event.state_key, event.redacts, event.is_state) == (ROOM, None, None, False)


# -- with a real olm machine ----------------------------------------------------------------------------------------


def _client(cls: type[AsyncClient], store: Path) -> AsyncClient:
    store.mkdir(parents=True, exist_ok=True)
    config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False, pickle_key="test-key")
    client = cls("http://127.0.0.1:1", BOT, device_id="BOTDEVICE", store_path=str(store), config=config)
    client.restore_login(BOT, "BOTDEVICE", "token")
    return client


@pytest.fixture
async def bot_client(tmp_path: Path) -> AsyncIterator[AsyncClient]:
    client = _client(ServerStateClient, tmp_path / "bot")
    yield client
    await client.close()


def encrypted(client: AsyncClient, payload: dict[str, Any], event_id: str = "$forged") -> dict[str, Any]:
    """A megolm envelope from MALLORY around `payload`, in a session whose inbound half `client` holds."""
    olm = client.olm
    assert olm is not None
    if ROOM not in olm.outbound_group_sessions:
        olm.create_outbound_group_session(ROOM)  # also stores the inbound half, as for a received room key
    session = olm.outbound_group_sessions[ROOM]
    session.shared = True  # nio encrypts only with a session it believes shared; sharing needs a homeserver
    return {
        "type": "m.room.encrypted",
        "event_id": event_id,
        "sender": MALLORY,
        "origin_server_ts": 1_700_000_000_000,
        "unsigned": {"age": 5},
        "content": {
            "algorithm": "m.megolm.v1.aes-sha2",
            "sender_key": olm.account.identity_keys["curve25519"],
            "ciphertext": session.encrypt(json.dumps(payload)),
            "session_id": session.id,
            "device_id": "MALLORYDEVICE",
        },
    }


def sync_with_timeline(timeline: list[dict[str, Any]]) -> SyncResponse:
    state = [
        {
            "type": "m.room.member",
            "state_key": user,
            "sender": user,
            "event_id": f"$join-{index}",
            "origin_server_ts": 1,
            "content": {"membership": "join"},
        }
        for index, user in enumerate(MEMBERS)
    ]
    state.append(
        {
            "type": "m.room.power_levels",
            "state_key": "",
            "sender": "@alice:test",
            "event_id": "$pl",
            "origin_server_ts": 1,
            "content": {"users": {"@alice:test": 100}, "users_default": 0},
        }
    )
    response = SyncResponse.from_dict(
        {
            "next_batch": "s1",
            "rooms": {"join": {ROOM: {"state": {"events": state}, "timeline": {"events": timeline}}}},
        }
    )
    assert isinstance(response, SyncResponse), response
    return response


FORGED_POWER_LEVELS = {
    "type": "m.room.power_levels",
    "state_key": "",
    "room_id": ROOM,
    "content": {"users": {MALLORY: 100}, "users_default": 0},
}


async def test_plain_nio_applies_an_encrypted_fake_power_levels_event_to_room_state(tmp_path: Path) -> None:
    # The hole this module closes, shown on nio's own client so the test below cannot pass by accident.
    client = _client(AsyncClient, tmp_path / "plain")
    try:
        await client.receive_response(sync_with_timeline([encrypted(client, FORGED_POWER_LEVELS)]))
        assert client.rooms[ROOM].power_levels.get_user_level(MALLORY) == 100
    finally:
        await client.close()


async def test_the_bots_client_keeps_room_state_from_the_server_only(bot_client: AsyncClient) -> None:
    response = sync_with_timeline([encrypted(bot_client, FORGED_POWER_LEVELS)])

    await bot_client.receive_response(response)

    room = bot_client.rooms[ROOM]
    assert room.power_levels.get_user_level(MALLORY) == 0
    assert room.power_levels.get_user_level("@alice:test") == 100  # the server's power levels were applied
    timeline_event = response.rooms.join[ROOM].timeline.events[0]
    assert isinstance(timeline_event, MegolmEvent) and timeline_event.room_id == ROOM  # left for the sync loop


async def test_a_decryptable_event_becomes_the_envelope_around_the_payload(bot_client: AsyncClient) -> None:
    payload = {"type": "m.room.message", "room_id": ROOM, "content": {"msgtype": "m.text", "body": "hi"}}
    envelope = MegolmEvent.from_dict(encrypted(bot_client, payload))
    assert isinstance(envelope, MegolmEvent)

    outcome = decrypt_for_inbox(bot_client, envelope, ROOM)

    assert outcome.source is not None and not outcome.awaiting_key
    assert outcome.source["content"]["body"] == "hi"
    assert (outcome.source["event_id"], outcome.source["sender"], outcome.source["room_id"]) == (
        "$forged",
        MALLORY,
        ROOM,
    )
    assert outcome.source["unsigned"] == {"age": 5}


async def test_a_payload_naming_another_room_is_dropped_and_logged_without_content_or_people(
    bot_client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    payload = {"type": "m.room.message", "room_id": OTHER_ROOM, "content": {"msgtype": "m.text", "body": "secret"}}
    envelope = MegolmEvent.from_dict(encrypted(bot_client, payload))
    assert isinstance(envelope, MegolmEvent)

    with caplog.at_level(logging.DEBUG, logger="bot.decryption"):
        outcome = decrypt_for_inbox(bot_client, envelope, ROOM)

    assert outcome.dropped
    warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1
    logged = " ".join(f"{record.getMessage()} {record.__dict__}" for record in warnings)
    for private in ("secret", MALLORY, OTHER_ROOM):
        assert private not in logged


async def test_an_event_without_its_key_waits(bot_client: AsyncClient) -> None:
    envelope_source = encrypted(bot_client, {"type": "m.room.message", "room_id": ROOM, "content": {}})
    envelope_source["content"]["session_id"] = "a session nobody shared"
    envelope = MegolmEvent.from_dict(envelope_source)
    assert isinstance(envelope, MegolmEvent)

    assert decrypt_for_inbox(bot_client, envelope, ROOM).awaiting_key


# -- the late-decryption path ---------------------------------------------------------------------------------------


async def test_late_decryption_keeps_the_envelope_and_drops_a_payload_naming_another_room(
    bot_client: AsyncClient, tmp_path: Path
) -> None:
    fine = encrypted(bot_client, {"type": "m.room.message", "room_id": ROOM, "content": {"body": "ok"}}, "$fine")
    forged = encrypted(
        bot_client, {"type": "m.room.message", "room_id": OTHER_ROOM, "content": {"body": "!dialogue ping"}}, "$forged"
    )
    db = await Database.open(tmp_path / "bot.db")
    woken: list[int] = []
    undecrypted = UndecryptedEvents(
        bot_client, db, make_settings(tmp_path), on_decrypted=lambda: woken.append(1), on_outbox_changed=lambda: None
    )
    try:
        async with db.transaction() as tx:
            await tx.inbox.add(
                [NewInboxEvent(source["event_id"], ROOM, source, awaiting_key=True) for source in (fine, forged)], 1.0
            )

        await undecrypted.after_sync([], keys_may_have_arrived=True)  # what runs after a sync that brought room keys

        async with db.transaction() as tx:
            ready = await tx.inbox.next_ready(2.0)
            counts = await tx.inbox.counts()
    finally:
        await db.close()
    assert [row.event_id for row in ready] == ["$fine"]
    assert ready[0].source is not None and ready[0].source["sender"] == MALLORY
    assert ready[0].source["room_id"] == ROOM and ready[0].source["content"] == {"body": "ok"}
    assert counts["ignored"] == 1 and counts["awaiting_key"] == 0
    assert woken == [1]
