"""A slow synopsis compile posts one notice, edited once the command is answered (bot/compile_notice.py), and the
sender turns the edit into an `m.replace` of the notice's event (storage.outbox.Edit)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from bot.compile_notice import DONE, WORKING, notice_txn_id
from handlers.slow_work import local_runner
from storage import Database, Edit, Room, RoomMessage
from tests.unit.test_processor import ROOM, message, process_ready
from tests.unit.test_processor_outcome import MODERATOR, TIMEOUT, Harness, HeldRunner, add
from tests.unit.test_sender import make_sender, send_next


def outbox(tmp_path) -> list[tuple[str, str, dict]]:
    """(txn_id, kind, fields) of every queued row, in order."""
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        rows = conn.execute("SELECT txn_id, kind, content FROM outbox ORDER BY seq").fetchall()
    return [(txn, kind, json.loads(content)) for txn, kind, content in rows]


def notices(tmp_path) -> list[str]:
    return [txn for txn, _, fields in outbox(tmp_path) if fields.get("body") == WORKING]


def edits(tmp_path) -> list[tuple[str, str]]:
    """(edited txn, new body) of every queued edit."""
    return [
        (fields["dialogue_bot.edit_of_txn"], fields["new_content"]["body"])
        for _, _, fields in outbox(tmp_path)
        if "dialogue_bot.edit_of_txn" in fields
    ]


def files(tmp_path) -> int:
    return sum(1 for _, kind, _ in outbox(tmp_path) if kind == "file")


def held_then_compiled() -> tuple[HeldRunner, object]:
    held, compile_for_real = HeldRunner(), local_runner()

    async def run(request: object) -> object:
        await held(request)
        return await compile_for_real(request)  # type: ignore[arg-type]

    return held, run


async def a_dialogue(db: Database, language: str | None = None) -> None:
    async with db.transaction() as tx:
        await tx.rooms.set_joined(ROOM, 0)
        dialogue = await tx.dialogues.create(ROOM, "Norms", b"s" * 32, 1_000.0)
        await tx.challenges.add(dialogue.id, "Transfers", "What do transfers mean?")
        if language is not None:
            await tx.dialogues.set_language(dialogue.id, language)


async def a_compile_held_after_its_notice(db: Database, tmp_path: Path) -> tuple[HeldRunner, Harness]:
    """`!dialogue synopsis` asked, and its compile held once the notice is queued."""
    held, run = held_then_compiled()
    h = Harness(db, tmp_path, runner=run, compile_notice_after=0.0)
    await add(db, message("$pull", "!dialogue synopsis", sender=MODERATOR))
    await process_ready(db, h.processor, h.clock)
    await asyncio.wait_for(held.started.wait(), TIMEOUT)
    await h.until_queued(lambda: len(outbox(tmp_path)) == 1)
    return held, h


async def test_a_slow_compile_posts_one_notice_and_edits_it_when_the_file_is_queued(db, tmp_path):
    await a_dialogue(db)
    held, h = await a_compile_held_after_its_notice(db, tmp_path)
    [(txn, kind, notice)] = outbox(tmp_path)
    assert (txn, kind, notice["body"]) == (notice_txn_id("$pull"), "message", WORKING)
    assert notice["m.relates_to"] == {"m.in_reply_to": {"event_id": "$pull"}}

    held.release.set()
    await asyncio.wait_for(h.processor.wait_for_slow_work(), TIMEOUT)
    assert (notices(tmp_path), edits(tmp_path), files(tmp_path)) == ([txn], [(txn, DONE)], 1)


async def test_a_restart_during_the_compile_posts_no_second_notice_and_one_edit(db, tmp_path):
    await a_dialogue(db)
    _, run = held_then_compiled()
    before = Harness(db, tmp_path, runner=run, compile_notice_after=0.0)
    await add(db, message("$pull", "!dialogue synopsis", sender=MODERATOR))
    await process_ready(db, before.processor, before.clock)
    await before.until_queued(lambda: len(outbox(tmp_path)) == 1)
    await before.processor._cancel_slow_jobs()  # the bot stops mid-compile: the event stays pending

    held_again, run_again = held_then_compiled()
    after = Harness(db, tmp_path, runner=run_again, compile_notice_after=0.0)
    await process_ready(db, after.processor, after.clock)
    await asyncio.wait_for(held_again.started.wait(), TIMEOUT)
    held_again.release.set()
    await asyncio.wait_for(after.processor.wait_for_slow_work(), TIMEOUT)
    txn = notice_txn_id("$pull")
    assert (notices(tmp_path), edits(tmp_path), files(tmp_path)) == ([txn], [(txn, DONE)], 1)


async def test_a_quick_compile_posts_no_notice(db, tmp_path):
    await a_dialogue(db)
    h = Harness(db, tmp_path, runner=local_runner(), compile_notice_after=60.0)
    await add(db, message("$pull", "!dialogue synopsis", sender=MODERATOR))
    await process_ready(db, h.processor, h.clock)
    await asyncio.wait_for(h.processor.wait_for_slow_work(), TIMEOUT)
    assert (notices(tmp_path), edits(tmp_path), files(tmp_path)) == ([], [], 1)


async def test_queueing_under_a_derived_transaction_id_twice_queues_once(db):
    async with db.transaction() as tx:
        assert await tx.outbox.enqueue_once("dlgx", Room(ROOM), RoomMessage({"body": "a"}), 1.0)
        assert not await tx.outbox.enqueue_once("dlgx", Room(ROOM), RoomMessage({"body": "b"}), 2.0)
        await tx.outbox.enqueue(Room(ROOM), Edit("dlgx", {"msgtype": "m.notice", "body": "c"}), 3.0)
        assert await tx.outbox.pending_count() == 2


async def test_the_sender_sends_an_edit_as_a_replacement_of_the_sent_notice(db):
    sender, client, clock = make_sender(db)
    async with db.transaction() as tx:
        txn = await tx.outbox.enqueue(Room(ROOM), RoomMessage({"msgtype": "m.notice", "body": WORKING}), 1.0)
        await tx.outbox.enqueue(Room(ROOM), Edit(txn, {"msgtype": "m.notice", "body": DONE}), 1.0)
    assert await send_next(db, sender, clock)
    assert await send_next(db, sender, clock)
    room_id, event_type, content, _ = client.sent[1]
    assert (room_id, event_type) == (ROOM, "m.room.message")
    assert content["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$event1"}
    assert content["m.new_content"] == {"msgtype": "m.notice", "body": DONE}
    assert content["body"] == f"* {DONE}"


async def test_an_edit_of_a_notice_that_was_given_up_is_given_up_too(db):
    sender, client, clock = make_sender(db)
    async with db.transaction() as tx:
        txn = await tx.outbox.enqueue(Room(ROOM), RoomMessage({"msgtype": "m.notice", "body": WORKING}), 1.0)
        await tx.outbox.mark_failed(txn, "M_FORBIDDEN")
        await tx.outbox.enqueue(Room(ROOM), Edit(txn, {"msgtype": "m.notice", "body": DONE}), 1.0)
    assert await send_next(db, sender, clock)
    assert client.sent == []
    async with db.transaction() as tx:
        assert await tx.outbox.pending_count() == 0
