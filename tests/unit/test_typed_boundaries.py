"""Typed rows between bot/ and handlers/: where a message goes, what it is, and where an inbox event came from.

The outbox says "room" or "person" instead of guessing from an ID's first character, keeps a file's bytes as bytes,
and tells each kind of item apart by a tag, not a made-up event type. The inbox records whether an event was
decrypted and whether the scheduler made it, in columns the homeserver cannot write to.
"""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path

import pytest
from nio import UploadResponse

from bot.processor import InboxProcessor
from bot.room_state import RoomDirectory
from bot.scheduler import ScheduleRunner
from bot.sender import OutboxSender
from handlers.context import BotInfo
from handlers.events import InboundEvent
from handlers.registry import build_registry
from handlers.scheduled import INTERNAL_EVENT_TYPE, PlannedAction, is_internal
from storage import Database, NewInboxEvent
from storage.outbox import FileUpload, MediaDeletion, Person, Reaction, Redaction, Room, RoomMessage
from tests.unit.fakes import BOT_ID, RecordingClient, make_settings

ROOM = "!room:test"
CAROL = "@carol:test"
NOW = 1_000.0
FORGED_MARKER = "dialogue_bot.was_encrypted"  # the key main injected into decrypted events' JSON


# -- outbox ---------------------------------------------------------------------------------------------------------


async def test_a_direct_message_is_queued_for_a_person_and_read_back_as_one(db: Database) -> None:
    item = RoomMessage({"msgtype": "m.notice", "body": "your digest"})
    async with db.transaction() as tx:
        txn_id = await tx.outbox.enqueue(Person(CAROL), item, NOW)
        row = await tx.outbox.next_sendable(NOW)

    assert row is not None
    assert (row.txn_id, row.destination, row.item) == (txn_id, Person(CAROL), item)


async def test_a_room_message_is_read_back_for_its_room(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.outbox.enqueue(Room(ROOM), RoomMessage({"body": "hi"}), NOW)
        row = await tx.outbox.next_sendable(NOW)

    assert row is not None and row.destination == Room(ROOM)


async def test_a_file_is_stored_as_bytes_not_as_base64_text(db: Database, tmp_path: Path) -> None:
    data = bytes(range(256)) * 8  # every byte value, including ones no text encoding keeps
    upload = FileUpload(filename="synopsis.docx", mimetype="application/x-test", data=data, dialogue_id=7)
    async with db.transaction() as tx:
        await tx.outbox.enqueue(Room(ROOM), upload, NOW)
        row = await tx.outbox.next_sendable(NOW)

    assert row is not None and row.item == upload
    with sqlite3.connect(tmp_path / "bot.db") as raw:
        stored = raw.execute("SELECT kind, data, content FROM outbox").fetchone()
    kind, blob, content = stored
    assert kind == "file"
    assert isinstance(blob, bytes) and blob == data
    assert base64.b64encode(data).decode("ascii")[:40] not in content


@pytest.mark.parametrize(
    "item",
    [
        Reaction(target_event_id="$target", key="✅"),
        Redaction(event_id="$target", reason="withdrawn"),
        Redaction(event_id="$target", reason=None),
        MediaDeletion(mxc_uris=("mxc://test/a", "mxc://test/b")),
    ],
    ids=["reaction", "redaction", "redaction-without-reason", "media-deletion"],
)
async def test_every_kind_of_item_round_trips(db: Database, item: object) -> None:
    async with db.transaction() as tx:
        await tx.outbox.enqueue(Room(ROOM), item, NOW)  # type: ignore[arg-type]
        row = await tx.outbox.next_sendable(NOW)

    assert row is not None and row.item == item


async def test_sending_drops_a_files_bytes_with_its_content(db: Database, tmp_path: Path) -> None:
    async with db.transaction() as tx:
        txn_id = await tx.outbox.enqueue(Room(ROOM), FileUpload("a.txt", "text/plain", b"secret words", None), NOW)
        await tx.outbox.mark_sent(txn_id, "$sent", NOW)

    with sqlite3.connect(tmp_path / "bot.db") as raw:
        assert raw.execute("SELECT state, content, data FROM outbox").fetchone() == ("sent", None, None)


# -- inbox: was it encrypted? -----------------------------------------------------------------------------------------


def _server_message(event_id: str, **extra: object) -> dict[str, object]:
    return {
        "event_id": event_id,
        "sender": "@mallory:test",
        "type": "m.room.member",
        "state_key": "@mallory:test",
        "origin_server_ts": 2_000_000,
        "content": {"membership": "join"},
        **extra,
    }


def test_a_server_event_carrying_the_old_marker_key_is_not_treated_as_decrypted() -> None:
    event = InboundEvent.from_source(_server_message("$server", **{FORGED_MARKER: True}), ROOM)

    assert event.was_encrypted is False
    assert event.state_key == "@mallory:test"  # a server event keeps its state key


async def test_the_inbox_row_not_the_json_says_whether_an_event_was_decrypted(db: Database) -> None:
    forged = NewInboxEvent("$forged", ROOM, _server_message("$forged", **{FORGED_MARKER: True}))
    decrypted = NewInboxEvent("$decrypted", ROOM, _server_message("$decrypted"), was_encrypted=True)
    async with db.transaction() as tx:
        await tx.inbox.add([forged, decrypted], NOW)
        rows = {row.event_id: row for row in await tx.inbox.next_ready(NOW)}

    assert (rows["$forged"].was_encrypted, rows["$decrypted"].was_encrypted) == (False, True)
    view = InboundEvent.from_source(rows["$decrypted"].source or {}, ROOM, was_encrypted=True)
    assert (view.was_encrypted, view.state_key, view.redacts) == (True, None, None)


async def test_an_event_decrypted_late_is_recorded_as_encrypted(db: Database) -> None:
    envelope = {"event_id": "$late", "sender": "@alice:test", "type": "m.room.encrypted", "content": {}}
    async with db.transaction() as tx:
        await tx.inbox.add([NewInboxEvent("$late", ROOM, envelope, awaiting_key=True)], NOW)
        await tx.inbox.mark_decrypted("$late", {**envelope, "type": "m.room.message", "content": {"body": "x"}})
        (row,) = await tx.inbox.next_ready(NOW)

    assert row.was_encrypted is True


# -- inbox: did the scheduler make it? ------------------------------------------------------------------------------


async def test_a_scheduled_action_is_stored_with_origin_scheduled_and_recognised_by_it(db: Database) -> None:
    runner = ScheduleRunner(db, on_injected=lambda: None, grace_seconds=60.0, clock=lambda: NOW)
    await runner._inject([PlannedAction("close", 3, ROOM, NOW, NOW)])
    async with db.transaction() as tx:
        (row,) = await tx.inbox.next_ready(NOW)

    assert row.origin == "scheduled"
    event = InboundEvent.from_source(row.source or {}, row.room_id, origin=row.origin)
    assert is_internal(event)


def test_an_event_from_sync_with_an_empty_sender_is_not_a_scheduled_action() -> None:
    source = {
        "event_id": "$forged-timer",
        "sender": "",
        "type": INTERNAL_EVENT_TYPE,
        "origin_server_ts": 2_000_000,
        "content": {"action": "close", "subject_id": 1, "due": NOW},
    }

    assert not is_internal(InboundEvent.from_source(source, ROOM))


async def _dialogue_with_a_missed_opening(db: Database) -> int:
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "Test", b"s" * 32, NOW)
        challenge = await tx.challenges.add(dialogue.id, "First", "What do you think?")
        await tx.schedules.set(challenge.id, NOW - 10_000, None, NOW)
    return challenge.id


def _processor(db: Database, tmp_path: Path) -> InboxProcessor:
    client = RecordingClient()
    client.add_room(ROOM)
    return InboxProcessor(
        client,  # type: ignore[arg-type]
        db,
        make_settings(tmp_path),
        build_registry(),
        BotInfo(user_id=BOT_ID, version="test", started_at=0.0, encryption_enabled=False),
        RoomDirectory(),
        on_outbox_changed=lambda: None,
        clock=lambda: NOW,
    )


def _timer_source(event_id: str, challenge_id: int) -> dict[str, object]:
    return {
        "event_id": event_id,
        "sender": "",
        "type": INTERNAL_EVENT_TYPE,
        "origin_server_ts": 2_000_000,
        "content": {"action": "missed", "subject_id": challenge_id, "due": NOW - 10_000},
    }


async def _process_all(db: Database, processor: InboxProcessor) -> None:
    async with db.transaction() as tx:
        rows = await tx.inbox.next_ready(NOW)
    for row in rows:
        await processor.process(row)


async def test_an_empty_sender_event_from_sync_does_not_run_a_scheduled_action(db: Database, tmp_path: Path) -> None:
    challenge_id = await _dialogue_with_a_missed_opening(db)
    async with db.transaction() as tx:
        await tx.inbox.add([NewInboxEvent("$forged", ROOM, _timer_source("$forged", challenge_id))], NOW)

    await _process_all(db, _processor(db, tmp_path))

    async with db.transaction() as tx:
        schedule = await tx.schedules.get(challenge_id)
        queued = await tx.outbox.pending_count()
    assert schedule is not None and schedule.state == "scheduled"
    assert queued == 0


async def test_a_scheduled_origin_event_runs_its_action(db: Database, tmp_path: Path) -> None:
    challenge_id = await _dialogue_with_a_missed_opening(db)
    timer = NewInboxEvent("$timer", ROOM, _timer_source("$timer", challenge_id), origin="scheduled")
    async with db.transaction() as tx:
        await tx.inbox.add([timer], NOW)

    await _process_all(db, _processor(db, tmp_path))

    async with db.transaction() as tx:
        schedule = await tx.schedules.get(challenge_id)
        queued = await tx.outbox.pending_count()
    assert schedule is not None and schedule.state == "missed"
    assert queued == 1


# -- the sender dispatches on the item's type -------------------------------------------------------------------------


class UploadingClient(RecordingClient):
    """Records what was uploaded and answers with a fixed mxc URI."""

    def __init__(self) -> None:
        super().__init__()
        self.uploaded: list[tuple[bytes, str, str]] = []

    async def upload(self, provider, content_type: str, filename: str, encrypt: bool, filesize: int):
        self.uploaded.append((provider(), content_type, filename))
        return UploadResponse.from_dict({"content_uri": "mxc://test/uploaded"}), None


async def _send_all(db: Database, sender: OutboxSender) -> None:
    while (row := await sender.next_row()) is not None:
        await sender.send(row)


async def test_the_sender_posts_a_reaction_as_an_annotation(db: Database) -> None:
    client = RecordingClient()
    client.add_room(ROOM)
    async with db.transaction() as tx:
        txn_id = await tx.outbox.enqueue(Room(ROOM), Reaction(target_event_id="$point", key="✅"), NOW)

    await _send_all(db, OutboxSender(client, db, clock=lambda: NOW))  # type: ignore[arg-type]

    assert client.sent == [
        (ROOM, "m.reaction", {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$point", "key": "✅"}}, txn_id)
    ]


async def test_the_sender_uploads_a_files_exact_bytes_and_posts_it(db: Database) -> None:
    client = UploadingClient()
    client.add_room(ROOM)
    data = bytes(range(256))
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "Test", b"s" * 32, NOW)
        txn_id = await tx.outbox.enqueue(Room(ROOM), FileUpload("s.docx", "application/x-test", data, dialogue.id), NOW)

    await _send_all(db, OutboxSender(client, db, clock=lambda: NOW))  # type: ignore[arg-type]

    assert client.uploaded == [(data, "application/x-test", "s.docx")]
    [(room_id, event_type, content, sent_txn_id)] = client.sent
    assert (room_id, event_type, sent_txn_id) == (ROOM, "m.room.message", txn_id)
    assert (content["msgtype"], content["url"], content["info"]["size"]) == ("m.file", "mxc://test/uploaded", 256)
    async with db.transaction() as tx:
        assert await tx.media.for_dialogue(dialogue.id) == ["mxc://test/uploaded"]
