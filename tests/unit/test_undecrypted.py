"""The sweep over events awaiting keys: its wrapping cursor, and bounded work that still reaches every event.

The Matrix side is a stand-in that can decrypt the sessions it is told it has keys for; the real path (real keys,
real key requests, a real homeserver) is in tests/integration/test_undecryptable.py.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from nio import MegolmEvent
from nio.exceptions import EncryptionError

import bot.undecrypted as undecrypted_module
from bot.undecrypted import SweepCursor, UndecryptedEvents
from storage import Database, NewInboxEvent, OutboxRow, Person, RoomMessage
from tests.unit.fakes import BOT_ID, make_settings

ROOM = "!room:test"
ALICE = "@alice:test"
BOB = "@bob:test"
JOINED_AT_MS = 1_700_000_000_000

# -- the cursor ------------------------------------------------------------------------------------------------------


def test_a_sweep_from_the_start_reads_everything_once_and_ends_at_the_newest() -> None:
    cursor = SweepCursor()
    cursor.owe_sweep()

    assert cursor.window() == (0, None)
    cursor.advance(last_seq=4, page_was_full=True)
    assert cursor.window() == (4, None)
    cursor.advance(last_seq=6, page_was_full=False)

    assert not cursor.sweep_owed
    assert cursor.position == 0


def test_a_sweep_owed_midway_runs_to_the_newest_then_wraps_and_stops_where_it_was_asked() -> None:
    cursor = SweepCursor()
    cursor.owe_sweep()
    cursor.advance(last_seq=10, page_was_full=True)
    cursor.owe_sweep()  # keys arrived while the cursor stood at 10

    cursor.advance(last_seq=15, page_was_full=False)  # reached the newest
    assert cursor.sweep_owed and cursor.window() == (0, 10)
    cursor.advance(last_seq=10, page_was_full=False)

    assert not cursor.sweep_owed


def test_asking_again_after_wrapping_moves_the_end_instead_of_starting_over_from_the_oldest() -> None:
    cursor = SweepCursor()
    cursor.owe_sweep()
    cursor.advance(last_seq=10, page_was_full=True)
    cursor.owe_sweep()
    cursor.advance(last_seq=None, page_was_full=False)  # wrapped, now reading 1..10
    cursor.advance(last_seq=3, page_was_full=True)

    cursor.owe_sweep()  # keys arrive again at 3

    assert cursor.window() == (3, None)  # on to the newest, not back to the oldest
    cursor.advance(last_seq=None, page_was_full=False)
    assert cursor.window() == (0, 3)
    cursor.advance(last_seq=3, page_was_full=False)
    assert not cursor.sweep_owed


# -- the sweep over a real database ----------------------------------------------------------------------------------


class KeyringClient:
    """Decrypts the megolm sessions it has been given keys for; records the key requests nio would send."""

    user_id = BOT_ID
    device_id = "BOTDEVICE"

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.rooms: dict[str, Any] = {ROOM: SimpleNamespace(name="Norms dialogue")}
        self.olm = SimpleNamespace(outgoing_to_device_messages=[], inbound_group_store=self)
        self.sent_to_device: list[Any] = []

    def get(self, room_id: str, sender_key: str, session_id: str) -> object | None:
        """nio's inbound group store: the session, if its key is here."""
        return session_id if session_id in self.keys else None

    def decrypt_event(self, event: MegolmEvent) -> Any:
        if event.session_id not in self.keys:
            raise EncryptionError("no key")
        return SimpleNamespace(
            source={"type": "m.room.message", "room_id": event.room_id, "content": {"body": "read at last"}}
        )

    async def send_to_device_messages(self) -> list[Any]:
        self.sent_to_device.extend(self.olm.outgoing_to_device_messages)
        self.olm.outgoing_to_device_messages.clear()
        return []


def envelope(number: int, session_id: str, *, sender: str = ALICE, sent_at_ms: int = JOINED_AT_MS + 1) -> NewInboxEvent:
    source = {
        "type": "m.room.encrypted",
        "event_id": f"$event{number}",
        "sender": sender,
        "origin_server_ts": sent_at_ms,
        "room_id": ROOM,
        "content": {
            "algorithm": "m.megolm.v1.aes-sha2",
            "ciphertext": "opaque",
            "session_id": session_id,
            "sender_key": "curve",
            "device_id": "ALICEDEVICE",
        },
    }
    return NewInboxEvent(source["event_id"], ROOM, source, awaiting_key=True)


@pytest.fixture
async def db(db: Database) -> Database:
    """The unit tests' database, with the bot joined to the room since `JOINED_AT_MS`."""
    async with db.transaction() as tx:
        await tx.rooms.set_joined(ROOM, JOINED_AT_MS)
    return db


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def sweeper(client: KeyringClient, db: Database, tmp_path: Path, clock: Clock, **bot: Any) -> UndecryptedEvents:
    return UndecryptedEvents(
        client,  # type: ignore[arg-type]
        db,
        make_settings(tmp_path, **bot),
        on_decrypted=lambda: None,
        on_outbox_changed=lambda: None,
        clock=clock,
        monotonic=clock,
    )


async def pending_ids(db: Database) -> list[str]:
    async with db.transaction() as tx:
        return [row.event_id for row in await tx.inbox.next_ready(10**12, limit=1000)]


async def test_a_late_key_behind_more_unreadable_events_than_one_cycle_visits_is_found_within_a_few_cycles(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(undecrypted_module, "ROWS_PER_STEP", 4)
    monkeypatch.setattr(undecrypted_module, "ROWS_PER_CYCLE", 8)
    client, clock = KeyringClient(), Clock()
    async with db.transaction() as tx:
        await tx.inbox.add([envelope(number, "never") for number in range(30)] + [envelope(99, "late")], clock.now)
    events = sweeper(client, db, tmp_path, clock)
    await events.after_sync([], keys_may_have_arrived=False)  # the sweep owed at start: nothing readable yet

    client.keys.add("late")
    cycles = 0
    while not await pending_ids(db):
        await events.after_sync([], keys_may_have_arrived=cycles == 0)  # the key came with the first sync only
        cycles += 1
        assert cycles <= 5, "the late event was never reached"

    assert await pending_ids(db) == ["$event99"]
    async with db.transaction() as tx:
        assert (await tx.inbox.counts())["awaiting_key"] == 30


async def test_history_from_before_the_join_is_ignored_without_a_key_request_or_a_notice(
    db: Database, tmp_path: Path
) -> None:
    client, clock = KeyringClient(), Clock()
    async with db.transaction() as tx:
        await tx.inbox.add([envelope(1, "old", sent_at_ms=JOINED_AT_MS - 1)], clock.now)
    events = sweeper(client, db, tmp_path, clock, undecryptable_notice_minutes=1)

    await events.after_sync([], keys_may_have_arrived=False)
    clock.now += 3600
    await events.after_sync([], keys_may_have_arrived=True)

    async with db.transaction() as tx:
        counts = await tx.inbox.counts()
        queued = await tx.outbox.pending_count()
    assert counts["awaiting_key"] == 0 and counts["ignored"] == 1
    assert client.sent_to_device == [] and queued == 0


async def test_keys_are_requested_once_per_session_then_again_ever_less_often_and_after_a_restart(
    db: Database, tmp_path: Path
) -> None:
    client, clock = KeyringClient(), Clock()
    async with db.transaction() as tx:
        await tx.inbox.add([envelope(1, "s1"), envelope(2, "s1"), envelope(3, "s2")], clock.now)

    events = sweeper(client, db, tmp_path, clock)
    await events.after_sync([], keys_may_have_arrived=False)
    await events.after_sync([], keys_may_have_arrived=True)
    first = [(message.recipient, message.session_id) for message in client.sent_to_device]

    # To the sending device and to the bot's own other devices, once per session.
    assert sorted(first) == sorted([(ALICE, "s1"), (BOT_ID, "s1"), (ALICE, "s2"), (BOT_ID, "s2")])
    clock.now += undecrypted_module.KEY_REREQUEST_SECONDS + 1
    await events.after_sync([], keys_may_have_arrived=True)
    assert len(client.sent_to_device) == 8
    # Then ever less often: not again after the same time, but after twice that.
    clock.now += undecrypted_module.KEY_REREQUEST_SECONDS + 1
    await events.after_sync([], keys_may_have_arrived=True)
    assert len(client.sent_to_device) == 8
    clock.now += undecrypted_module.KEY_REREQUEST_SECONDS
    await events.after_sync([], keys_may_have_arrived=True)
    assert len(client.sent_to_device) == 12

    client.sent_to_device.clear()
    restarted = sweeper(client, db, tmp_path, clock)
    await restarted.after_sync([], keys_may_have_arrived=False)
    assert len(client.sent_to_device) == 4


async def test_once_due_each_sender_is_told_once_about_their_unreadable_messages_and_they_keep_waiting(
    db: Database, tmp_path: Path
) -> None:
    client, clock = KeyringClient(), Clock()
    async with db.transaction() as tx:
        await tx.inbox.add([envelope(1, "s1"), envelope(2, "s1"), envelope(3, "s2", sender=BOB)], clock.now)
    events = sweeper(client, db, tmp_path, clock, undecryptable_notice_minutes=10)

    await events.after_sync([], keys_may_have_arrived=False)
    clock.now += 9 * 60
    await events.after_sync([], keys_may_have_arrived=True)
    async with db.transaction() as tx:
        assert await tx.outbox.pending_count() == 0

    clock.now += 2 * 60
    await events.after_sync([], keys_may_have_arrived=True)
    await events.after_sync([], keys_may_have_arrived=True)
    await sweeper(client, db, tmp_path, clock, undecryptable_notice_minutes=10).after_sync(
        [], keys_may_have_arrived=False
    )

    async with db.transaction() as tx:
        rows = await tx.outbox.sendable_heads(clock.now + 1)
        queued = await tx.outbox.pending_count()
        counts = await tx.inbox.counts()
    by_recipient = {_recipient(row): _body(row) for row in rows}
    assert sorted(by_recipient) == [ALICE, BOB] and queued == 2
    assert "2 messages you sent could not be read" in by_recipient[ALICE]
    assert "“Norms dialogue”" in by_recipient[BOB] and "send it again" in by_recipient[BOB]
    assert all("opaque" not in body and "$event" not in body for body in by_recipient.values())
    assert counts["awaiting_key"] == 3


async def test_a_sender_with_many_unreadable_messages_gets_a_short_list_and_at_most_one_notice_per_interval(
    db: Database, tmp_path: Path
) -> None:
    client, clock = KeyringClient(), Clock()
    async with db.transaction() as tx:
        await tx.inbox.add([envelope(number, "s1") for number in range(12)], clock.now)
    events = sweeper(client, db, tmp_path, clock, undecryptable_notice_minutes=10)
    await events.after_sync([], keys_may_have_arrived=False)
    async with db.transaction() as tx:
        await tx.inbox.add([envelope(50, "s2")], clock.now + 5 * 60)

    clock.now += 10 * 60
    await events.after_sync([], keys_may_have_arrived=True)
    async with db.transaction() as tx:
        first = [_body(row) for row in await tx.outbox.sendable_heads(clock.now + 1)]
    clock.now += 5 * 60  # the later message is due now, but Alice was told five minutes ago
    await events.after_sync([], keys_may_have_arrived=True)
    async with db.transaction() as tx:
        held = await tx.outbox.pending_count()
    clock.now += 5 * 60
    await events.after_sync([], keys_may_have_arrived=True)
    async with db.transaction() as tx:
        queued = await tx.outbox.pending_count()

    assert len(first) == 1
    assert "12 messages you sent could not be read" in first[0] and "- and 7 more" in first[0]
    assert first[0].count("“Norms dialogue”") == 5
    assert held == 1 and queued == 2


def _recipient(row: OutboxRow) -> str:
    assert isinstance(row.destination, Person)
    return row.destination.user_id


def _body(row: OutboxRow) -> str:
    assert isinstance(row.item, RoomMessage)
    return str(row.item.content["body"])
