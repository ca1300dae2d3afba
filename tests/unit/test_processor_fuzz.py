"""Malformed Matrix events through the whole processing path never stop the bot, and never cost it the next good one.

Hypothesis makes events with missing fields, wrong types, huge bodies, odd relations (threads, edits and replies to
events nobody has seen), lone surrogates and nested garbage. Each goes the way a synced event goes: some through
decryption (`bot.decryption.inbox_source`), all into the inbox in the sync loop's commit, then through the
processor's loop, the handlers and into the outbox, on a real SQLite database; only the Matrix client is a fake.
Right after the garbage, a participant's good contribution is queued: it must be stored and acknowledged.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.decryption import inbox_source
from bot.processor import InboxProcessor
from bot.room_state import RoomDirectory
from handlers.context import BotInfo
from handlers.registry import build_registry
from storage import Database, NewInboxEvent, Reaction
from tests.unit.fakes import BOT_ID, RecordingClient, make_settings
from tests.unit.test_processor import Clock

ROOM = "!dialogue:test"
ALICE, BOB, MODERATOR = "@alice:test", "@bob:test", "@mod:test"
JOINED_AT_MS = 1_000_000
GOOD_TS = 2_000_000_000
MAX_BODY = 65_536  # the Matrix limit for a whole event; nothing larger reaches the bot
ROUNDS = 12  # loop turns, each one retry delay later, within which everything must be settled


# -- strategies --------------------------------------------------------------------------------------------------

lone_surrogates = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)
odd_text = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(), max_size=20).map(lambda text: text + "\ud800"),
    lone_surrogates,
    st.sampled_from(["", " ", "!dialogue", "!dialogue ping", "!dialogue help", "!dialogue nonsense", "\x00", "‮"]),
)
huge_text = st.builds(lambda char, size: char * size, st.characters(), st.integers(1_000, MAX_BODY))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    odd_text,
)
garbage = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4), max_leaves=12
)
unknown_event_ids = st.sampled_from(["$unknown", "$prompt", "", "$", "not-an-id", "$gone:test"])
event_ids = st.one_of(unknown_event_ids, garbage)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, garbage)


relations = st.one_of(
    garbage,
    st.fixed_dictionaries(
        {},
        optional={
            "rel_type": maybe(st.sampled_from(["m.thread", "m.replace", "m.annotation", "m.reference", "x.odd"])),
            "event_id": event_ids,
            "key": maybe(st.sampled_from(["✅", "👍", ""])),
            "is_falling_back": garbage,
            "m.in_reply_to": st.one_of(garbage, st.fixed_dictionaries({}, optional={"event_id": event_ids})),
        },
    ),
)
contents = st.one_of(
    garbage,
    st.fixed_dictionaries(
        {},
        optional={
            "msgtype": maybe(st.sampled_from(["m.text", "m.notice", "m.emote", "m.file", "m.image", "x.odd"])),
            "body": st.one_of(odd_text, huge_text, garbage),
            "formatted_body": st.one_of(odd_text, huge_text),
            "format": maybe(st.just("org.matrix.custom.html")),
            "m.relates_to": relations,
            "m.new_content": st.one_of(garbage, st.fixed_dictionaries({}, optional={"body": maybe(odd_text)})),
            "url": maybe(st.just("mxc://test/file")),
            "membership": maybe(st.sampled_from(["join", "leave", "ban", "invite"])),
            "redacts": event_ids,
            "info": garbage,
        },
    ),
)
sources = st.fixed_dictionaries(
    {},
    optional={
        # Made by the server, so never text UTF-8 cannot hold; possibly missing, or not a string.
        "event_id": st.one_of(
            st.from_regex(r"\$g[0-9a-z]{1,8}", fullmatch=True), st.none(), st.integers(), st.floats(), st.booleans()
        ),
        "sender": maybe(st.sampled_from([ALICE, BOB, MODERATOR, BOT_ID, "", "@stranger:test"])),
        "type": maybe(
            st.sampled_from(
                ["m.room.message", "m.reaction", "m.room.redaction", "m.room.member", "m.room.encrypted", "x.odd"]
            )
        ),
        "origin_server_ts": st.one_of(st.integers(JOINED_AT_MS, GOOD_TS), garbage),
        "content": contents,
        "state_key": maybe(st.sampled_from(["", BOB, "@stranger:test"])),
        "redacts": event_ids,
        "unsigned": garbage,
        "room_id": maybe(st.sampled_from([ROOM, "!elsewhere:test"])),
    },
)
# How the event arrived: in the clear, or as a megolm payload the sync loop decrypted (then `payload` is the
# plaintext, which the sender's client fills with anything, and the envelope's fields are the server's).
arrivals = st.one_of(
    st.tuples(st.just("clear"), sources),
    st.tuples(st.just("decrypted"), sources),
)


# -- the path under test -------------------------------------------------------------------------------------------


def sync_event(number: int, arrival: tuple[str, dict[str, Any]]) -> NewInboxEvent | None:
    """What the sync loop would hand the inbox for this event; None when decryption drops it."""
    how, source = arrival
    if how == "clear":
        return NewInboxEvent(event_id=str(source.get("event_id", "")), room_id=ROOM, source=source)
    envelope = {
        "event_id": f"$enc{number}",
        "sender": ALICE if number % 2 else BOB,
        "origin_server_ts": GOOD_TS - 1_000 + number,
        "type": "m.room.encrypted",
        "content": {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "…"},
    }
    decrypted = inbox_source(envelope, source, ROOM)
    if decrypted is None:
        return None
    return NewInboxEvent(event_id=f"$enc{number}", room_id=ROOM, source=decrypted, was_encrypted=True)


def good_contribution(event_id: str) -> NewInboxEvent:
    source = {
        "event_id": event_id,
        "sender": ALICE,
        "type": "m.room.message",
        "origin_server_ts": GOOD_TS,
        "content": {"msgtype": "m.text", "body": "Victim assistance needs steady funding."},
    }
    return NewInboxEvent(event_id=event_id, room_id=ROOM, source=source)


def make_processor(db: Database, data_dir: Path, clock: Clock) -> InboxProcessor:
    client = RecordingClient()
    client.add_room(ROOM).power_levels.users[MODERATOR] = 100
    return InboxProcessor(
        client,  # type: ignore[arg-type]
        db,
        make_settings(data_dir),
        build_registry(),
        BotInfo(user_id=BOT_ID, version="test", started_at=0.0, encryption_enabled=True),
        RoomDirectory(),
        on_outbox_changed=lambda: None,
        clock=clock,
    )


async def run_the_loop_until_idle(db: Database, processor: InboxProcessor, clock: Clock) -> None:
    """The turns of `InboxProcessor.run`, with the clock moved on past each retry delay instead of waiting it out."""
    for _ in range(ROUNDS):
        async with db.transaction() as tx:
            rows = await tx.inbox.next_ready(clock())
        await processor.process_ready(rows)  # in batches, as the loop does
        await processor.wait_for_slow_work()
        async with db.transaction() as tx:
            if await tx.inbox.next_wake_time() is None:
                return
        clock.now += 10
    raise AssertionError("the inbox never settled")


async def push_through(template: Path, work: Path, arrivals_: list[tuple[str, dict[str, Any]]]) -> None:
    shutil.copy(template, work / "bot.db")
    db = await Database.open(work / "bot.db")
    try:
        clock = Clock()
        processor = make_processor(db, work, clock)
        events = [event for n, arrival in enumerate(arrivals_) if (event := sync_event(n, arrival)) is not None]
        good = good_contribution("$good-contribution")
        # One commit per event, as separate syncs would make them: a bad one must not stop the next from being stored.
        for event in [*events, good]:
            async with db.transaction() as tx:
                await tx.inbox.add([event], clock())
        await run_the_loop_until_idle(db, processor, clock)
        async with db.transaction() as tx:
            stored = await tx.contributions.by_event(good.event_id)
            queued = await tx.outbox.sendable_heads(clock.now + 1_000)
            pending = []
            while (row := await tx.outbox.next_sendable(clock.now + 1_000)) is not None:
                pending.append(row.item)
                await tx.outbox.mark_sent(row.txn_id, f"$sent{len(pending)}", clock())
        assert queued or pending
        assert stored is not None and stored.text == "Victim assistance needs steady funding."
        assert Reaction(good.event_id, "✅") in pending
    finally:
        await db.close()


async def make_template(path: Path) -> None:
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            await tx.rooms.set_joined(ROOM, JOINED_AT_MS)
            dialogue = await tx.dialogues.create(ROOM, "Strengthening the norms", b"s" * 32, 1_000.0)
            challenge = await tx.challenges.add(dialogue.id, "Transfers", "What do transfers mean?")
            await tx.challenges.open(challenge.id, "txn-prompt", 1_000.0)
    finally:
        await db.close()


@pytest.fixture(scope="module")
def template() -> Any:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "template.db"
        asyncio.run(make_template(path))
        yield path


@settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(st.lists(arrivals, min_size=1, max_size=6))
def test_garbage_events_never_stop_the_processor_nor_cost_it_the_next_good_contribution(template, arrivals_):
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(push_through(template, Path(directory), arrivals_))
