"""Redactions and reactions through the dispatcher, on a real (temporary) SQLite database.

Who may withdraw what: only the author (or supporter), or a moderator of the dialogue room by real power level, and
only from the same room. Redactions that arrive before their target, including one of an edit whose key came late.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from handlers.context import BotInfo, RoomSnapshot
from handlers.dispatch import HandlerEnv, handle_event
from handlers.events import InboundEvent
from handlers.handler_settings import HandlerSettings
from handlers.registry import build_registry
from storage import Database
from tests.unit.fakes import BOT_ID, make_settings

ROOM = "!dialogue:test"
OTHER_ROOM = "!elsewhere:test"
ALICE, BOB, MALLORY, MODERATOR = "@alice:test", "@bob:test", "@mallory:test", "@mod:test"
NOW = 1_000_000.0

_ids = itertools.count(1)


def snapshot(room_id: str = ROOM) -> RoomSnapshot:
    members = {ALICE: "Alice", BOB: "Bob", MALLORY: "Mallory", MODERATOR: "Mod", BOT_ID: "Bot"}
    return RoomSnapshot(
        room_id=room_id,
        encrypted=True,
        room_version="10",
        user_power_levels={MODERATOR: 100},
        display_names=members,
        joined_member_count=len(members),
    )


@dataclass
class Harness:
    db: Database
    env: HandlerEnv
    rooms: dict[str, RoomSnapshot]

    async def deliver(self, event: InboundEvent) -> None:
        async with self.db.transaction() as tx:
            await handle_event(event, self.rooms[event.room_id], self.env, tx)

    async def texts(self) -> list[str]:
        async with self.db.transaction() as tx:
            dialogue = await tx.dialogues.active_in_room(ROOM)
            assert dialogue is not None
            return [contribution.text for contribution in await tx.contributions.for_dialogue(dialogue.id)]

    async def supporters(self, event_id: str) -> int:
        async with self.db.transaction() as tx:
            contribution = await tx.contributions.by_event(event_id)
            assert contribution is not None
            return await tx.contributions.distinct_supporters(contribution.id)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    db = await Database.open(tmp_path / "bot.db")
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "D", b"s" * 32, NOW)
        challenge = await tx.challenges.add(dialogue.id, "A", "a?")
        await tx.challenges.open(challenge.id, "txn-prompt", NOW)
    rooms = {ROOM: snapshot(ROOM), OTHER_ROOM: snapshot(OTHER_ROOM)}
    env = HandlerEnv(
        settings=HandlerSettings.of(make_settings(tmp_path)),
        registry=build_registry(),
        bot=BotInfo(user_id=BOT_ID, version="test", started_at=0.0, encryption_enabled=True),
        now=NOW,
        rooms=rooms.get,
    )
    yield Harness(db, env, rooms)
    await db.close()


def event(sender: str, event_type: str, content: dict[str, Any], *, room: str = ROOM, **fields: Any) -> InboundEvent:
    return InboundEvent(
        event_id=f"${next(_ids)}",
        room_id=room,
        sender=sender,
        type=event_type,
        content=content,
        origin_server_ts=int(NOW * 1000) + next(_ids),
        was_encrypted=True,
        **fields,
    )


def message(sender: str, body: str, **fields: Any) -> InboundEvent:
    return event(sender, "m.room.message", {"msgtype": "m.text", "body": body}, **fields)


def edit(sender: str, target: str, body: str) -> InboundEvent:
    content = {
        "msgtype": "m.text",
        "body": f"* {body}",
        "m.new_content": {"msgtype": "m.text", "body": body},
        "m.relates_to": {"rel_type": "m.replace", "event_id": target},
    }
    return event(sender, "m.room.message", content)


def redaction(sender: str, target: str, *, room: str = ROOM) -> InboundEvent:
    # As the server sends it: never encrypted, `redacts` at the top level (and in the content from v11).
    return InboundEvent(
        event_id=f"${next(_ids)}",
        room_id=room,
        sender=sender,
        type="m.room.redaction",
        content={"redacts": target},
        origin_server_ts=int(NOW * 1000) + next(_ids),
        redacts=target,
    )


def thumbs_up(sender: str, target: str, *, room: str = ROOM) -> InboundEvent:
    relation = {"rel_type": "m.annotation", "event_id": target, "key": "👍"}
    return event(sender, "m.reaction", {"m.relates_to": relation}, room=room)


async def contribution(harness: Harness, sender: str = ALICE, body: str = "A point on assistance.") -> InboundEvent:
    point = message(sender, body)
    await harness.deliver(point)
    assert body in await harness.texts()
    return point


# -- withdrawing a contribution ------------------------------------------------------------------------------------


async def test_a_redaction_by_another_participant_withdraws_nothing(harness: Harness) -> None:
    point = await contribution(harness)
    await harness.deliver(redaction(MALLORY, point.event_id))
    assert await harness.texts() == ["A point on assistance."]


async def test_the_authors_own_redaction_withdraws_the_contribution(harness: Harness) -> None:
    point = await contribution(harness)
    await harness.deliver(redaction(ALICE, point.event_id))
    assert await harness.texts() == []


async def test_a_moderators_redaction_withdraws_the_contribution(harness: Harness) -> None:
    point = await contribution(harness)
    await harness.deliver(redaction(MODERATOR, point.event_id))
    assert await harness.texts() == []


async def test_a_redaction_of_an_edit_by_another_participant_withdraws_nothing(harness: Harness) -> None:
    point = await contribution(harness)
    revision = edit(ALICE, point.event_id, "A revised point on assistance.")
    await harness.deliver(revision)
    await harness.deliver(redaction(MALLORY, revision.event_id))
    assert await harness.texts() == ["A revised point on assistance."]


async def test_a_redaction_sent_in_another_room_withdraws_nothing_even_from_the_author(harness: Harness) -> None:
    point = await contribution(harness)
    await harness.deliver(redaction(ALICE, point.event_id, room=OTHER_ROOM))
    assert await harness.texts() == ["A point on assistance."]


async def test_a_redaction_inside_an_encrypted_payload_is_not_honoured(harness: Harness) -> None:
    point = await contribution(harness)
    # A decrypted payload of type m.room.redaction, as the inbox stores it: the sender's claim, not the server's.
    source = {
        "event_id": "$forged-redaction",
        "sender": ALICE,
        "type": "m.room.redaction",
        "origin_server_ts": int(NOW * 1000),
        "content": {"redacts": point.event_id},
        "redacts": point.event_id,
    }
    await harness.deliver(InboundEvent.from_source(source, ROOM, was_encrypted=True))
    assert await harness.texts() == ["A point on assistance."]


# -- support --------------------------------------------------------------------------------------------------------


async def test_support_is_removed_only_by_its_supporter_or_a_moderator(harness: Harness) -> None:
    point = await contribution(harness)
    from_bob, from_mallory = thumbs_up(BOB, point.event_id), thumbs_up(MALLORY, point.event_id)
    await harness.deliver(from_bob)
    await harness.deliver(from_mallory)
    assert await harness.supporters(point.event_id) == 2

    await harness.deliver(redaction(ALICE, from_bob.event_id))  # the author cannot remove others' support
    await harness.deliver(redaction(BOB, from_bob.event_id, room=OTHER_ROOM))  # nor anyone from another room
    assert await harness.supporters(point.event_id) == 2

    await harness.deliver(redaction(BOB, from_bob.event_id))
    await harness.deliver(redaction(MODERATOR, from_mallory.event_id))
    assert await harness.supporters(point.event_id) == 0


async def test_a_reaction_in_another_room_is_not_support(harness: Harness) -> None:
    point = await contribution(harness)
    await harness.deliver(thumbs_up(BOB, point.event_id, room=OTHER_ROOM))
    assert await harness.supporters(point.event_id) == 0
    await harness.deliver(thumbs_up(BOB, point.event_id))
    assert await harness.supporters(point.event_id) == 1


# -- redactions that arrive before their target ---------------------------------------------------------------------


async def test_a_strangers_redaction_before_the_message_does_not_suppress_it(harness: Harness) -> None:
    point = message(ALICE, "A point on assistance.")
    await harness.deliver(redaction(MALLORY, point.event_id))
    await harness.deliver(point)
    assert await harness.texts() == ["A point on assistance."]


@pytest.mark.parametrize("redactor", [ALICE, MODERATOR], ids=["author", "moderator"])
async def test_the_authors_or_a_moderators_redaction_before_the_message_suppresses_it(
    harness: Harness, redactor: str
) -> None:
    point = message(ALICE, "A point on assistance.")
    await harness.deliver(redaction(MALLORY, point.event_id))  # a stranger first must not hide the real one
    await harness.deliver(redaction(redactor, point.event_id))
    await harness.deliver(point)
    assert await harness.texts() == []


async def test_a_redaction_before_the_message_in_another_room_does_not_suppress_it(harness: Harness) -> None:
    point = message(ALICE, "A point on assistance.")
    await harness.deliver(redaction(ALICE, point.event_id, room=OTHER_ROOM))
    await harness.deliver(point)
    assert await harness.texts() == ["A point on assistance."]


async def test_a_reaction_redacted_before_it_arrived_counts_only_if_a_stranger_redacted_it(harness: Harness) -> None:
    point = await contribution(harness)
    from_bob, from_moderator = thumbs_up(BOB, point.event_id), thumbs_up(MODERATOR, point.event_id)
    await harness.deliver(redaction(MALLORY, from_bob.event_id))
    await harness.deliver(redaction(MODERATOR, from_moderator.event_id))
    await harness.deliver(from_bob)
    await harness.deliver(from_moderator)
    assert await harness.supporters(point.event_id) == 1


async def test_an_edit_redacted_by_its_author_before_it_arrived_is_never_applied(harness: Harness) -> None:
    point = await contribution(harness)
    late = edit(ALICE, point.event_id, "Words I took back.")
    await harness.deliver(redaction(ALICE, late.event_id))
    await harness.deliver(late)
    texts = await harness.texts()
    assert "Words I took back." not in texts
    # As when the redaction of an edit comes after it: the contribution is withdrawn.
    assert texts == []


async def test_an_edit_redacted_by_a_stranger_before_it_arrived_is_applied(harness: Harness) -> None:
    point = await contribution(harness)
    late = edit(ALICE, point.event_id, "A revised point on assistance.")
    await harness.deliver(redaction(MALLORY, late.event_id))
    await harness.deliver(late)
    assert await harness.texts() == ["A revised point on assistance."]


# -- decrypted events that claim to be state ------------------------------------------------------------------------


async def test_a_decrypted_membership_event_has_no_effect(harness: Harness) -> None:
    source = {
        "event_id": "$forged-join",
        "sender": MALLORY,
        "type": "m.room.member",
        "state_key": MALLORY,
        "origin_server_ts": int(NOW * 1000) + 5,
        "content": {"membership": "join"},
    }
    forged = InboundEvent.from_source(source, ROOM, was_encrypted=True)
    assert forged.state_key is None and forged.redacts is None
    async with harness.db.transaction() as tx:
        await handle_event(forged, harness.rooms[ROOM], harness.env, tx)
        assert await tx.outbox.pending_count() == 0
