"""Crashes at random points: the bot SIGKILLed twenty times while fifty participants' messages are in flight.

Each round sends a burst of messages (contributions and commands) from a mix of participants and kills the bot at a
seeded random moment: the instant it has handled a seeded number of the burst's events, none to all but one, so the
kill falls while it syncs, handles or answers them. The test checks, from the bot's database, that work was pending
at that instant. After the last restart everything must have been handled, and handled once: every contribution
stored once, every command answered once, every contribution acknowledged with one ✅. The test waits for "each at
least once and nothing left to do", which a duplicate does not prevent, and only then counts, so a duplicate fails
the counts, not a timeout.

The seed comes from KILL9_SEED (a fixed default otherwise) and is printed, so a failing run can be repeated. The test
runs once per storage backend: the SQLite file, then PostgreSQL (the bot's connection dies with it, mid-transaction).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from uuid import uuid4

import aiohttp
import pytest

from demo.events import ACK, body_of, is_ack_of, is_reply_from
from devserver.bot_process import BotProcess
from tests.integration.helpers import invite_bot_and_wait, raw_room_events
from tests.integration.test_dialogue import is_prompt
from tests.support.postgres import BotDatabase

pytestmark = pytest.mark.integration

SEED = int(os.environ.get("KILL9_SEED", "20261207"))
PARTICIPANTS = 50
KILLS = 20
SLOW = 180  # generous per-step timeout: two cores shared by many workers


@dataclass(frozen=True)
class Participant:
    """A room member that only sends plain messages over HTTP.

    Fifty full E2EE clients (key upload, device lists, a sync loop each) are too heavy for this machine, and what is
    tested here does not depend on encryption: the dialogue room is unencrypted, and each participant just PUTs
    `/send` with its own transaction ID."""

    user_id: str
    token: str


@dataclass(frozen=True)
class Planned:
    sender: Participant
    body: str
    command: bool


class Homeserver:
    def __init__(self, url: str, http: aiohttp.ClientSession) -> None:
        self._url = url
        self._http = http

    async def _call(self, method: str, path: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self._http.request(
            method, f"{self._url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}
        ) as response:
            answer = await response.json()
            assert response.status == 200, (path, answer)
            return answer

    async def join(self, who: Participant, room_id: str) -> None:
        await self._call("POST", f"/_matrix/client/v3/join/{quote(room_id)}", who.token, {})

    async def send_text(self, who: Participant, room_id: str, body: str) -> str:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/send/m.room.message/{uuid4().hex}"
        answer = await self._call("PUT", path, who.token, {"msgtype": "m.text", "body": body})
        return str(answer["event_id"])


async def register_participant(synapse: Any, index: int) -> Participant:
    def register() -> Participant:
        password = uuid4().hex
        user_id = synapse.register(f"k{index}-{uuid4().hex[:6]}", password)
        synapse.exempt_from_rate_limits(user_id)
        return Participant(user_id, synapse.login(user_id, password))

    return await asyncio.to_thread(register)


def plan_bursts(rng: random.Random, people: list[Participant]) -> list[list[Planned]]:
    """Two or three contributions per participant, and a command from about a third of them, in KILLS bursts.

    A participant's messages stay in their order; the bursts mix everyone."""
    per_sender: dict[str, list[Planned]] = {}
    for number, person in enumerate(people):
        mine = per_sender.setdefault(person.user_id, [])
        for n in range(rng.choice((2, 3))):
            mine.append(Planned(person, f"Point {n} of participant {number}: transfers erode the norm.", False))
        if rng.random() < 1 / 3:
            mine.append(Planned(person, f"!dialogue ping from {number}", True))
    turns = [sender for sender, mine in per_sender.items() for _ in mine]
    rng.shuffle(turns)
    ordered = [per_sender[sender].pop(0) for sender in turns]
    size = -(-len(ordered) // KILLS)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


async def open_the_first_challenge(moderator: Any, room: str, bot_id: str) -> None:
    await invite_bot_and_wait(moderator, room, bot_id)
    await moderator.send_text(room, "!dialogue start Strengthening the norms")
    await moderator.wait_for(room, lambda e: e.sender == bot_id and "Chatham House Rule" in body_of(e), timeout=SLOW)
    asked = await moderator.send_text(room, "!dialogue challenge add Transfers ; What do transfers mean?")
    await moderator.wait_for(room, is_reply_from(bot_id, asked), timeout=SLOW, description="challenge add")
    await moderator.send_text(room, "!dialogue open 1")
    await moderator.wait_for(room, is_prompt(bot_id, 1), timeout=SLOW, description="prompt 1")


async def handled(db: BotDatabase, event_ids: list[str]) -> int:
    """How many of these events the bot has handled (its inbox marks them done, ignored or quarantined)."""
    marks = ",".join("?" * len(event_ids))
    sql = f"SELECT count(*) FROM inbox WHERE state IN ('done', 'ignored', 'quarantined') AND event_id IN ({marks})"
    return int((await db.rows(sql, tuple(event_ids)))[0][0])


async def work_pending(db: BotDatabase, sent: list[str]) -> tuple[int, int]:
    """Events sent to the room that the bot has not handled yet (not synced, or pending in its inbox), and
    messages it has queued but not sent."""
    handled = {
        row[0] for row in await db.rows("SELECT event_id FROM inbox WHERE state IN ('done', 'ignored', 'quarantined')")
    }
    unsent = int((await db.rows("SELECT count(*) FROM outbox WHERE state = 'pending'"))[0][0])
    return sum(1 for event_id in sent if event_id not in handled), unsent


async def until(
    condition: Callable[[], Awaitable[bool]],
    what: str,
    timeout: float = SLOW,  # noqa: ASYNC109 - a deadline for a database-only condition
    poll: float = 0.2,
) -> None:
    """Wait for a condition only the bot's database shows, checking it every `poll` seconds."""
    try:
        async with asyncio.timeout(timeout):
            while not await condition():  # noqa: ASYNC110 - the database changes without an event
                await asyncio.sleep(poll)  # polling the database, not waiting out time: the condition decides
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


async def kill_once_handled(
    bot: BotProcess, db: BotDatabase, burst: list[str], target: int, sent: list[str]
) -> tuple[int, int]:
    """SIGKILL the bot the moment it has handled `target` of the `burst`'s events; what was pending then."""

    async def enough() -> bool:
        return await handled(db, burst) >= target

    await until(enough, f"{target} events handled", poll=0.01)
    pending = await work_pending(db, sent)
    await bot.kill()
    return pending


async def test_twenty_kills_at_random_moments_lose_nothing_and_duplicate_nothing(
    make_user, bot_factory, synapse, bot_storage
):
    print(f"kill9 seed: {SEED} (set KILL9_SEED to repeat a run)")
    rng = random.Random(SEED)
    started_at = time.monotonic()
    bot = await bot_factory(encryption=False, extra_config=bot_storage)
    moderator = await make_user("mod")
    people = list(await asyncio.gather(*(register_participant(synapse, i) for i in range(PARTICIPANTS))))
    bursts = plan_bursts(rng, people)
    room = await moderator.create_room(encrypted=False, invite=[person.user_id for person in people])

    async with aiohttp.ClientSession() as http, BotDatabase(bot.data_dir, bot.config) as db:
        homeserver = Homeserver(synapse.url, http)
        # Everyone is in the room before the dialogue starts, so nobody is a late joiner with a welcome to get.
        await asyncio.gather(*(homeserver.join(person, room) for person in people))
        await open_the_first_challenge(moderator, room, bot.user_id)

        contributions: list[str] = []
        texts: list[str] = []  # what each contribution says: the database keeps keyed hashes of event IDs, not them
        commands: list[str] = []
        kills: list[tuple[int, int, int]] = []
        for number, burst in enumerate(bursts):
            if not bot.is_running():
                await bot.start()
            # The bot is up (logged in, past its first sync) once it answers; the answer must come once, too.
            ready = await moderator.send_text(room, f"!dialogue ping round {number}")
            commands.append(ready)
            await moderator.wait_for(room, is_reply_from(bot.user_id, ready), timeout=SLOW, description="ready")

            async def send_in_order(messages: list[Planned]) -> list[tuple[Planned, str]]:
                return [(m, await homeserver.send_text(m.sender, room, m.body)) for m in messages]

            groups: dict[str, list[Planned]] = {}
            for message in burst:
                groups.setdefault(message.sender.user_id, []).append(message)
            sent_now = await asyncio.gather(*(send_in_order(group) for group in groups.values()))
            for sent in sent_now:
                for message, event_id in sent:
                    (commands if message.command else contributions).append(event_id)
                    if not message.command:
                        texts.append(message.body)

            # The random moment: the instant the bot has handled a seeded number of the burst's events (none: it
            # dies before or while syncing them). The rest of the burst, and the ✅s and answers of what it handled,
            # are still to come then, so work is in flight whatever the speed of this machine.
            burst_ids = [event_id for sent in sent_now for _, event_id in sent]
            target = rng.randrange(len(burst_ids))
            unhandled, unsent = await kill_once_handled(bot, db, burst_ids, target, contributions + commands)
            kills.append((target, unhandled, unsent))
            assert unhandled + unsent > 0, f"seed {SEED}: kill {number + 1} came after all work was done: {kills}"
        assert len(kills) == KILLS, f"seed {SEED}: {len(kills)} kills"
        print(f"kills (burst events handled, events unhandled, replies unsent): {kills}")

        await bot.start()
        # Settled: everything has its ✅ or answer at least once, and nothing is left to handle or send. A duplicate
        # does not stop this from coming true, so a duplicate fails the counts below, not a timeout.
        async with asyncio.timeout(SLOW * 2):
            for event_id in contributions:
                await moderator.wait_for(room, is_ack_of(bot.user_id, event_id), timeout=SLOW, description="✅")
            for event_id in commands:
                await moderator.wait_for(room, is_reply_from(bot.user_id, event_id), timeout=SLOW, description="reply")

        async def drained() -> bool:
            return await work_pending(db, contributions + commands) == (0, 0)

        await until(drained, "inbox and outbox drained")
        timeline = await raw_room_events(moderator, room)
        stored = [row[0] for row in await db.rows("SELECT text FROM contributions")]
        assert await bot.stop() == 0

    from_bot = [event for event in timeline if event["sender"] == bot.user_id]
    acks = Counter(
        content_of_raw(event)["m.relates_to"]["event_id"]
        for event in from_bot
        if event["type"] == "m.reaction" and content_of_raw(event).get("m.relates_to", {}).get("key") == ACK
    )
    replies = Counter(
        reply_target(event) for event in from_bot if event["type"] == "m.room.message" and reply_target(event)
    )
    ours = set(contributions) | set(commands)
    elapsed = time.monotonic() - started_at
    print(f"seed {SEED}: {len(contributions)} contributions, {len(commands)} commands, {elapsed:.0f} s in all")

    assert Counter(stored) == Counter(texts), f"seed {SEED}: each contribution stored exactly once"
    assert acks == Counter(contributions), f"seed {SEED}: each contribution acknowledged exactly once"
    answers = Counter({target: count for target, count in replies.items() if target in ours})
    assert answers == Counter(commands), f"seed {SEED}: each command answered exactly once, no contribution answered"
    assert not [e for e in from_bot if "went wrong" in str(content_of_raw(e).get("body", ""))], f"seed {SEED}"


def content_of_raw(event: dict[str, Any]) -> dict[str, Any]:
    content = event.get("content")
    return content if isinstance(content, dict) else {}


def reply_target(event: dict[str, Any]) -> str | None:
    relation = content_of_raw(event).get("m.relates_to")
    reply = relation.get("m.in_reply_to") if isinstance(relation, dict) else None
    return reply.get("event_id") if isinstance(reply, dict) else None
