"""The inbox processor: exactly-once effects, and failures that end in a reference number, not a lost event."""

from __future__ import annotations

import json
import logging
import re
import sqlite3

from bot.processor import InboxProcessor
from bot.room_state import RoomDirectory
from handlers.commands import Command, CommandRegistry
from handlers.context import BotInfo
from handlers.registry import build_registry
from storage import NewInboxEvent, RoomMessage
from tests.unit.fakes import BOT_ID, RecordingClient, make_settings

ROOM = "!room:test"
SECRET_BODY = "!dialogue boom the delegate of Ruritania said"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def message(event_id: str, body: str, sender: str = "@alice:test", ts: int = 2_000_000) -> NewInboxEvent:
    source = {
        "event_id": event_id,
        "sender": sender,
        "type": "m.room.message",
        "origin_server_ts": ts,
        "content": {"msgtype": "m.text", "body": body},
    }
    return NewInboxEvent(event_id=event_id, room_id=ROOM, source=source)


async def explode(call, tx):
    raise RuntimeError("handler bug")


def make_processor(db, tmp_path, registry=None):
    client = RecordingClient()
    client.add_room(ROOM)
    clock = Clock()
    outbox_wakes: list[int] = []
    processor = InboxProcessor(
        client,  # type: ignore[arg-type]
        db,
        make_settings(tmp_path),
        registry or build_registry(),
        BotInfo(user_id=BOT_ID, version="test", started_at=0.0, encryption_enabled=False),
        RoomDirectory(),
        on_outbox_changed=lambda: outbox_wakes.append(1),
        clock=clock,
    )
    return processor, clock, outbox_wakes


async def process_ready(db, processor, clock) -> int:
    async with db.transaction() as tx:
        rows = await tx.inbox.next_ready(clock())
    await processor.process_ready(rows)  # in batches, as the processor's loop does
    return len(rows)


async def test_a_command_is_answered_once_and_its_raw_event_is_forgotten(db, tmp_path):
    processor, clock, wakes = make_processor(db, tmp_path)
    async with db.transaction() as tx:
        await tx.inbox.add([message("$1", "!dialogue ping")], clock())

    assert await process_ready(db, processor, clock) == 1
    assert await process_ready(db, processor, clock) == 0

    async with db.transaction() as tx:
        assert await tx.outbox.pending_count() == 1
        counts = await tx.inbox.counts()
        row = await tx.outbox.next_sendable(clock())
    assert counts["done"] == 1
    assert row is not None and isinstance(row.item, RoomMessage) and row.item.content["body"] == "pong"
    assert row.item.content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$1"}}
    assert wakes == [1]


async def test_the_bots_own_messages_and_those_from_before_it_joined_are_ignored(db, tmp_path):
    processor, clock, _ = make_processor(db, tmp_path)
    async with db.transaction() as tx:
        await tx.rooms.set_joined(ROOM, 2_000_000)
        await tx.inbox.add(
            [message("$own", "!dialogue ping", sender=BOT_ID), message("$old", "!dialogue ping", ts=1_999_999)],
            clock(),
        )

    await process_ready(db, processor, clock)

    async with db.transaction() as tx:
        assert (await tx.inbox.counts())["ignored"] == 2
        assert await tx.outbox.pending_count() == 0


async def test_a_failing_handler_is_retried_then_quarantined_with_a_reference_in_chat_and_log(db, tmp_path, caplog):
    registry = CommandRegistry([Command("boom", "always fails", explode, parse=lambda raw: raw)])
    processor, clock, _ = make_processor(db, tmp_path, registry)
    async with db.transaction() as tx:
        await tx.inbox.add([message("$1", SECRET_BODY)], clock())

    with caplog.at_level(logging.INFO):
        for _ in range(3):
            assert await process_ready(db, processor, clock) == 1
            clock.now += 10

    async with db.transaction() as tx:
        counts = await tx.inbox.counts()
        notice = await tx.outbox.next_sendable(clock())
    assert counts["quarantined"] == 1 and counts["pending"] == 0
    assert notice is not None and isinstance(notice.item, RoomMessage)
    reference = re.search(r"reference ([0-9A-F]{6})", notice.item.content["body"])
    assert reference is not None
    failures = [record for record in caplog.records if record.getMessage() == "handler failed"]
    assert len(failures) == 3
    assert failures[-1].exc_info is not None and failures[-1].ref == reference.group(1)  # type: ignore[attr-defined]
    assert "Ruritania" not in caplog.text and "@alice:test" not in caplog.text


async def test_a_failed_event_waits_before_its_retry(db, tmp_path):
    registry = CommandRegistry([Command("boom", "always fails", explode, parse=lambda raw: raw)])
    processor, clock, _ = make_processor(db, tmp_path, registry)
    async with db.transaction() as tx:
        await tx.inbox.add([message("$1", SECRET_BODY)], clock())

    assert await process_ready(db, processor, clock) == 1
    assert await process_ready(db, processor, clock) == 0
    clock.now += 1.5
    assert await process_ready(db, processor, clock) == 1


async def test_a_flooding_sender_gets_one_notice_and_everything_is_still_handled_in_order(db, tmp_path):
    processor, clock, _ = make_processor(db, tmp_path)
    # Commands count towards the rate but keep their one answer each; the notice goes to the first other message.
    commands = [message(f"$a{n}", "!dialogue ping", ts=2_000_000 + n * 100) for n in range(40)]
    chatter = [message(f"$c{n}", "just saying", ts=2_004_100 + n * 100) for n in range(3)]
    async with db.transaction() as tx:
        await tx.inbox.add(
            [*commands, *chatter, message("$b", "!dialogue ping", sender="@bob:test", ts=2_004_000)], clock()
        )

    while await process_ready(db, processor, clock):
        pass

    with sqlite3.connect(tmp_path / "bot.db") as conn:
        bodies = [json.loads(row[0]) for row in conn.execute("SELECT content FROM outbox ORDER BY seq")]
    notices = [c for c in bodies if "many messages" in c["body"]]
    assert len(notices) == 1
    assert notices[0]["m.relates_to"] == {"m.in_reply_to": {"event_id": "$c0"}}
    assert "@alice:test" not in notices[0]["body"]
    answered = [c["m.relates_to"]["m.in_reply_to"]["event_id"] for c in bodies if c["body"] == "pong"]
    assert answered.index("$b") < 5  # bob took his turn early, not after alice's forty
    assert [e for e in answered if e != "$b"] == [f"$a{n}" for n in range(40)]
