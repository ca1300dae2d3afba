"""Consensus rounds in storage: statements snapshotted, votes under keys with the last one counting, a redacted
reaction withdrawing its vote, messages found by the sent event ID only for their recipient, and votes gone with
forget-me and purge."""

from __future__ import annotations

from storage import Database, Person, RoomMessage
from storage.consensus import ConsensusTheme, ConsensusVote
from tests.support.storage_peek import peek

ROOM = "!room:example.org"
SECRET = bytes(range(32))
THEMES = [ConsensusTheme(1, "C1", "Universality matters"), ConsensusTheme(2, "C4", "Funding is short")]


async def open_round(db: Database) -> tuple[int, int]:
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "D", SECRET, 1.0)
        challenge = await tx.challenges.add(dialogue.id, "A", "a?")
        return dialogue.id, await tx.consensus.open_round(dialogue.id, challenge.id, THEMES, 10.0, 100.0)


async def test_the_statements_are_kept_as_sent(db: Database) -> None:
    _, round_id = await open_round(db)
    async with db.transaction() as tx:
        assert await tx.consensus.themes(round_id) == THEMES


async def test_the_last_reaction_counts_and_redacting_it_withdraws_the_vote(db: Database) -> None:
    _, round_id = await open_round(db)
    async with db.transaction() as tx:
        await tx.consensus.vote(round_id, 1, "k1", "agree", "r1", 11.0)
        await tx.consensus.vote(round_id, 1, "k1", "disagree", "r2", 12.0)
        await tx.consensus.vote(round_id, 1, "k2", "pass", "r3", 12.0)
        expected = [ConsensusVote(1, "k1", "disagree"), ConsensusVote(1, "k2", "pass")]
        assert await tx.consensus.votes(round_id) == expected
        # The replaced reaction no longer casts anything; someone else cannot withdraw k1's vote.
        assert await tx.consensus.withdraw(round_id, "k1", "r1") is False
        assert await tx.consensus.withdraw(round_id, "k2", "r2") is False
        assert await tx.consensus.withdraw(round_id, "k1", "r2") is True
        assert await tx.consensus.votes(round_id) == [ConsensusVote(1, "k2", "pass")]


async def test_a_message_is_found_by_its_sent_event_id_only_for_its_recipient(db: Database) -> None:
    _, round_id = await open_round(db)
    async with db.transaction() as tx:
        txn_id = await tx.outbox.enqueue(Person("@ann:example.org"), RoomMessage({"body": "x"}), 10.0)
        await tx.consensus.record_message(txn_id, round_id, 2)
        assert await tx.consensus.message_target("$sent", "@ann:example.org") is None  # not sent yet
        await tx.outbox.mark_sent(txn_id, "$sent", 11.0)
        found = await tx.consensus.message_target("$sent", "@ann:example.org")
        assert found is not None and (found.round.id, found.position) == (round_id, 2)
        assert await tx.consensus.message_target("$sent", "@bob:example.org") is None


async def test_a_round_s_messages_outlive_outbox_pruning_until_the_round_closed_before_the_cutoff(db: Database) -> None:
    _, round_id = await open_round(db)  # closes at 100
    async with db.transaction() as tx:
        txn_id = await tx.outbox.enqueue(Person("@ann:example.org"), RoomMessage({"body": "x"}), 10.0)
        await tx.consensus.record_message(txn_id, round_id, 1)
        await tx.outbox.mark_sent(txn_id, "$sent", 11.0)
        await tx.outbox.prune_finished(before=50.0, limit=100)  # sent before the cutoff, but the round is open
        assert await tx.consensus.message_target("$sent", "@ann:example.org") is not None
        await tx.outbox.prune_finished(before=1e12, limit=100)  # the round closed long before the cutoff
        assert await tx.consensus.message_target("$sent", "@ann:example.org") is None


async def test_forget_me_removes_only_that_person_s_votes(db: Database) -> None:
    dialogue_id, round_id = await open_round(db)
    async with db.transaction() as tx:
        await tx.consensus.vote(round_id, 1, "leaver", "agree", "r1", 11.0)
        await tx.consensus.vote(round_id, 1, "stayer", "agree", "r2", 11.0)
        await tx.consensus.delete_votes_by_member(dialogue_id, "leaver")
        assert await tx.consensus.votes(round_id) == [ConsensusVote(1, "stayer", "agree")]


async def test_purge_removes_rounds_statements_messages_and_votes(db: Database) -> None:
    dialogue_id, round_id = await open_round(db)
    async with db.transaction() as tx:
        await tx.consensus.record_message("dlgx", round_id, 1)
        await tx.consensus.vote(round_id, 1, "k1", "agree", "r1", 11.0)
        await tx.synopses.purge(dialogue_id, 20.0)
        assert await tx.consensus.rounds(dialogue_id) == []
    for table in ("consensus_rounds", "consensus_themes", "consensus_messages", "consensus_votes"):
        assert await peek(db, f"SELECT COUNT(*) FROM {table}") == [(0,)]
