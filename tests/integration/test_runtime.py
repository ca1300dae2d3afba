"""The bot's runtime against a real Synapse: help, permissions, invites, crash safety, back-fill, rate limits."""

from __future__ import annotations

import collections

import pytest

from demo.events import body_of, is_message_from, is_reply_from, replied_to
from tests.integration.helpers import invite_bot_and_wait

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_help_lists_the_commands_in_a_plain_and_an_encrypted_room(make_user, bot_factory, encrypted):
    bot = await bot_factory()
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=encrypted)
    await invite_bot_and_wait(moderator, room, bot.user_id)

    asked = await moderator.send_text(room, "!dialogue help")
    reply = await moderator.wait_for(room, is_reply_from(bot.user_id, asked), description="help reply")

    assert reply.source["content"]["msgtype"] == "m.notice"
    assert "!dialogue help [command]" in body_of(reply)
    assert "!dialogue ping" in body_of(reply)
    assert "<code>" in reply.source["content"]["formatted_body"]
    assert type(reply).__name__ != "MegolmEvent", "the bot's reply could not be decrypted"

    asked = await moderator.send_text(room, "!dg help ping")
    reply = await moderator.wait_for(room, is_reply_from(bot.user_id, asked), description="help ping reply")
    assert body_of(reply).startswith("!dialogue ping")


async def test_unknown_command_and_bad_arguments_get_a_one_line_answer(make_user, bot_factory):
    bot = await bot_factory()
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=False)
    await invite_bot_and_wait(moderator, room, bot.user_id)

    asked = await moderator.send_text(room, "!dialogue frobnicate")
    reply = await moderator.wait_for(room, is_reply_from(bot.user_id, asked))
    assert body_of(reply) == "Unknown command 'frobnicate'. Try !dialogue help"

    asked = await moderator.send_text(room, "!dialogue health now please")
    reply = await moderator.wait_for(room, is_reply_from(bot.user_id, asked))
    assert body_of(reply).startswith("Usage: !dialogue health")
    assert "\n" not in body_of(reply)


async def test_a_moderator_command_is_refused_for_power_zero_and_accepted_for_the_v12_room_creator(
    make_user, bot_factory
):
    bot = await bot_factory()
    creator = await make_user("creator")
    participant = await make_user("participant", auto_join=True)
    room = await creator.create_room(encrypted=True, invite=[participant.user_id])
    await participant.wait_for_membership(room, participant.user_id, "join")
    await invite_bot_and_wait(creator, room, bot.user_id)

    create_event = await creator.client.room_get_state_event(room, "m.room.create")
    power_levels = await creator.client.room_get_state_event(room, "m.room.power_levels")
    assert create_event.content["room_version"] == "12"
    assert creator.user_id not in power_levels.content.get("users", {}), "v12 creators are absent from the table"

    asked = await participant.send_text(room, "!dialogue health")
    refused = await participant.wait_for(room, is_reply_from(bot.user_id, asked), description="refusal")
    assert body_of(refused).startswith("Only moderators")

    asked = await creator.send_text(room, "!dialogue health")
    accepted = await creator.wait_for(room, is_reply_from(bot.user_id, asked), description="health reply")
    assert body_of(accepted).startswith("dialogue-bot ")
    assert "this room is encrypted" in body_of(accepted)


async def test_an_invite_from_a_user_who_is_not_allowed_is_declined(make_user, bot_factory):
    bot = await bot_factory(allowed_inviters=("@nobody-in-particular:localhost",))
    stranger = await make_user("stranger")
    room = await stranger.create_room(encrypted=False)

    await stranger.invite(room, bot.user_id)

    await stranger.wait_for_membership(room, bot.user_id, "leave", timeout=60)
    joined = await stranger.client.joined_members(room)
    assert bot.user_id not in [member.user_id for member in joined.members]


async def test_killing_the_bot_while_it_handles_100_messages_loses_none_and_doubles_none(make_user, bot_factory):
    bot = await bot_factory()
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=True)
    await invite_bot_and_wait(moderator, room, bot.user_id)

    sent = [await moderator.send_text(room, f"!dialogue ping {number}") for number in range(100)]
    # Kill it mid-stream: after the first replies, long before the last.
    await moderator.wait_for_count(room, is_message_from(bot.user_id), 10, timeout=120)
    await bot.kill()
    await bot.start()

    await moderator.wait_for_count(
        room, lambda event: event.sender == bot.user_id and replied_to(event) in set(sent), 100, timeout=240
    )
    # The outbox is first-in, first-out: once the reply to a later message arrives, any duplicate would have too.
    sentinel = await moderator.send_text(room, "!dialogue ping sentinel")
    await moderator.wait_for(room, is_reply_from(bot.user_id, sentinel), timeout=60)

    replies = collections.Counter(replied_to(event) for event in moderator.events(room) if event.sender == bot.user_id)
    assert [replies[event_id] for event_id in sent] == [1] * 100
    assert "started" in bot.log_text()


async def test_200_messages_sent_while_the_bot_is_stopped_are_all_handled_after_it_starts(make_user, bot_factory):
    bot = await bot_factory()
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=False)
    await invite_bot_and_wait(moderator, room, bot.user_id)
    warm_up = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, warm_up))

    assert await bot.stop() == 0
    sent = [await moderator.send_text(room, f"!dialogue ping {number}") for number in range(200)]
    await bot.start()

    await moderator.wait_for_count(
        room, lambda event: event.sender == bot.user_id and replied_to(event) in set(sent), 200, timeout=300
    )
    replies = collections.Counter(replied_to(event) for event in moderator.events(room) if event.sender == bot.user_id)
    assert all(replies[event_id] == 1 for event_id in sent)
    assert "back-filled a limited timeline" in bot.log_text()


async def test_a_burst_of_25_replies_under_the_default_rate_limit_arrives_once_each_in_order(make_user, bot_factory):
    bot = await bot_factory(exempt_from_rate_limits=False)
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=False)
    await invite_bot_and_wait(moderator, room, bot.user_id)

    sent = [await moderator.send_text(room, f"!dialogue ping {number}") for number in range(25)]

    await moderator.wait_for_count(
        room, lambda event: event.sender == bot.user_id and replied_to(event) in set(sent), 25, timeout=240
    )
    order = [replied_to(event) for event in moderator.events(room) if event.sender == bot.user_id and replied_to(event)]
    assert order == sent
    assert "rate limited by the homeserver" in bot.log_text()


async def test_with_encryption_switched_off_the_bot_says_once_that_it_cannot_work_in_an_encrypted_room(
    make_user, bot_factory
):
    bot = await bot_factory(encryption=False)
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=True)
    await invite_bot_and_wait(moderator, room, bot.user_id)

    secret = "the delegation of Ruritania will object"
    first = await moderator.send_text(room, f"!dialogue help {secret}")
    second = await moderator.send_text(room, "!dialogue ping")
    notice = await moderator.wait_for(room, is_message_from(bot.user_id), description="notice")
    plain_room = await moderator.create_room(encrypted=False)
    await invite_bot_and_wait(moderator, plain_room, bot.user_id)
    asked = await moderator.send_text(plain_room, "!dialogue ping")
    await moderator.wait_for(plain_room, is_reply_from(bot.user_id, asked))

    from_bot = [event for event in moderator.events(room) if is_message_from(bot.user_id)(event)]
    assert len(from_bot) == 1
    assert "encryption is switched off" in body_of(notice)
    assert "Ruritania" not in str(notice.source)
    assert {first, second}.isdisjoint({replied_to(notice)})
