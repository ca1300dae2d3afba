"""A burst of contributions handled several to a transaction by the running bot: every one stored and acknowledged
exactly once, and the one whose handling fails gets its reference while its neighbours in the same batch are stored.

The burst is sent while the bot is stopped, so that after its start the inbox holds all of it at once and the
processor takes it in full batches (the log shows them), rather than a few events per sync as they trickle in.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter

import aiohttp
import pytest

from demo.events import ACK, body_of, content_of, is_reply_from
from tests.integration.test_kill9 import (
    SLOW,
    Homeserver,
    Participant,
    open_the_first_challenge,
    register_participant,
    until,
)
from tests.integration.test_quarantine import MARKER, refuse_contributions_containing
from tests.support.postgres import BotDatabase

pytestmark = pytest.mark.integration

SENDERS = 8
EACH = 25  # 200 in all; under the flood limit (30 a minute), so every contribution gets its ✅
FAILING = (3, 12)  # the sender and the number of the one message whose storing fails


def text_of(sender: int, number: int) -> str:
    failing = (sender, number) == FAILING
    return f"Point {number} of participant {sender}{', ' + MARKER if failing else ''}: transfers erode the norm."


async def stored_texts(db: BotDatabase) -> list[str]:
    return [row[0] for row in await db.rows("SELECT text FROM contributions")]


async def inbox_states(db: BotDatabase) -> Counter[str]:
    return Counter(row[0] for row in await db.rows("SELECT state FROM inbox"))


async def retried_but_done(db: BotDatabase) -> int:
    """Events handled in the end that had failed a try first."""
    [(count,)] = await db.rows("SELECT count(*) FROM inbox WHERE state = 'done' AND attempts > 0")
    return int(count)


async def test_a_burst_is_stored_once_and_a_failing_event_costs_its_batch_neighbours_nothing(
    make_user, bot_factory, synapse
):
    bot = await bot_factory(encryption=False, log_level="DEBUG")
    moderator = await make_user("mod")
    people = list(await asyncio.gather(*(register_participant(synapse, i) for i in range(SENDERS))))
    room = await moderator.create_room(encrypted=False, invite=[person.user_id for person in people])
    async with aiohttp.ClientSession() as http:
        homeserver = Homeserver(synapse.url, http)
        await asyncio.gather(*(homeserver.join(person, room) for person in people))
        await open_the_first_challenge(moderator, room, bot.user_id)
        refuse_contributions_containing(bot.data_dir / "bot.db", MARKER)
        assert await bot.stop() == 0

        async def send_in_order(sender: int, person: Participant) -> list[str]:
            return [await homeserver.send_text(person, room, text_of(sender, n)) for n in range(EACH)]

        sent = await asyncio.gather(*(send_in_order(index, person) for index, person in enumerate(people)))
    failing_event = sent[FAILING[0]][FAILING[1]]
    others = [event_id for mine in sent for event_id in mine if event_id != failing_event]

    await bot.start()
    reply = await moderator.wait_for(room, is_reply_from(bot.user_id, failing_event), timeout=SLOW)
    assert re.search(r"reference [0-9A-F]{6}", body_of(reply)), body_of(reply)
    total = SENDERS * EACH

    async with BotDatabase(bot.data_dir, bot.config) as db:

        async def all_handled() -> bool:
            states = await inbox_states(db)
            return states["pending"] == 0 and states["quarantined"] == 1 and len(await stored_texts(db)) >= total - 1

        await until(all_handled, "the burst handled")

        expected = sorted(text_of(s, n) for s in range(SENDERS) for n in range(EACH) if (s, n) != FAILING)
        assert sorted(await stored_texts(db)) == expected  # each once, the failing one never
        assert await retried_but_done(db) == 0  # no neighbour of the failing event was counted a failure
    log = bot.log_text()
    batch_sizes = [int(size) for size in re.findall(r'msg="events processed together".*? events=(\d+)', log)]
    assert batch_sizes and max(batch_sizes) > 10, batch_sizes
    assert 'msg="batch rolled back; its events are handled one by one"' in log

    # Every stored contribution acknowledged by the bot, each exactly once.
    def is_bot_ack(event) -> bool:  # type: ignore[no-untyped-def]
        relation = content_of(event).get("m.relates_to", {})
        return event.sender == bot.user_id and event.source.get("type") == "m.reaction" and relation.get("key") == ACK

    acks = await moderator.wait_for_count(room, is_bot_ack, len(others), timeout=SLOW, description="the ✅")
    assert Counter(content_of(ack)["m.relates_to"]["event_id"] for ack in acks) == Counter(others)
    assert content_of(reply).get("msgtype") == "m.notice"
