"""Outages: the sender never gives up on a passing fault, backs off to a cap, keeps order, and does not spam the log."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from nio import RoomCreateError, RoomCreateResponse, RoomSendError

from bot.backoff import backoff_delay, worth_logging
from bot.errors import is_passing_fault
from bot.sender import OutboxSender
from storage import Person, Room, RoomMessage
from tests.unit.fakes import RecordingClient

ROOM = "!room:test"
# Longer than any back-off the sender may choose: moving the clock this far makes every deferred message due.
BEYOND_ANY_BACKOFF = 100_000.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def enqueue(db, body: str, now: float) -> str:
    async with db.transaction() as tx:
        return await tx.outbox.enqueue(Room(ROOM), RoomMessage({"msgtype": "m.notice", "body": body}), now)


def bad_gateway() -> RoomSendError:
    """What nio makes of a reverse proxy's HTML 502 page: no errcode, only the HTTP status."""
    error = RoomSendError("unknown error")
    error.transport_response = SimpleNamespace(status=502)
    return error


async def drain(db, sender, clock) -> None:
    """Send until nothing is pending, letting the clock run past every back-off."""
    while True:
        async with db.transaction() as tx:
            row = await tx.outbox.next_sendable(clock())
            pending = await tx.outbox.pending_count()
        if pending == 0:
            return
        if row is None:
            clock.now += BEYOND_ANY_BACKOFF
            continue
        await sender.send(row)


@pytest.mark.parametrize(
    "failure",
    [ConnectionRefusedError("refused"), TimeoutError(), bad_gateway(), RoomSendError("busy", "M_UNKNOWN")],
    ids=["refused", "timeout", "502", "M_UNKNOWN"],
)
async def test_a_message_survives_forty_passing_failures_and_is_sent_once_under_its_transaction_id(db, failure):
    client = RecordingClient(answers=[failure] * 40)
    client.add_room(ROOM)
    clock = Clock()
    sender = OutboxSender(client, db, clock=clock)  # type: ignore[arg-type]
    txn = await enqueue(db, "hello", clock())

    await drain(db, sender, clock)

    assert len(client.sent) == 41
    assert {sent[3] for sent in client.sent} == {txn}
    async with db.transaction() as tx:
        assert await tx.outbox.sent_event_id(txn) == "$event41"


async def test_order_within_a_room_holds_across_an_outage(db):
    client = RecordingClient(answers=[ConnectionRefusedError("refused")] * 25)
    client.add_room(ROOM)
    clock = Clock()
    sender = OutboxSender(client, db, clock=clock)  # type: ignore[arg-type]
    for body in ("first", "second", "third"):
        await enqueue(db, body, clock())

    await drain(db, sender, clock)

    delivered = [sent[2]["body"] for sent in client.sent[25:]]
    assert delivered == ["first", "second", "third"]
    assert {sent[2]["body"] for sent in client.sent[:25]} == {"first"}, "nothing overtakes the message that waits"


async def test_a_forbidden_message_still_fails_at_once(db):
    client = RecordingClient(answers=[RoomSendError("not in room", "M_FORBIDDEN")])
    client.add_room(ROOM)
    clock = Clock()
    sender = OutboxSender(client, db, clock=clock)  # type: ignore[arg-type]
    await enqueue(db, "hello", clock())

    await drain(db, sender, clock)

    assert len(client.sent) == 1


async def test_the_wait_between_tries_never_exceeds_the_configured_cap(db):
    client = RecordingClient(answers=[ConnectionRefusedError("refused")] * 30)
    client.add_room(ROOM)
    clock = Clock()
    sender = OutboxSender(client, db, clock=clock, max_delay=7.0)  # type: ignore[arg-type]
    await enqueue(db, "hello", clock())

    waits = []
    for _ in range(30):
        async with db.transaction() as tx:
            row = await tx.outbox.next_sendable(BEYOND_ANY_BACKOFF * 10)
        assert row is not None
        await sender.send(row)
        async with db.transaction() as tx:
            due = await tx.outbox.next_wake_time()
        assert due is not None
        waits.append(due - clock())

    assert max(waits) <= 7.0
    assert waits[-1] >= 3.5, "the wait grows to the cap (jitter takes at most half of it)"


async def test_a_long_outage_is_logged_at_growing_intervals_not_at_every_try(db, caplog):
    client = RecordingClient(answers=[ConnectionRefusedError("refused")] * 100)
    client.add_room(ROOM)
    clock = Clock()
    sender = OutboxSender(client, db, clock=clock)  # type: ignore[arg-type]
    await enqueue(db, "hello", clock())

    with caplog.at_level(logging.INFO, logger="bot"):
        await drain(db, sender, clock)

    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert [record.attempt for record in warnings] == [1, 2, 4, 8, 16, 32, 64]


def test_backoff_doubles_from_about_a_second_up_to_the_cap_with_jitter_below_it():
    lowest = [backoff_delay(failures, 300.0, rng=lambda: 0.0) for failures in range(1, 30)]
    highest = [backoff_delay(failures, 300.0, rng=lambda: 1.0) for failures in range(1, 30)]

    assert highest[:4] == [1.0, 2.0, 4.0, 8.0]
    assert lowest[:4] == [0.5, 1.0, 2.0, 4.0]
    assert max(highest) == 300.0 and highest[-1] == 300.0
    assert backoff_delay(1, 0.2, rng=lambda: 1.0) == 0.2, "a cap below a second (tests) holds from the first try"


def test_failures_worth_a_log_line_are_the_first_and_then_ever_further_apart():
    assert [n for n in range(1, 100) if worth_logging(n)] == [1, 2, 4, 8, 16, 32, 64]


def with_status(error, status: int):
    error.transport_response = SimpleNamespace(status=status)
    return error


@pytest.mark.parametrize(
    ("answer", "passing"),
    [
        (with_status(RoomSendError("unknown error"), 502), True),
        (with_status(RoomSendError("Internal server error", "M_UNKNOWN"), 500), True),
        (with_status(RoomSendError("slow down", "M_LIMIT_EXCEEDED"), 429), True),
        (RoomSendError("no status kept", "M_UNKNOWN"), True),
        (with_status(RoomSendError("Invalid access token", "M_UNKNOWN_TOKEN"), 401), False),
        (with_status(RoomSendError("Invalid password", "M_FORBIDDEN"), 403), False),
        (with_status(RoomSendError("unknown error"), 404), False),
    ],
    ids=["502-page", "500", "429", "M_UNKNOWN-no-status", "401-token", "403", "404-page"],
)
def test_a_passing_fault_is_told_apart_from_a_refusal(answer, passing):
    assert is_passing_fault(answer) is passing


class DirectRoomClient(RecordingClient):
    """Creating the direct room fails with 503 `failures` times, then works and the person is in it at once."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.create_failures_left = failures

    async def room_create(self, **_: object):
        if self.create_failures_left:
            self.create_failures_left -= 1
            return with_status(RoomCreateError("Service Unavailable"), 503)
        self.add_room("!dm:test").add_member("@carol:test", None, None)
        return RoomCreateResponse("!dm:test")


async def test_a_direct_message_waits_out_a_homeserver_that_cannot_create_the_room_for_now(db):
    client = DirectRoomClient(failures=30)
    clock = Clock()
    sender = OutboxSender(client, db, clock=clock)  # type: ignore[arg-type]
    async with db.transaction() as tx:
        txn = await tx.outbox.enqueue(
            Person("@carol:test"), RoomMessage({"msgtype": "m.notice", "body": "hi"}), clock()
        )

    await drain(db, sender, clock)

    assert [(sent[0], sent[3]) for sent in client.sent] == [("!dm:test", txn)]
