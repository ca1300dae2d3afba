"""One participant flooding the room: the others are not held up, nothing is lost, and the flooder is told once."""

from __future__ import annotations

import sqlite3

import pytest

from bot.flood import DEFAULT_LIMIT
from demo.events import body_of, is_reply_from
from handlers.dispatch import FLOOD_NOTICE
from tests.integration.test_dialogue import is_ack_of, run_dialogue

pytestmark = pytest.mark.integration

FLOOD = 200


async def test_a_flood_does_not_hold_up_another_participant_and_every_message_is_recorded_once(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=2)
    flooder, other = d.participants
    # The bot is stopped while the flood arrives, so that the whole flood is waiting in its inbox, ahead of the
    # other participant's message, when it starts: otherwise how much of the flood is still queued depends on
    # how fast this machine is. A restart with a backlog is also the hardest case.
    assert await d.bot.stop() == 0
    texts = [f"Point {n} of the flood: transfers erode the norm." for n in range(FLOOD)]
    flood_ids = [await flooder.send_text(d.room, text) for text in texts]
    # The flooder's own events are handled in order, so the answer to this comes after all of the flood.
    barrier = await flooder.send_text(d.room, "!dialogue ping")
    contribution = await other.send_text(d.room, "Survivors need sustained victim assistance.")
    await d.bot.start()

    await other.wait_for(d.room, is_ack_of(d.bot.user_id, contribution), timeout=120)
    await flooder.wait_for(d.room, is_reply_from(d.bot.user_id, barrier), timeout=180)
    notices = [e for e in flooder.events(d.room) if e.sender == d.bot.user_id and body_of(e) == FLOOD_NOTICE]
    acknowledged = {
        event_id for event_id in flood_ids for e in flooder.events(d.room) if is_ack_of(d.bot.user_id, event_id)(e)
    }
    timeline = flooder.events(d.room)
    other_acknowledged_at = next(i for i, e in enumerate(timeline) if is_ack_of(d.bot.user_id, contribution)(e))
    barrier_answered_at = next(i for i, e in enumerate(timeline) if is_reply_from(d.bot.user_id, barrier)(e))
    assert await d.bot.stop() == 0
    with sqlite3.connect(d.bot.data_dir / "bot.db") as db:
        stored = [row[0] for row in db.execute("SELECT text FROM contributions ORDER BY id")]

    assert sorted(t for t in stored if t.startswith("Point ")) == sorted(texts)  # all 200, each once
    assert stored.index("Survivors need sustained victim assistance.") < FLOOD // 2
    assert other_acknowledged_at < barrier_answered_at  # the ✅ did not wait for the flood to be answered
    assert len(notices) == 1
    assert notices[0].source["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] in flood_ids
    assert acknowledged == set(flood_ids[:DEFAULT_LIMIT])  # no ✅ for each message of the flood
    info_log = "\n".join(line for line in d.bot.log_text().splitlines() if " DEBUG " not in line)
    assert "flooding" in info_log and flooder.user_id not in info_log
