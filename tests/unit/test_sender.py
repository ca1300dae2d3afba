"""The sender: transaction IDs reused on every retry, rate limits honoured, per-room order kept."""

from __future__ import annotations

import logging
import re

import pytest
from nio import RoomRedactError, RoomSendError

from bot.sender import OutboxSender
from handlers.outgoing import queue_redaction
from storage import Destination, Person, Room, RoomMessage
from tests.unit.fakes import RecordingClient, rate_limited

ROOM = "!room:test"
OTHER_ROOM = "!other:test"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def enqueue(db, to: str | Destination, body: str, now: float) -> str:
    destination = Room(to) if isinstance(to, str) else to
    async with db.transaction() as tx:
        return await tx.outbox.enqueue(destination, RoomMessage({"msgtype": "m.notice", "body": body}), now)


async def send_next(db, sender, clock) -> bool:
    async with db.transaction() as tx:
        row = await tx.outbox.next_sendable(clock())
    if row is None:
        return False
    await sender.send(row)
    return True


def make_sender(db, *answers):
    client = RecordingClient(answers=list(answers))
    client.add_room(ROOM)
    client.add_room(OTHER_ROOM)
    clock = Clock()
    return OutboxSender(client, db, clock=clock), client, clock  # type: ignore[arg-type]


async def test_a_rate_limited_message_is_resent_with_the_same_transaction_id_after_the_wait(db):
    sender, client, clock = make_sender(db, rate_limited(2_500))
    txn = await enqueue(db, ROOM, "one", clock())

    await send_next(db, sender, clock)
    await send_next(db, sender, clock)

    assert [sent[3] for sent in client.sent] == [txn, txn]
    assert sender._paused_until == pytest.approx(1_002.5)
    async with db.transaction() as tx:
        assert await tx.outbox.pending_count() == 0
        assert await tx.outbox.sent_event_id(txn) == "$event2"


async def test_a_network_failure_defers_the_message_and_keeps_its_transaction_id(db):
    sender, client, clock = make_sender(db, ConnectionError("reset"))
    txn = await enqueue(db, ROOM, "one", clock())

    await send_next(db, sender, clock)
    assert not await send_next(db, sender, clock), "the message must wait for its back-off"
    clock.now += 120
    await send_next(db, sender, clock)

    assert [sent[3] for sent in client.sent] == [txn, txn]


async def test_a_forbidden_message_is_given_up_and_the_next_one_goes_out(db):
    sender, client, clock = make_sender(db, RoomSendError("not in room", "M_FORBIDDEN"))
    await enqueue(db, ROOM, "one", clock())
    await enqueue(db, ROOM, "two", clock())

    await send_next(db, sender, clock)
    await send_next(db, sender, clock)

    assert [sent[2]["body"] for sent in client.sent] == ["one", "two"]
    async with db.transaction() as tx:
        assert await tx.outbox.pending_count() == 0


async def test_messages_in_one_room_go_out_in_the_order_they_were_queued(db):
    sender, client, clock = make_sender(db)
    for body in ("a", "b", "c"):
        await enqueue(db, ROOM, body, clock())
    await enqueue(db, OTHER_ROOM, "x", clock())

    while await send_next(db, sender, clock):
        pass

    assert [(sent[0], sent[2]["body"]) for sent in client.sent] == [
        (ROOM, "a"),
        (ROOM, "b"),
        (ROOM, "c"),
        (OTHER_ROOM, "x"),
    ]


async def test_a_message_for_a_room_the_client_does_not_know_yet_waits(db):
    sender, client, clock = make_sender(db)
    await enqueue(db, "!unknown:test", "hello", clock())

    await send_next(db, sender, clock)

    assert client.sent == []
    async with db.transaction() as tx:
        assert await tx.outbox.pending_count() == 1


async def test_a_direct_message_that_must_wait_is_logged_without_the_persons_matrix_id(db, caplog):
    sender, client, clock = make_sender(db)
    async with db.transaction() as tx:
        await tx.state.set("direct-room:@carol:test", "!dm:test")  # created before; carol has not joined it
    await enqueue(db, Person("@carol:test"), "your digest", clock())

    with caplog.at_level(logging.INFO, logger="bot"):
        await send_next(db, sender, clock)

    assert client.sent == []
    warnings = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert warnings, "the deferral is still worth a line"
    for record in warnings:
        assert "carol" not in record.getMessage()
        assert "carol" not in str(vars(record)), vars(record)
    assert any(getattr(record, "recipient", None) == "direct message" for record in warnings)


async def test_a_delivered_direct_message_is_logged_without_the_person_or_their_direct_room(db, caplog):
    sender, client, clock = make_sender(db)
    client.add_room("!dm:test").add_member("@carol:test", None, None)
    async with db.transaction() as tx:
        await tx.state.set("direct-room:@carol:test", "!dm:test")
    await enqueue(db, Person("@carol:test"), "your digest", clock())

    with caplog.at_level(logging.INFO, logger="bot"):
        await send_next(db, sender, clock)

    assert [sent[0] for sent in client.sent] == ["!dm:test"]
    (line,) = [record for record in caplog.records if record.getMessage() == "message sent"]
    assert "carol" not in str(vars(line)) and "!dm:test" not in str(vars(line))


async def test_rooms_take_turns_so_a_long_queue_in_one_room_does_not_hold_up_another(db):
    sender, client, clock = make_sender(db)
    for n in range(5):
        await enqueue(db, ROOM, f"busy {n}", clock())
    await enqueue(db, OTHER_ROOM, "quiet", clock())

    assert await sender.flush(deadline=clock() + 60) == 0

    assert [sent[0] for sent in client.sent] == [ROOM, OTHER_ROOM, ROOM, ROOM, ROOM, ROOM]
    assert [sent[2]["body"] for sent in client.sent if sent[0] == ROOM] == [f"busy {n}" for n in range(5)]


async def test_a_message_too_large_for_the_homeserver_is_not_dropped_silently(db, caplog):
    sender, client, clock = make_sender(db, RoomSendError("event too large", "M_TOO_LARGE"))
    await enqueue(db, ROOM, "a very long listing", clock())

    with caplog.at_level(logging.INFO):
        await send_next(db, sender, clock)
        await send_next(db, sender, clock)

    assert len(client.sent) == 2
    told = client.sent[1][2]["body"]
    reference = re.search(r"reference ([0-9A-F]{6})", told)
    assert client.sent[1][0] == ROOM and "too large" in told and reference is not None
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR and getattr(r, "ref", None) == reference.group(1)]
    assert logged and "a very long listing" not in logged[0].getMessage()
    async with db.transaction() as tx:
        assert await tx.outbox.pending_count() == 0


async def test_a_redaction_is_sent_as_a_redaction_and_retried_with_the_same_transaction_id(db):
    sender, client, clock = make_sender(db, RoomRedactError("Internal error", "M_UNKNOWN"))
    async with db.transaction() as tx:
        txn = await queue_redaction(tx, ROOM, "$roster-command", "belongs in the back-room", clock())

    await send_next(db, sender, clock)
    clock.now += 3600
    await send_next(db, sender, clock)

    assert client.redacted == [(ROOM, "$roster-command", "belongs in the back-room", txn)] * 2
    assert client.sent == []
    async with db.transaction() as tx:
        assert await tx.outbox.pending_count() == 0
        assert await tx.outbox.sent_event_id(txn) is not None


async def test_a_redaction_the_server_forbids_is_given_up(db):
    sender, _client, clock = make_sender(db, RoomRedactError("not allowed", "M_FORBIDDEN"))
    async with db.transaction() as tx:
        await queue_redaction(tx, ROOM, "$roster-command", "reason", clock())

    await send_next(db, sender, clock)

    async with db.transaction() as tx:
        assert await tx.outbox.pending_count() == 0
