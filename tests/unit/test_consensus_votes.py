"""Reactions on the bot's consensus messages: a vote from the person it went to, the last counting, a redaction
withdrawing it, late answers told once per round, and none of it taken for 👍 support."""

from __future__ import annotations

from typing import Any

from handlers.consensus import choice_for, handle_vote, handle_withdrawal, participants
from handlers.context import RoomSnapshot
from handlers.events import InboundEvent
from privacy import contributor_key
from storage import Database, Person, RoomMessage
from storage.consensus import ConsensusTheme, ConsensusVote

ROOM = "!dialogue:example.org"
DM = "!dm:example.org"
ANN, BOB = "@ann:example.org", "@bob:example.org"
SECRET = bytes(range(32))
CLOSES_AT = 100.0


async def round_sent_to_ann(db: Database) -> int:
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "D", SECRET, 1.0)
        challenge = await tx.challenges.add(dialogue.id, "A", "a?")
        round_id = await tx.consensus.open_round(
            dialogue.id, challenge.id, [ConsensusTheme(1, "C1", "Universality")], 10.0, CLOSES_AT
        )
        txn_id = await tx.outbox.enqueue(Person(ANN), RoomMessage({"body": "statement 1 of 1"}), 10.0)
        await tx.consensus.record_message(txn_id, round_id, 1)
        await tx.outbox.mark_sent(txn_id, "$statement", 11.0)
    return round_id


def reaction(event_id: str, key: str, *, sender: str = ANN, at: float = 50.0) -> InboundEvent:
    content: dict[str, Any] = {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$statement", "key": key}}
    return InboundEvent(event_id, DM, sender, "m.reaction", content, int(at * 1000))


def redaction(target: str, *, sender: str = ANN, at: float = 60.0) -> InboundEvent:
    return InboundEvent(
        "$red" + target, DM, sender, "m.room.redaction", {"redacts": target}, int(at * 1000), redacts=target
    )


async def votes(db: Database, round_id: int) -> list[ConsensusVote]:
    async with db.transaction() as tx:
        return await tx.consensus.votes(round_id)


async def run(db: Database, handler: Any, event: InboundEvent) -> tuple[bool, int]:
    async with db.transaction() as tx:
        handled = await handler(event, tx, 70.0)
        return handled, tx.outbox.enqueued


def test_reaction_keys_map_to_answers() -> None:
    assert [choice_for(key) for key in ("👍", "👍🏽", "+1", "👎", "👎🏿", "➖", "🎉")] == [
        "agree", "agree", "agree", "disagree", "disagree", "pass", None,
    ]  # fmt: skip


def test_moderators_the_secretariat_and_the_bot_are_not_asked() -> None:
    room = RoomSnapshot(
        ROOM,
        user_power_levels={"@mod:x": 50},
        display_names={"@bot:x": "Bot", "@mod:x": "M", "@isu:x": "I", BOB: "B", ANN: "A"},
    )
    assert participants(room, "@bot:x", 50, frozenset({"@isu:x"})) == [ANN, BOB]


async def test_the_last_reaction_counts_and_redacting_it_withdraws_the_vote(db: Database) -> None:
    round_id = await round_sent_to_ann(db)
    key = contributor_key(SECRET, ANN)
    assert await run(db, handle_vote, reaction("$r1", "👎")) == (True, 0)
    assert await run(db, handle_vote, reaction("$r2", "👍")) == (True, 0)
    assert await votes(db, round_id) == [ConsensusVote(1, key, "agree")]
    assert await run(db, handle_withdrawal, redaction("$r1")) == (False, 0)  # no longer the vote
    assert await run(db, handle_withdrawal, redaction("$r2", sender=BOB)) == (False, 0)  # not Bob's to withdraw
    assert await run(db, handle_withdrawal, redaction("$r2")) == (True, 0)
    assert await votes(db, round_id) == []


async def test_a_reaction_from_someone_the_message_did_not_go_to_is_not_a_vote(db: Database) -> None:
    round_id = await round_sent_to_ann(db)
    assert await run(db, handle_vote, reaction("$r1", "👍", sender=BOB)) == (False, 0)
    assert await votes(db, round_id) == []


async def test_late_answers_are_not_counted_and_told_once_per_round(db: Database) -> None:
    round_id = await round_sent_to_ann(db)
    assert await run(db, handle_vote, reaction("$r1", "👍", at=CLOSES_AT + 1)) == (True, 1)
    assert await run(db, handle_vote, reaction("$r2", "👎", at=CLOSES_AT + 2)) == (True, 0)
    assert await votes(db, round_id) == []


async def test_a_thumbs_up_on_a_consensus_message_is_not_support(db: Database) -> None:
    await round_sent_to_ann(db)
    async with db.transaction() as tx:
        await handle_vote(reaction("$r1", "👍"), tx, 70.0)
        assert await tx.contributions.support_by_reaction("$r1") is None
