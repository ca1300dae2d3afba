"""A dialogue room replaced by a new one (a room upgrade): the dialogue follows, or the moderators are told why not.

Real Synapse, real clients: the moderator upgrades through Synapse's `/rooms/{id}/upgrade` (as Element does) or sends
a tombstone by hand, and the bot as its own process decides what to do with it.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from typing import Any

import nio
import pytest

from demo.events import body_of, is_reply_from
from tests.integration.helpers import thread_relation
from tests.integration.test_data_gone import token
from tests.integration.test_dialogue import is_ack_of, is_prompt, run_dialogue

pytestmark = pytest.mark.integration

CONTINUES = "continues here"


async def api(user: Any, method: str, path: list[str], body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One client-server API call as `user`, answered with 200 (raises otherwise)."""
    built = nio.Api._build_path(path, {"access_token": user.client.access_token})
    data = json.dumps(body) if body is not None else None
    response = await user.client.send(method, built, data, headers={"Content-Type": "application/json"})
    answer = await response.json()
    assert response.status == 200, answer
    return answer


async def upgrade(user: Any, room: str) -> str:
    """Synapse's room upgrade, as Element asks for it; the replacement room's ID."""
    answer = await api(user, "POST", ["rooms", room, "upgrade"], {"new_version": "12"})
    return str(answer["replacement_room"])


async def tombstone(user: Any, room: str, replacement: str) -> None:
    content = {"body": "This room has been replaced", "replacement_room": replacement}
    await api(user, "PUT", ["rooms", room, "state", "m.room.tombstone", ""], content)


def dialogue_rooms(bot: Any) -> list[str]:
    with sqlite3.connect(bot.data_dir / "bot.db") as db:
        return [str(row[0]) for row in db.execute("SELECT room_id FROM dialogues ORDER BY id")]


def is_bot_text(bot_id: str, words: str):
    return lambda event: event.sender == bot_id and words in body_of(event)


async def cli(bot: Any, *args: str) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "bot", *args, "--config", str(bot.config_path)]
    return await asyncio.to_thread(subprocess.run, command, capture_output=True)


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_an_upgraded_dialogue_room_takes_the_dialogue_with_it(make_user, bot_factory, encrypted):
    d = await run_dialogue(make_user, bot_factory, encrypted=encrypted, participants=1)
    alice = d.participants[0]
    before, after = token(), token()
    await d.acknowledged(
        alice, await alice.send_thread_reply(d.room, d.root, f"Stockpile destruction deadlines keep slipping {before}")
    )

    new_room = await upgrade(d.moderator, d.room)
    # Element's upgrade dialog invites the old room's members to the new one; the bot accepts the moderator's invite.
    await d.moderator.invite(new_room, d.bot.user_id)
    await d.moderator.invite(new_room, alice.user_id)

    notice = await d.moderator.wait_for(new_room, is_bot_text(d.bot.user_id, CONTINUES), timeout=60)
    assert "Strengthening the norms" in body_of(notice)
    prompt = await alice.wait_for(new_room, is_prompt(d.bot.user_id, 1), timeout=60)
    contribution = await alice.send_event(
        new_room,
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": f"Survivors need funded assistance programmes {after}",
            "m.relates_to": thread_relation(prompt.event_id),
        },
    )
    await alice.wait_for(new_room, is_ack_of(d.bot.user_id, contribution), description="ack in the new room")
    assert dialogue_rooms(d.bot) == [new_room]

    assert await d.bot.stop() == 0
    pulled = await cli(d.bot, "synopsis", "--dialogue", "1", "--format", "md")
    assert pulled.returncode == 0, pulled.stderr
    assert before.encode() in pulled.stdout and after.encode() in pulled.stdout, pulled.stdout.decode()
    notices = [event for event in d.moderator.events(new_room) if is_bot_text(d.bot.user_id, CONTINUES)(event)]
    assert len(notices) == 1


async def test_a_restart_after_the_move_neither_moves_nor_announces_again(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1)
    new_room = await upgrade(d.moderator, d.room)
    await d.moderator.invite(new_room, d.bot.user_id)
    await d.moderator.wait_for(new_room, is_bot_text(d.bot.user_id, CONTINUES), timeout=60)

    assert await d.bot.stop() == 0
    await d.bot.start()  # the first sync after a start delivers the tombstone again, as full state
    asked = await d.moderator.send_text(new_room, "!dialogue status")
    status = await d.moderator.wait_for(new_room, is_reply_from(d.bot.user_id, asked), description="status")
    assert "Strengthening the norms" in body_of(status)
    notices = [event for event in d.moderator.events(new_room) if is_bot_text(d.bot.user_id, CONTINUES)(event)]
    assert len(notices) == 1
    assert dialogue_rooms(d.bot) == [new_room]


@pytest.mark.parametrize("predecessor", ["none", "another room"])
async def test_a_replacement_room_that_does_not_name_the_old_room_takes_nothing(make_user, bot_factory, predecessor):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1)
    alice = d.participants[0]
    backroom = await d.backroom_id()
    other = await d.moderator.create_room(encrypted=False, name="Unrelated")
    response = await d.moderator.client.room_create(
        name="Not the successor", predecessor={"room_id": other} if predecessor == "another room" else None
    )
    assert isinstance(response, nio.RoomCreateResponse), response
    forged = str(response.room_id)
    await d.moderator.invite(forged, d.bot.user_id)
    await d.moderator.wait_for_membership(forged, d.bot.user_id, "join", timeout=60)

    await tombstone(d.moderator, d.room, forged)

    told = await d.moderator.wait_for(backroom, is_bot_text(d.bot.user_id, "does not name"), timeout=60)
    assert forged in body_of(told)
    assert dialogue_rooms(d.bot) == [d.room]
    # The dialogue still works where it was.
    still = await alice.send_thread_reply(d.room, d.root, "Still heard in the old room.")
    await d.acknowledged(alice, still)
    assert not [event for event in d.moderator.events(forged) if is_bot_text(d.bot.user_id, CONTINUES)(event)]


async def test_moderators_are_told_when_the_bot_cannot_join_and_an_invite_later_brings_the_dialogue(
    make_user, bot_factory
):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1)
    alice = d.participants[0]

    new_room = await upgrade(d.moderator, d.room)  # invite-only, and nobody invites the bot

    def is_advice(event: nio.Event) -> bool:
        return event.sender == d.bot.user_id and "could not join" in body_of(event)

    _room, told = await d.moderator.wait_for_any_room(is_advice, timeout=120, description="cannot-join advice")
    assert new_room in body_of(told) and "invite" in body_of(told)
    assert dialogue_rooms(d.bot) == [d.room]

    # As the advice says: invite the bot; the next event in the new room (a participant arriving) brings the dialogue.
    await d.moderator.invite(new_room, d.bot.user_id)
    await d.moderator.wait_for_membership(new_room, d.bot.user_id, "join", timeout=60)
    await d.moderator.invite(new_room, alice.user_id)
    await d.moderator.wait_for(new_room, is_bot_text(d.bot.user_id, CONTINUES), timeout=60)
    assert dialogue_rooms(d.bot) == [new_room]
