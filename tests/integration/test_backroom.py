"""The moderators' back-room against a real Synapse, with real E2EE clients and the bot as its own process.

A roster command sent in the participants' room is refused and redacted (when the bot has the power to); the same in
the linked back-room works; a power-0 participant can neither join the invite-only back-room nor command it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import nio
import pytest

from demo.events import body_of, content_of, is_reaction_to, is_reply_from
from tests.integration.helpers import invite_bot_and_wait, link_backroom, raw_room_events
from tests.support.matrix_user import MatrixRequestError

pytestmark = pytest.mark.integration


async def command(user: Any, room: str, bot_id: str, text: str) -> nio.Event:
    asked = await user.send_text(room, text)
    return await user.wait_for(room, is_reply_from(bot_id, asked), description=text)


def is_redaction_of(sender: str, event_id: str):
    def predicate(event: nio.Event) -> bool:
        source = event.source
        redacts = source.get("redacts") or content_of(event).get("redacts")
        return source.get("type") == "m.room.redaction" and event.sender == sender and redacts == event_id

    return predicate


def roster_size(bot: Any) -> int:
    with sqlite3.connect(bot.data_dir / "bot.db") as db:
        return int(db.execute("SELECT COUNT(*) FROM roster").fetchone()[0])


async def dialogue_room(make_user, bot_factory, *, bot_power: int | None):
    bot = await bot_factory()
    moderator = await make_user("mod")
    alice = await make_user("alice")
    # The moderator creates the room (and, in room version 12, is its privileged creator, outside this table).
    users = {bot.user_id: bot_power} if bot_power is not None else {}
    room = await moderator.create_room(encrypted=True, invite=[alice.user_id], power_levels={"users": users})
    await moderator.wait_for_membership(room, alice.user_id, "join")
    await invite_bot_and_wait(moderator, room, bot.user_id)
    await moderator.send_text(room, "!dialogue start Strengthening the norms")
    await moderator.wait_for(room, lambda e: e.sender == bot.user_id and "Chatham House Rule" in body_of(e))
    await command(moderator, room, bot.user_id, "!dialogue challenge add Transfers ; What do transfers mean?")
    await moderator.send_text(room, "!dialogue open 1")
    prompt = await moderator.wait_for(room, lambda e: e.sender == bot.user_id and body_of(e).startswith("Challenge 1:"))
    await alice.wait_for(room, lambda e: e.event_id == prompt.event_id)
    return bot, moderator, alice, room, prompt.event_id


async def test_roster_set_is_refused_and_redacted_in_the_dialogue_room_and_works_in_the_backroom(
    make_user, bot_factory
):
    bot, moderator, alice, room, root = await dialogue_room(make_user, bot_factory, bot_power=50)

    roster_command = f"!dialogue roster set {alice.user_id} Republic of Tarvania ; State party"
    asked = await moderator.send_text(room, roster_command)
    refusal = await moderator.wait_for(room, is_reply_from(bot.user_id, asked))
    await alice.wait_for(room, is_redaction_of(bot.user_id, asked), description="the bot's redaction")

    assert "back-room" in body_of(refusal) and "I removed your message" in body_of(refusal)
    assert "Tarvania" not in body_of(refusal)
    [original] = [event for event in await raw_room_events(alice, room) if event["event_id"] == asked]
    assert original["content"] == {}
    assert original["unsigned"]["redacted_because"]["sender"] == bot.user_id
    assert roster_size(bot) == 0

    backroom = await link_backroom(moderator, bot.user_id, room, encrypted=True)
    stored = await command(moderator, backroom, bot.user_id, roster_command)
    assert body_of(stored) == "Roster updated: 1 participant(s) recorded."
    assert roster_size(bot) == 1

    # The roster entry is used: the affiliation is scrubbed from Alice's contribution, listed in the back-room.
    point = await alice.send_thread_reply(room, root, "The Republic of Tarvania asks for clear rules.")
    await alice.wait_for(room, is_reaction_to(bot.user_id, point), description="the ✅ of her point")
    listing = body_of(await command(moderator, backroom, bot.user_id, "!dialogue contributions 1"))
    assert "[affiliation] asks for clear rules." in listing

    # Asked in the participants' room, the listing is refused with a pointer, and shows nothing.
    asked_there = await command(moderator, room, bot.user_id, "!dialogue contributions 1")
    assert "back-room" in body_of(asked_there) and "clear rules" not in body_of(asked_there)

    # Nothing went wrong along the way (the bot also sees its own redaction), and the log names no one.
    log = bot.log_text()
    info_log = "\n".join(line for line in log.splitlines() if " DEBUG " not in line)
    assert "Traceback" not in log
    assert "Tarvania" not in info_log and alice.user_id not in info_log


async def test_a_power_0_participant_can_neither_join_nor_command_the_backroom(make_user, bot_factory):
    bot, moderator, alice, room, _ = await dialogue_room(make_user, bot_factory, bot_power=50)
    backroom = await link_backroom(moderator, bot.user_id, room, encrypted=True)

    with pytest.raises(MatrixRequestError) as refused:
        await alice.join(backroom)
    assert refused.value.status_code == "M_FORBIDDEN"

    # Let in by mistake, at power 0, she is still refused: she moderates neither room.
    await moderator.invite(backroom, alice.user_id)
    await moderator.wait_for_membership(backroom, alice.user_id, "join")
    answer = await command(alice, backroom, bot.user_id, f"!dialogue roster set {alice.user_id} Ruritania")
    assert body_of(answer).startswith("Only moderators")
    listing = await command(alice, backroom, bot.user_id, "!dialogue contributions 1")
    assert body_of(listing).startswith("Only moderators")
    assert roster_size(bot) == 0


async def test_without_the_power_to_redact_the_bot_asks_for_the_message_to_be_deleted(make_user, bot_factory):
    bot, moderator, alice, room, _ = await dialogue_room(make_user, bot_factory, bot_power=None)

    asked = await moderator.send_text(room, f"!dialogue roster set {alice.user_id} Republic of Tarvania")
    refusal = await moderator.wait_for(room, is_reply_from(bot.user_id, asked))
    marker = await command(moderator, room, bot.user_id, "!dialogue ping")

    assert "I could not remove your message: please delete it yourself" in body_of(refusal)
    assert marker is not None
    assert not [event for event in moderator.events(room) if is_redaction_of(bot.user_id, asked)(event)]
    assert roster_size(bot) == 0

    # With no back-room, a listing goes to the moderator alone, in a direct message.
    pointer = await command(moderator, room, bot.user_id, "!dialogue contributions 1")
    assert "direct message" in body_of(pointer)
    direct_room, listing = await moderator.wait_for_any_room(
        lambda e: e.sender == bot.user_id and "has no contributions yet" in body_of(e), description="the listing"
    )
    assert direct_room != room and "has no contributions yet" in body_of(listing)
