"""Replies longer than one Matrix event arrive in numbered parts, and nothing is dropped."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from demo.events import body_of, replied_to
from tests.integration.helpers import raw_room_events
from tests.integration.test_dialogue import run_dialogue

pytestmark = pytest.mark.integration

SYNAPSE_EVENT_LIMIT = 65_536
FILLER = (
    "Transfers of cluster munitions through the territory of States parties erode the stigma against their use, "
    "and silence in the face of new use weakens the norm for everyone who relies on it. "
) * 8


async def test_a_listing_of_100_long_contributions_arrives_whole_in_numbered_parts(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=4)
    # 25 each: below the flood limit, so every contribution gets its ✅ and the test knows it is stored.
    for round_number in range(25):
        sent = []
        for index, person in enumerate(d.participants):
            text = f"Point {round_number}-{index}: {FILLER}"[:900]
            sent.append((person, await person.send_text(d.room, text)))
        for person, event_id in sent:
            await d.acknowledged(person, event_id)
    with sqlite3.connect(d.bot.data_dir / "bot.db") as db:
        refs = [row[0] for row in db.execute("SELECT ref FROM contributions")]
    assert len(refs) == 100

    backroom = await d.backroom_id()
    asked = await d.moderator.send_text(backroom, "!dialogue contributions 1")
    first = await d.moderator.wait_for(
        backroom, lambda e: e.sender == d.bot.user_id and replied_to(e) == asked, timeout=60
    )
    total = int(re.match(r"\((\d+)/(\d+)\) ", body_of(first)).group(2))
    parts = await d.moderator.wait_for_count(
        backroom, lambda e: e.sender == d.bot.user_id and replied_to(e) == asked, total, timeout=60
    )

    assert total > 1
    assert [body_of(p).split(" ", 1)[0] for p in parts] == [f"({n}/{total})" for n in range(1, total + 1)]
    listing = "\n".join(body_of(p) for p in parts)
    assert all(f"{ref}: " in listing for ref in refs)
    raw = {e["event_id"]: e for e in await raw_room_events(d.moderator, backroom)}
    sizes = [len(json.dumps(raw[p.event_id]).encode()) for p in parts]
    assert all(raw[p.event_id]["type"] == "m.room.encrypted" for p in parts)
    assert max(sizes) < SYNAPSE_EVENT_LIMIT * 0.75, sizes
    assert not [e for e in d.moderator.events(backroom) if "too large" in body_of(e)]
