"""Migration 10: queued rows of the old shapes (user ID as room, base64 files, JSON markers) become typed rows."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

from storage import Database
from storage.migrations import MIGRATIONS
from storage.outbox import FileUpload, MediaDeletion, Person, Reaction, Redaction, Room, RoomMessage

ROOM = "!room:test"
OTHER_ROOM = "!other:test"
CAROL = "@carol:test"
FILE_BYTES = b"\x00\x01binary\xff" * 10
V9 = 9


def _outbox_row(raw: sqlite3.Connection, txn_id: str, room_id: str, event_type: str, content: object | None) -> None:
    state = "sent" if content is None else "pending"
    raw.execute(
        "INSERT INTO outbox (txn_id, room_id, event_type, content, state, created_at) VALUES (?, ?, ?, ?, ?, 1.0)",
        (txn_id, room_id, event_type, None if content is None else json.dumps(content), state),
    )


def _inbox_row(raw: sqlite3.Connection, event_id: str, source: dict[str, object], state: str = "pending") -> None:
    raw.execute(
        "INSERT INTO inbox (event_id, room_id, state, source, received_at) VALUES (?, ?, ?, ?, 1.0)",
        (event_id, ROOM, state, json.dumps(source)),
    )


async def _database_at_version_9(path: Path) -> None:
    old = await Database.open(path, migrations=MIGRATIONS[:V9])
    await old.close()
    with sqlite3.connect(path) as raw:
        _outbox_row(raw, "dlg-dm", CAROL, "m.room.message", {"msgtype": "m.notice", "body": "digest"})
        _outbox_row(raw, "dlg-msg", ROOM, "m.room.message", {"msgtype": "m.notice", "body": "hello"})
        _outbox_row(
            raw,
            "dlg-react",
            ROOM,
            "m.reaction",
            {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$c", "key": "✅"}},
        )
        _outbox_row(
            raw,
            "dlg-file",
            ROOM,
            "dialogue_bot.file",
            {
                "filename": "s.docx",
                "mimetype": "application/x-test",
                "data": base64.b64encode(FILE_BYTES).decode(),
                "dialogue_id": 4,
            },
        )
        _outbox_row(raw, "dlg-redact", OTHER_ROOM, "dialogue_bot.redact", {"event_id": "$x", "reason": "gone"})
        _outbox_row(raw, "dlg-media", OTHER_ROOM, "dialogue_bot.delete_media", {"mxc_uris": ["mxc://t/a"]})
        _outbox_row(raw, "dlg-sent", CAROL, "m.room.message", None)
        raw.execute("UPDATE outbox SET event_id = '$sent-event' WHERE txn_id = 'dlg-sent'")
        marked = {"event_id": "$decrypted", "sender": "@a:test", "type": "m.room.message"}
        _inbox_row(raw, "$decrypted", {**marked, "dialogue_bot.was_encrypted": True})
        _inbox_row(raw, "$plain", {"event_id": "$plain", "sender": "@a:test", "type": "m.room.message"})
        _inbox_row(
            raw,
            "$dialogue-bot.close.3.1000",
            {"event_id": "$dialogue-bot.close.3.1000", "sender": "", "type": "dialogue_bot.scheduled", "content": {}},
        )
        _inbox_row(
            raw,
            "$waiting",
            {"event_id": "$waiting", "sender": "@a:test", "type": "m.room.encrypted", "content": {}},
            state="awaiting_key",
        )


async def test_pending_outbox_rows_of_every_old_shape_become_typed_items(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    await _database_at_version_9(path)

    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            heads = {row.txn_id: row for row in await tx.outbox.sendable_heads(10.0)}
            pending = await tx.outbox.pending_count()
            sent = await tx.outbox.sent_event_id("dlg-sent")
    finally:
        await db.close()

    assert pending == 6 and sent == "$sent-event"
    # One head per destination: the DM, the first in ROOM, the first in OTHER_ROOM.
    assert set(heads) == {"dlg-dm", "dlg-msg", "dlg-redact"}
    assert (heads["dlg-dm"].destination, heads["dlg-dm"].item) == (
        Person(CAROL),
        RoomMessage({"msgtype": "m.notice", "body": "digest"}),
    )
    assert heads["dlg-redact"].destination == Room(OTHER_ROOM)
    assert heads["dlg-redact"].item == Redaction(event_id="$x", reason="gone")
    with sqlite3.connect(path) as raw:
        raw.row_factory = sqlite3.Row
        rows = {row["txn_id"]: row for row in raw.execute("SELECT * FROM outbox")}
    assert rows["dlg-file"]["data"] == FILE_BYTES
    assert "data" not in json.loads(rows["dlg-file"]["content"])
    assert (rows["dlg-sent"]["destination_kind"], rows["dlg-sent"]["kind"]) == ("person", "message")


async def test_the_queue_after_migration_is_sent_in_the_old_order_with_the_old_items(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    await _database_at_version_9(path)

    db = await Database.open(path)
    items = []
    try:
        while True:
            async with db.transaction() as tx:
                row = await tx.outbox.next_sendable(10.0)
                if row is None:
                    break
                items.append((row.txn_id, row.item))
                await tx.outbox.mark_sent(row.txn_id, f"${row.txn_id}", 10.0)
    finally:
        await db.close()

    assert items == [
        ("dlg-dm", RoomMessage({"msgtype": "m.notice", "body": "digest"})),
        ("dlg-msg", RoomMessage({"msgtype": "m.notice", "body": "hello"})),
        ("dlg-react", Reaction(target_event_id="$c", key="✅")),
        ("dlg-file", FileUpload("s.docx", "application/x-test", FILE_BYTES, 4)),
        ("dlg-redact", Redaction(event_id="$x", reason="gone")),
        ("dlg-media", MediaDeletion(mxc_uris=("mxc://t/a",))),
    ]


async def test_inbox_markers_become_columns_and_leave_the_source(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    await _database_at_version_9(path)

    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            ready = {row.event_id: row for row in await tx.inbox.next_ready(10.0)}
    finally:
        await db.close()

    decrypted, plain, timer = ready["$decrypted"], ready["$plain"], ready["$dialogue-bot.close.3.1000"]
    assert (decrypted.was_encrypted, decrypted.origin) == (True, "sync")
    assert decrypted.source is not None and "dialogue_bot.was_encrypted" not in decrypted.source
    assert (plain.was_encrypted, plain.origin) == (False, "sync")
    assert (timer.was_encrypted, timer.origin) == (False, "scheduled")
    with sqlite3.connect(path) as raw:
        waiting = raw.execute("SELECT state, origin, was_encrypted FROM inbox WHERE event_id = '$waiting'").fetchone()
    assert waiting == ("awaiting_key", "sync", 0)


async def test_a_pending_row_of_an_unreadable_shape_is_given_up_rather_than_blocking_its_room(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    old = await Database.open(path, migrations=MIGRATIONS[:V9])
    await old.close()
    with sqlite3.connect(path) as raw:
        _outbox_row(raw, "dlg-bad", ROOM, "dialogue_bot.file", {"filename": "x", "mimetype": "y", "data": "%%%"})
        _outbox_row(raw, "dlg-next", ROOM, "m.room.message", {"body": "next"})

    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            row = await tx.outbox.next_sendable(10.0)
    finally:
        await db.close()

    assert row is not None and (row.txn_id, row.item) == ("dlg-next", RoomMessage({"body": "next"}))
    with sqlite3.connect(path) as raw:
        state, content, error = raw.execute(
            "SELECT state, content, last_error FROM outbox WHERE txn_id = 'dlg-bad'"
        ).fetchone()
    assert (state, content) == ("failed", None) and "schema 10" in error
