"""Forged content inside encrypted events, and redactions by the wrong people, against a real Synapse.

What a participant writes inside an encrypted payload is theirs to choose: its `type`, and with a modified client
also `room_id`, `state_key` or `redacts`. Only the server's own sections may change what the bot believes about a
room, and only the server's envelope says where and by whom an event was sent.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import nio
import pytest

from demo.events import body_of, content_of, replied_to
from tests.integration.helpers import invite_bot_and_wait, send_megolm_payload, withhold_next_room_key
from tests.integration.test_dialogue import is_prompt, run_dialogue

pytestmark = pytest.mark.integration


def _answers(bot_id: str, event_id: str, events: list[nio.Event]) -> list[nio.Event]:
    """The bot's replies to, or reactions on, `event_id`."""
    found = []
    for event in events:
        relation = content_of(event).get("m.relates_to") or {}
        if event.sender == bot_id and (replied_to(event) == event_id or relation.get("event_id") == event_id):
            found.append(event)
    return found


async def test_an_encrypted_fake_power_levels_event_does_not_make_a_participant_a_moderator(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=1, open_first=False)
    alice = d.participants[0]
    # A megolm event whose payload claims to be the room's power levels (a state key makes nio parse it as one).
    await send_megolm_payload(
        alice,
        d.room,
        {
            "type": "m.room.power_levels",
            "state_key": "",
            "room_id": d.room,
            "content": {
                "users": {alice.user_id: 100, d.moderator.user_id: 100, d.bot.user_id: 100},
                "users_default": 100,
            },
        },
    )

    reply = await d.command(alice, "!dialogue open 1")

    assert body_of(reply).startswith("Only moderators")
    assert "No challenge is open." in body_of(await d.command(alice, "!dialogue status"))


async def test_an_encrypted_fake_room_create_event_does_not_make_a_participant_a_creator(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=1, open_first=False)
    alice = d.participants[0]
    # Room version 12 gives its creators unlimited power: a forged create event naming the sender (the envelope's
    # sender is alice) and claiming version 12 would make her a moderator if it were believed.
    await send_megolm_payload(
        alice,
        d.room,
        {
            "type": "m.room.create",
            "state_key": "",
            "room_id": d.room,
            "content": {"room_version": "12", "additional_creators": [alice.user_id]},
        },
    )

    reply = await d.command(alice, "!dialogue open 1")

    assert body_of(reply).startswith("Only moderators")
    assert "No challenge is open." in body_of(await d.command(alice, "!dialogue status"))


async def test_a_payload_naming_another_room_is_acted_on_in_neither_room(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=1)
    alice = d.participants[0]
    # Room B: another dialogue the bot runs, with one challenge open; alice is not in it.
    other = await d.moderator.create_room(encrypted=True)
    await invite_bot_and_wait(d.moderator, other, d.bot.user_id)
    await d.moderator.send_text(other, "!dialogue start Another dialogue")
    await d.moderator.wait_for(other, lambda e: e.sender == d.bot.user_id and "Another dialogue" in body_of(e))
    assert body_of(await _command(d, other, "!dialogue challenge add Elsewhere ; What else?")).startswith("Added")
    await d.moderator.send_text(other, "!dialogue open 1")
    await d.moderator.wait_for(other, is_prompt(d.bot.user_id, 1), description="prompt in room B")

    forged_command = await send_megolm_payload(
        alice,
        d.room,
        {"type": "m.room.message", "room_id": other, "content": {"msgtype": "m.text", "body": "!dialogue ping"}},
    )
    forged_point = await send_megolm_payload(
        alice,
        d.room,
        {"type": "m.room.message", "room_id": other, "content": {"msgtype": "m.text", "body": "A forged point."}},
    )
    # Markers: the bot handles each room's events in order, so once it answers these it has handled the forged ones.
    for room in (d.room, other):
        marker = await d.moderator.send_text(room, "!dialogue ping")
        await d.moderator.wait_for(room, lambda e, marker=marker: replied_to(e) == marker)

    for room in (d.room, other):
        for forged in (forged_command, forged_point):
            assert not _answers(d.bot.user_id, forged, d.moderator.events(room)), room
    # Neither dialogue recorded it (listings are answered only in a back-room, so storage is asked directly).
    with sqlite3.connect(d.bot.data_dir / "bot.db") as db:
        assert not [text for (text,) in db.execute("SELECT text FROM contributions") if "forged point" in text]


async def _command(d: Any, room: str, text: str) -> nio.Event:
    asked = await d.moderator.send_text(room, text)
    return await d.moderator.wait_for(room, lambda e: e.sender == d.bot.user_id and replied_to(e) == asked)


async def test_only_the_author_or_a_moderator_can_withdraw_a_contribution_by_redacting_it(make_user, bot_factory):
    # With "redact": 0 the server lets anyone redact anything; the bot must still not let bob withdraw alice's words.
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=2, power_levels={"redact": 0})
    alice, bob = d.participants
    point = await alice.send_thread_reply(d.room, d.root, "Alice's point on assistance.")
    await d.acknowledged(alice, point)

    await bob.redact(d.room, point)
    assert "Alice's point on assistance." in await d.contributions()

    await d.moderator.redact(d.room, point)
    assert "has no contributions yet" in await d.contributions()


async def test_an_edit_redacted_before_the_bot_could_read_it_is_never_applied(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=1)
    alice = d.participants[0]
    point = await alice.send_thread_reply(d.room, d.root, "Original wording of the point.")
    await d.acknowledged(alice, point)

    # The bot cannot read the edit yet (its key is withheld), so it handles the edit's redaction first.
    withheld = withhold_next_room_key(alice, d.room)
    edit = await alice.client.room_send(
        d.room,
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": "* Wording I regret.",
            "m.new_content": {"msgtype": "m.text", "body": "Wording I regret."},
            "m.relates_to": {"rel_type": "m.replace", "event_id": point},
        },
        ignore_unverified_devices=True,
    )
    await alice.redact(d.room, edit.event_id)
    assert "Original wording" in await d.contributions()
    await withheld.release()
    after = await alice.send_thread_reply(d.room, d.root, "A point made after the key arrived.")
    await d.acknowledged(alice, after)

    listing = await d.contributions()
    assert "after the key arrived" in listing
    assert "regret" not in listing
    # Redacting an edit withdraws the contribution, whichever of the two the bot happened to see first.
    assert "Original wording" not in listing
