"""Nothing the bot sends into an encrypted room travels in the clear, apart from room state."""

from __future__ import annotations

import pytest

from demo.events import body_of, content_of
from tests.integration.helpers import raw_room_events
from tests.integration.test_dialogue import is_ack_of, run_dialogue
from tests.integration.test_synopsis import is_file_from

pytestmark = pytest.mark.integration


async def test_every_event_the_bot_sends_into_an_encrypted_room_is_encrypted(make_user, bot_factory):
    # Notices (ground rules, replies to commands), the challenge prompt, a ✅ reaction, a reply in a thread, a file
    # (in the moderators' back-room).
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=1)
    alice = d.participants[0]
    contribution = await alice.send_thread_reply(d.room, d.root, "Transfers through the territory normalise use.")
    await d.acknowledged(alice, contribution)
    closed_in_thread = await alice.send_thread_reply(d.room, d.root, "And one more point.")
    await d.acknowledged(alice, closed_in_thread)
    await d.moderator.send_text(d.room, "!dialogue close 1")
    await d.moderator.wait_for(d.room, lambda e: body_of(e).startswith("Challenge 1 is closed"))
    late = await alice.send_thread_reply(d.room, d.root, "Too late?")
    await alice.wait_for(
        d.room,
        lambda e: (
            content_of(e).get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") == late
            and e.sender == d.bot.user_id
        ),
    )
    # The file goes to the moderators' back-room (encrypted like the dialogue room), which is checked too.
    backroom = await d.backroom_id()
    await d.moderator.send_text(backroom, "!dialogue synopsis md")
    await d.moderator.wait_for(backroom, is_file_from(d.bot.user_id), timeout=60)

    from_bot = {
        room: [
            event
            for event in await raw_room_events(d.moderator, room)
            if event["sender"] == d.bot.user_id and "state_key" not in event
        ]
        for room in (d.room, backroom)
    }

    in_the_clear = [
        (event["type"], event["content"])
        for events in from_bot.values()
        for event in events
        if event["type"] != "m.room.encrypted"
    ]
    assert not in_the_clear
    # Ground rules, two replies to `challenge add`, the prompt, two ✅, the close notice, the reply.
    assert len(from_bot[d.room]) >= 8
    # The reply to `backroom link` and the file.
    assert len(from_bot[backroom]) >= 2
    # Readers still see the bot's ✅ (decrypted) on the contribution.
    assert [e for e in alice.events(d.room) if is_ack_of(d.bot.user_id, contribution)(e)]
