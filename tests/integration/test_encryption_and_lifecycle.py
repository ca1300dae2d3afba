"""Encryption edge cases and start-up failures, against a real Synapse."""

from __future__ import annotations

import pytest

from bot import exit_codes
from demo.events import is_reply_from
from tests.integration.helpers import invite_bot_and_wait, withhold_next_room_key

pytestmark = pytest.mark.integration


async def test_a_message_whose_room_key_arrives_later_is_kept_and_answered_once_the_key_arrives(make_user, bot_factory):
    bot = await bot_factory()
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=True)
    plain_room = await moderator.create_room(encrypted=False)
    await invite_bot_and_wait(moderator, room, bot.user_id)
    await invite_bot_and_wait(moderator, plain_room, bot.user_id)
    warm_up = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, warm_up))

    # Encrypt with a fresh megolm session that nobody has received: the bot sees a message it cannot read.
    withheld = withhold_next_room_key(moderator, room)
    late = await moderator.client.room_send(
        room, "m.room.message", {"msgtype": "m.text", "body": "!dialogue ping"}, ignore_unverified_devices=True
    )
    # The bot syncs in order: once it answers this later message, it has stored the unreadable one.
    later = await moderator.send_text(plain_room, "!dialogue ping")
    await moderator.wait_for(plain_room, is_reply_from(bot.user_id, later))
    assert not [event for event in moderator.events(room) if is_reply_from(bot.user_id, late.event_id)(event)]

    await withheld.release()

    await moderator.wait_for(room, is_reply_from(bot.user_id, late.event_id), timeout=60)
    assert "late room keys arrived" in bot.log_text()


async def test_a_refused_password_exits_with_the_login_failure_code(bot_factory):
    bot = await bot_factory(start=False)
    bot.password_path.write_text("not-the-password\n")

    await bot.start()

    assert await bot.wait_exit(60) == exit_codes.LOGIN
    assert "refused the password login" in bot.log_text()
    assert "not-the-password" not in bot.log_text()


async def test_a_broken_configuration_exits_with_the_config_code_and_names_every_problem(bot_factory):
    bot = await bot_factory(start=False)
    bot.config["bot"]["timezone"] = "Mars/Olympus_Mons"
    bot.config["bot"]["moderator_power_level"] = 500
    bot.write_config()

    await bot.start()

    assert await bot.wait_exit(60) == exit_codes.CONFIG
    log = bot.log_text()
    assert "bot.timezone" in log and "bot.moderator_power_level" in log


async def test_the_stored_session_is_restored_so_the_device_survives_a_restart(make_user, bot_factory):
    bot = await bot_factory()
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=True)
    await invite_bot_and_wait(moderator, room, bot.user_id)
    first = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, first))

    assert await bot.stop() == 0
    await bot.start()
    second = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, second))

    bot_devices = list(moderator.client.device_store.active_user_devices(bot.user_id))
    assert len(bot_devices) == 1, "a restart must not create a new device"
    log = bot.log_text()
    assert log.count("logged in with password") == 1
    assert "session restored" in log
