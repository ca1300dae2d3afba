"""Deleted words and people's traces are gone from the raw database files, not just from query results.

Each test writes a unique token through the storage layer, deletes it the way the bot does, and then scans the
bytes of bot.db, bot.db-wal and bot.db-shm for it.
"""

from __future__ import annotations

import secrets
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from privacy import matrix_id_reference
from storage import Database, NewInboxEvent, Room, RoomMessage
from storage.database import LAZY_CHECKPOINT_SECONDS
from storage.migrations import MIGRATIONS

ROOM = "!dialogue:example.org"
DM_ROOM = "!direct:example.org"
SECRET = bytes(range(32))


def raw_bytes(db_path: Path) -> bytes:
    """Everything SQLite keeps on disk for this database: the file, its write-ahead log and shared memory."""
    parts = [db_path, db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")]
    return b"".join(path.read_bytes() for path in parts if path.exists())


def table_rows(db_path: Path, table: str) -> list[sqlite3.Row]:
    """The table as another connection reads it (committed rows only)."""
    with closing(sqlite3.connect(db_path)) as raw:
        raw.row_factory = sqlite3.Row
        return raw.execute(f"SELECT * FROM {table}").fetchall()


def token() -> str:
    return f"zq-{secrets.token_hex(8)}"


async def dialogue_with_challenge(db: Database, room_id: str = ROOM) -> tuple[int, int]:
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(room_id, "D", SECRET, 1.0)
        challenge = await tx.challenges.add(dialogue.id, "A", "a?")
    return dialogue.id, challenge.id


async def contribute(
    db: Database, dialogue_id: int, challenge_id: int, text: str, *, member_key: str = "k1", event_id: str = "$e1"
) -> int:
    async with db.transaction() as tx:
        added = await tx.contributions.add(
            dialogue_id=dialogue_id,
            challenge_id=challenge_id,
            member_key=member_key,
            text=text,
            channel="room",
            event_id=event_id,
            room_id=ROOM,
            origin_ts=1_000,
            now=2.0,
        )
    return added.id


def inbox_event(
    event_id: str, sender: str, body: str, room_id: str = ROOM, *, awaiting_key: bool = False
) -> NewInboxEvent:
    source: dict[str, Any] = {
        "event_id": event_id,
        "sender": sender,
        "type": "m.room.message",
        "content": {"body": body},
    }
    return NewInboxEvent(event_id, room_id, source, awaiting_key=awaiting_key)


async def test_a_withdrawn_contribution_leaves_no_trace_in_the_files(db: Database) -> None:
    secret_words = token()
    dialogue_id, challenge_id = await dialogue_with_challenge(db)
    contribution_id = await contribute(db, dialogue_id, challenge_id, f"my point {secret_words}")
    assert secret_words.encode() in raw_bytes(db.path)
    async with db.transaction() as tx:
        await tx.contributions.delete(contribution_id)
    assert secret_words.encode() not in raw_bytes(db.path)


async def test_forget_me_leaves_no_trace_of_the_member_s_words(db: Database) -> None:
    secret_words, kept_words = token(), token()
    dialogue_id, challenge_id = await dialogue_with_challenge(db)
    await contribute(db, dialogue_id, challenge_id, f"mine {secret_words}", member_key="leaver", event_id="$a")
    await contribute(db, dialogue_id, challenge_id, f"theirs {kept_words}", member_key="stayer", event_id="$b")
    async with db.transaction() as tx:
        await tx.contributions.delete_by_member(dialogue_id, "leaver")
        await tx.contributions.remove_support_by_member(dialogue_id, "leaver")
    data = raw_bytes(db.path)
    assert secret_words.encode() not in data
    assert kept_words.encode() in data


async def test_a_replaced_edit_text_leaves_no_trace(db: Database) -> None:
    old_words = token()
    dialogue_id, challenge_id = await dialogue_with_challenge(db)
    contribution_id = await contribute(db, dialogue_id, challenge_id, f"first {old_words}")
    async with db.transaction() as tx:
        await tx.contributions.apply_edit(contribution_id, "$edit", "second thoughts", 2_000)
    assert old_words.encode() not in raw_bytes(db.path)


async def test_a_purge_leaves_no_trace_of_contributions_or_the_secret(db: Database) -> None:
    secret_words = token()
    dialogue_id, challenge_id = await dialogue_with_challenge(db)
    await contribute(db, dialogue_id, challenge_id, f"point {secret_words}")
    async with db.transaction() as tx:
        await tx.synopses.purge(dialogue_id, 5.0)
    data = raw_bytes(db.path)
    assert secret_words.encode() not in data
    assert SECRET not in data


async def test_a_processed_inbox_row_keeps_only_what_de_duplication_needs(db: Database) -> None:
    words, sender = token(), f"@{token()}:example.org"
    async with db.transaction() as tx:
        await tx.inbox.add([inbox_event("$done", sender, words), inbox_event("$ignored", sender, words)], 1.0)
    async with db.transaction() as tx:
        await tx.inbox.mark_done("$done")
        await tx.inbox.mark_ignored("$ignored")
    rows = table_rows(db.path, "inbox")
    assert len(rows) == 2
    for row in rows:
        values = " ".join(str(value) for value in tuple(row))
        assert words not in values
        assert sender not in values
        assert row["source"] is None
    await db.checkpoint()
    data = raw_bytes(db.path)
    assert words.encode() not in data
    assert sender.encode() not in data


async def test_a_sent_or_failed_outbox_row_keeps_no_content(db: Database) -> None:
    words = token()
    async with db.transaction() as tx:
        sent = await tx.outbox.enqueue(Room(ROOM), RoomMessage({"body": f"quote {words}"}), 1.0)
        failed = await tx.outbox.enqueue(Room(DM_ROOM), RoomMessage({"body": f"quote {words}"}), 1.0)
    async with db.transaction() as tx:
        await tx.outbox.mark_sent(sent, "$sent", 2.0)
        await tx.outbox.mark_failed(failed, "M_FORBIDDEN")
        assert await tx.outbox.sent_event_id(sent) == "$sent"  # what thread roots and replays need stays
    rows = table_rows(db.path, "outbox")
    assert [row["txn_id"] for row in rows] == [sent, failed]  # kept: a retried txn id is still recognised
    assert all(row["content"] is None for row in rows)
    await db.checkpoint()
    assert words.encode() not in raw_bytes(db.path)


async def test_forget_me_scrubs_the_member_s_held_events_only(db: Database) -> None:
    leaver, stayer = f"@{token()}:example.org", f"@{token()}:example.org"
    leaver_words, stayer_words = token(), token()
    async with db.transaction() as tx:
        await tx.inbox.add(
            [
                inbox_event("$q1", leaver, leaver_words),
                inbox_event("$k1", leaver, leaver_words, DM_ROOM, awaiting_key=True),
                inbox_event("$q2", stayer, stayer_words),
            ],
            1.0,
        )
        await tx.inbox.quarantine("$q1", "ABC123")
        await tx.inbox.quarantine("$q2", "DEF456")
    async with db.transaction() as tx:
        assert await tx.inbox.scrub_held_from_sender(leaver) == 2
        counts = await tx.inbox.counts()
        assert await tx.inbox.known(["$q1", "$k1"]) == {"$q1", "$k1"}  # re-deliveries are still recognised
    assert counts["quarantined"] == 1
    assert counts["awaiting_key"] == 0
    data = raw_bytes(db.path)
    assert leaver.encode() not in data
    assert leaver_words.encode() not in data
    assert stayer_words.encode() in data


async def test_purge_scrubs_held_events_of_the_room_and_of_direct_rooms_that_fed_the_dialogue(db: Database) -> None:
    person, words = f"@{token()}:example.org", token()
    other_room_words = token()
    dialogue_id, challenge_id = await dialogue_with_challenge(db)
    async with db.transaction() as tx:
        await tx.contributions.add(
            dialogue_id=dialogue_id,
            challenge_id=challenge_id,
            member_key="k1",
            text="via a direct message",
            channel="dm",
            event_id="$dm1",
            room_id=DM_ROOM,
            origin_ts=1_000,
            now=2.0,
        )
        await tx.inbox.add(
            [
                inbox_event("$in-room", person, words),
                inbox_event("$in-dm", person, words, DM_ROOM),
                inbox_event("$elsewhere", person, other_room_words, "!unrelated:example.org"),
            ],
            1.0,
        )
        for event_id in ("$in-room", "$in-dm", "$elsewhere"):
            await tx.inbox.quarantine(event_id, "ABC123")
    async with db.transaction() as tx:
        await tx.synopses.purge(dialogue_id, 5.0)
        counts = await tx.inbox.counts()
    assert counts["quarantined"] == 1  # the unrelated room's event is not the dialogue's to purge
    data = raw_bytes(db.path)
    assert words.encode() not in data
    assert other_room_words.encode() in data


async def test_no_raw_event_or_room_id_of_a_contribution_edit_or_reaction_is_stored(db: Database) -> None:
    event_id, edit_id, reaction_id, dm_room = (f"${token()}", f"${token()}", f"${token()}", f"!{token()}:x.org")
    dialogue_id, challenge_id = await dialogue_with_challenge(db)
    async with db.transaction() as tx:
        added = await tx.contributions.add(
            dialogue_id=dialogue_id,
            challenge_id=challenge_id,
            member_key="k1",
            text="a point",
            channel="dm",
            event_id=event_id,
            room_id=dm_room,
            origin_ts=1_000,
            now=2.0,
        )
        await tx.contributions.apply_edit(added.id, edit_id, "a better point", 2_000)
        await tx.contributions.add_support(added.id, "k2", reaction_id)
    await db.checkpoint()
    data = raw_bytes(db.path)
    for matrix_id in (event_id, edit_id, reaction_id, dm_room):
        assert matrix_id.encode() not in data
    async with db.transaction() as tx:
        assert (await tx.contributions.by_event(event_id)) is not None
        assert (await tx.contributions.by_event(edit_id)) is not None
        assert await tx.contributions.by_event(edit_id, original_only=True) is None
        assert await tx.contributions.by_event(event_id, room_id=dm_room, original_only=True) is not None
        assert await tx.contributions.by_event(event_id, room_id=ROOM) is None
        assert await tx.contributions.remove_support_by_reaction(reaction_id) is True


async def test_a_reference_is_the_keyed_hmac_and_cannot_be_found_after_the_secret_is_gone(db: Database) -> None:
    dialogue_id, challenge_id = await dialogue_with_challenge(db)
    await contribute(db, dialogue_id, challenge_id, "a point", event_id="$kept")
    async with db.transaction() as tx:
        found = await tx.contributions.by_event("$kept")
        assert found is not None
        assert found.event_ref == matrix_id_reference(SECRET, "event", "$kept")
        assert found.room_ref == matrix_id_reference(SECRET, "room", ROOM)
        await tx.synopses.purge(dialogue_id, 5.0)
        assert await tx.contributions.by_event("$kept") is None


async def test_the_same_event_gets_unrelated_references_in_two_dialogues() -> None:
    assert matrix_id_reference(SECRET, "event", "$e") != matrix_id_reference(bytes(32), "event", "$e")
    assert matrix_id_reference(SECRET, "event", "$e") != matrix_id_reference(SECRET, "room", "$e")


async def test_tombstones_older_than_a_week_are_pruned(db: Database) -> None:
    async with db.transaction() as tx:
        for event_id, at in (("$old", 0.0), ("$new", 8 * 24 * 3600.0)):
            await tx.contributions.tombstone(event_id, at, room_id=ROOM, redactor_key="k", by_moderator=False)
        assert await tx.contributions.tombstones_for("$new")
        assert not await tx.contributions.tombstones_for("$old")


async def test_migration_7_replaces_stored_ids_by_references(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    event_id, edit_id, reaction_id, dm_room = (f"${token()}", f"${token()}", f"${token()}", f"!{token()}:x.org")
    async with await Database.open(path, migrations=MIGRATIONS[:6]):
        pass
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute(
            "INSERT INTO dialogues (id, room_id, title, state, secret, created_at) VALUES (1, ?, 'D', 'active', ?, 1)",
            (ROOM, SECRET),
        )
        raw.execute("INSERT INTO challenges (id, dialogue_id, number, title, prompt) VALUES (1, 1, 1, 'A', 'a?')")
        raw.execute(
            "INSERT INTO contributions (id, dialogue_id, challenge_id, ref, member_key, text, channel, event_id, "
            "room_id, created_at, origin_ts) VALUES (1, 1, 1, 'ABCD', 'k1', 'point', 'dm', ?, ?, 1.0, 1000)",
            (event_id, dm_room),
        )
        raw.execute("INSERT INTO contribution_events VALUES (?, 1), (?, 1)", (event_id, edit_id))
        raw.execute("INSERT INTO support VALUES (1, 'k2', ?)", (reaction_id,))
    async with await Database.open(path) as new:
        assert new.schema_version >= 7
        data = raw_bytes(path)
        for matrix_id in (event_id, edit_id, reaction_id, dm_room):
            assert matrix_id.encode() not in data
        async with new.transaction() as tx:
            found = await tx.contributions.by_event(edit_id)
            assert found is not None
            assert found.id == 1
            assert found.room_ref == matrix_id_reference(SECRET, "room", dm_room)
            assert await tx.contributions.remove_support_by_reaction(reaction_id) is True


async def test_handled_events_and_sent_messages_leave_the_log_within_the_lazy_interval(tmp_path: Path) -> None:
    now = [0.0]
    words, sender = token(), f"@{token()}:example.org"
    async with await Database.open(tmp_path / "bot.db", clock=lambda: now[0]) as db:
        async with db.transaction() as tx:
            await tx.inbox.add([inbox_event("$e", sender, words)], 1.0)
            txn_id = await tx.outbox.enqueue(Room(ROOM), RoomMessage({"body": words}), 1.0)
        async with db.transaction() as tx:
            await tx.inbox.mark_done("$e")
            await tx.outbox.mark_sent(txn_id, "$sent", 2.0)
        assert words.encode() in raw_bytes(db.path)  # not yet: a checkpoint per event would cost too much
        now[0] += LAZY_CHECKPOINT_SECONDS
        async with db.transaction() as tx:
            await tx.state.get("sync_token")  # whatever the next transaction is
        data = raw_bytes(db.path)
        assert words.encode() not in data
        assert sender.encode() not in data


async def test_a_blocked_checkpoint_neither_undoes_nor_fails_the_deletion_and_a_later_one_completes(
    db: Database,
) -> None:
    secret_words = token()
    dialogue_id, challenge_id = await dialogue_with_challenge(db)
    contribution_id = await contribute(db, dialogue_id, challenge_id, f"my point {secret_words}")
    with closing(sqlite3.connect(db.path, isolation_level=None)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM contributions").fetchone()  # holds a snapshot: TRUNCATE must wait
        async with db.transaction() as tx:
            await tx.contributions.delete(contribution_id)  # the checkpoint after it gives up after busy_timeout
        reader.execute("COMMIT")
    async with db.transaction() as tx:
        assert await tx.contributions.get(contribution_id) is None
    assert await db.checkpoint() is True
    assert secret_words.encode() not in raw_bytes(db.path)


async def test_forget_me_and_purge_leave_no_consensus_vote_in_the_files(db: Database) -> None:
    from storage.consensus import ConsensusTheme

    leaver, stayer, statement = token(), token(), token()
    dialogue_id, challenge_id = await dialogue_with_challenge(db)
    async with db.transaction() as tx:
        round_id = await tx.consensus.open_round(
            dialogue_id, challenge_id, [ConsensusTheme(1, "C1", f"statement {statement}")], 2.0, 3.0
        )
        await tx.consensus.vote(round_id, 1, leaver, "agree", token(), 2.5)
        await tx.consensus.vote(round_id, 1, stayer, "disagree", token(), 2.5)
    async with db.transaction() as tx:
        await tx.consensus.delete_votes_by_member(dialogue_id, leaver)
    data = raw_bytes(db.path)
    assert leaver.encode() not in data
    assert stayer.encode() in data
    async with db.transaction() as tx:
        await tx.synopses.purge(dialogue_id, 5.0)
    data = raw_bytes(db.path)
    assert stayer.encode() not in data
    assert statement.encode() not in data


async def test_a_purge_leaves_no_trace_of_the_secretariat_s_wording(db: Database) -> None:
    # The wording lives on only inside the adopted synopsis's rendered files, which the purge keeps.
    theme_words, lead_words, forward_words, adopted_words = token(), token(), token(), token()
    dialogue_id, _ = await dialogue_with_challenge(db)
    async with db.transaction() as tx:
        await tx.secretariat_wording.set_theme(dialogue_id, "ABCD", f"wording {theme_words}", 3.0)
        await tx.secretariat_wording.set_lead(dialogue_id, 1, f"lead {lead_words}", 3.0)
        await tx.secretariat_wording.add_way_forward(dialogue_id, 1, f"forward {forward_words}", 3.0)
        await tx.synopses.adopt(dialogue_id, 4.0, f"# {adopted_words}".encode(), b"docx", b"{}")
    assert theme_words.encode() in raw_bytes(db.path)
    async with db.transaction() as tx:
        await tx.synopses.purge(dialogue_id, 5.0)
    data = raw_bytes(db.path)
    for words in (theme_words, lead_words, forward_words):
        assert words.encode() not in data
    assert adopted_words.encode() in data


async def test_forget_me_and_purge_remove_the_late_reply_markers_of_consensus_rounds(db: Database) -> None:
    # A late-reply marker says, under the person's key, that they answered a round after it closed.
    from storage.consensus import ConsensusTheme, late_reply_scope

    leaver, stayer = token(), token()
    dialogue_id, challenge_id = await dialogue_with_challenge(db)
    async with db.transaction() as tx:
        round_id = await tx.consensus.open_round(dialogue_id, challenge_id, [ConsensusTheme(1, "C1", "s")], 2.0, 3.0)
        for member in (leaver, stayer):
            assert await tx.once.mark(late_reply_scope(round_id), member, 4.0)
        await tx.once.mark("unrelated", leaver, 4.0)
    async with db.transaction() as tx:
        await tx.consensus.delete_votes_by_member(dialogue_id, leaver)
    keys = [(row["scope"], row["key"]) for row in table_rows(db.path, "once_markers")]
    assert (late_reply_scope(round_id), leaver) not in keys
    assert (late_reply_scope(round_id), stayer) in keys
    assert ("unrelated", leaver) in keys  # only the dialogue's consensus markers go
    async with db.transaction() as tx:
        await tx.synopses.purge(dialogue_id, 5.0)
    keys = [(row["scope"], row["key"]) for row in table_rows(db.path, "once_markers")]
    assert [key for key in keys if key[0].startswith("consensus-late:")] == []
    assert stayer.encode() not in raw_bytes(db.path)
