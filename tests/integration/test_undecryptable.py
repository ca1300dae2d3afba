"""Messages the bot cannot decrypt (yet), against a real Synapse: retried over the whole backlog, their keys
requested (again after a restart), and, after a while, their sender told privately that they could not be read."""

from __future__ import annotations

from typing import Any

import nio
import pytest

from demo.events import body_of, is_reply_from
from tests.integration.helpers import invite_bot_and_wait, withhold_next_room_key

pytestmark = pytest.mark.integration

# More than the 200 oldest that the bot used to retry: a backlog of messages whose keys never come.
UNREADABLE_AHEAD = 201
NOTICE_PHRASE = "could not be read"


async def send_encrypted(user: Any, room: str, body: str) -> str:
    """Send with the room's current outbound megolm session as it is (a withheld one stays withheld)."""
    response = await user.client.room_send(
        room, "m.room.message", {"msgtype": "m.text", "body": body}, ignore_unverified_devices=True
    )
    assert isinstance(response, nio.RoomSendResponse), response
    return str(response.event_id)


async def bot_has_stored_everything_sent_so_far(user: Any, plain_room: str, bot_user_id: str) -> None:
    """The bot syncs in order: once it answers this ping, it has stored every event the user sent before it."""
    asked = await user.send_text(plain_room, "!dialogue ping")
    await user.wait_for(plain_room, is_reply_from(bot_user_id, asked), timeout=180, description="the bot's ping reply")


def replies_to(user: Any, room: str, bot_user_id: str, event_id: str) -> list[nio.Event]:
    return [event for event in user.events(room) if is_reply_from(bot_user_id, event_id)(event)]


def is_unreadable_notice(bot_user_id: str):  # type: ignore[no-untyped-def]
    return lambda event: event.sender == bot_user_id and NOTICE_PHRASE in body_of(event)


def record_room_key_requests(user: Any) -> list[nio.RoomKeyRequest]:
    """Every m.room_key_request to-device event the user's client receives, in order.

    nio handles key requests from other people's devices itself and shows them to no callback, so the test looks
    at the to-device events as the client takes them in."""
    received: list[nio.RoomKeyRequest] = []
    client = user.client
    take_in = client._handle_decrypt_to_device

    def recording(event: Any) -> Any:
        if isinstance(event, nio.RoomKeyRequest):
            received.append(event)
        return take_in(event)

    client._handle_decrypt_to_device = recording
    return received


async def test_a_late_key_is_used_even_behind_more_unreadable_messages_than_one_retry_took(make_user, bot_factory):
    bot = await bot_factory()
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=True)
    plain_room = await moderator.create_room(encrypted=False)
    await invite_bot_and_wait(moderator, room, bot.user_id)
    await invite_bot_and_wait(moderator, plain_room, bot.user_id)
    warm_up = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, warm_up), timeout=60)

    for number in range(UNREADABLE_AHEAD):
        # Never released: these stay unreadable for good. A fresh session every 90 messages, since nio rotates
        # (and would share) an outbound session after 100.
        if number % 90 == 0:
            withhold_next_room_key(moderator, room)
        await send_encrypted(moderator, room, f"unreadable {number}")
    late_key = withhold_next_room_key(moderator, room)
    late = await send_encrypted(moderator, room, "!dialogue ping")
    await bot_has_stored_everything_sent_so_far(moderator, plain_room, bot.user_id)
    assert not replies_to(moderator, room, bot.user_id, late)

    await late_key.release()

    await moderator.wait_for(room, is_reply_from(bot.user_id, late), timeout=180, description="reply to the late one")
    after = await send_encrypted(moderator, room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, after), timeout=120)
    assert len(replies_to(moderator, room, bot.user_id, late)) == 1
    assert "late room keys arrived" in bot.log_text()


async def test_the_sender_of_a_message_that_stays_unreadable_is_told_once_privately_without_its_content(
    make_user, bot_factory
):
    # 0.05 minutes: three seconds instead of an hour.
    bot = await bot_factory(extra_config={"bot": {"undecryptable_notice_minutes": 0.05}})
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=True, name="Norms dialogue")
    plain_room = await moderator.create_room(encrypted=False)
    # Sent before the bot joins: history it was not there for, which it can never read and never asks about.
    await send_encrypted(moderator, room, "said before the bot came")
    await invite_bot_and_wait(moderator, room, bot.user_id)
    await invite_bot_and_wait(moderator, plain_room, bot.user_id)
    warm_up = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, warm_up), timeout=60)

    withheld = withhold_next_room_key(moderator, room)
    secret = "Quokka-Zanzibar"
    unreadable = await send_encrypted(moderator, room, f"!dialogue ping {secret}")

    direct_room, notice = await moderator.wait_for_any_room(
        is_unreadable_notice(bot.user_id), timeout=180, description="the private notice"
    )
    assert direct_room not in (room, plain_room)
    text = body_of(notice)
    assert "Norms dialogue" in text and "send it again" in text, text
    assert secret not in str(notice.source) and unreadable not in str(notice.source)
    # One message, the one sent after the bot joined: the earlier one is history, not the sender's problem.
    assert text.count("Norms dialogue") == 1, text

    # Still just one after a restart (the notice is remembered) and further syncs.
    await bot.stop()
    await bot.start()
    await bot_has_stored_everything_sent_so_far(moderator, plain_room, bot.user_id)
    await bot_has_stored_everything_sent_so_far(moderator, plain_room, bot.user_id)
    assert len([e for e in moderator.events(direct_room) if is_unreadable_notice(bot.user_id)(e)]) == 1

    # The message was not given up on: a key that comes after the notice still gets it handled, once.
    await withheld.release()
    await moderator.wait_for(room, is_reply_from(bot.user_id, unreadable), timeout=180)
    after = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, after), timeout=120)
    assert len(replies_to(moderator, room, bot.user_id, unreadable)) == 1
    assert "awaiting keys" in bot.log_text()


async def test_after_a_restart_the_bot_asks_the_sender_again_for_a_missing_key(make_user, bot_factory):
    bot = await bot_factory()
    moderator = await make_user("mod")
    requests = record_room_key_requests(moderator)
    room = await moderator.create_room(encrypted=True)
    plain_room = await moderator.create_room(encrypted=False)
    await invite_bot_and_wait(moderator, room, bot.user_id)
    await invite_bot_and_wait(moderator, plain_room, bot.user_id)
    warm_up = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, warm_up), timeout=60)

    withheld = withhold_next_room_key(moderator, room)
    late = await send_encrypted(moderator, room, "!dialogue ping")
    await bot_has_stored_everything_sent_so_far(moderator, plain_room, bot.user_id)
    await bot.stop()
    requests.clear()

    await bot.start()

    def asked_for_the_withheld_key() -> list[nio.RoomKeyRequest]:
        return [
            request
            for request in requests
            if request.session_id == withheld.session_id and request.room_id == room and request.sender == bot.user_id
        ]

    await moderator._wait_until(asked_for_the_withheld_key, 180, lambda: "a room key request from the restarted bot")
    # Answering the request (by sharing the key again) gets the message handled, once.
    await withheld.release()
    await moderator.wait_for(room, is_reply_from(bot.user_id, late), timeout=180)
    after = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, after), timeout=120)
    assert len(replies_to(moderator, room, bot.user_id, late)) == 1
