"""Migration 2 (dialogue tables), dialogues and challenges, and privacy by construction of the new schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage import (
    Challenge,
    Database,
    Dialogue,
    DialogueAlreadyActiveError,
    Room,
    RoomMessage,
    RowNotFoundError,
    StorageError,
)
from storage.migrations import MIGRATIONS, latest_version
from tests.support.contribution_rows import ROOM, add_contribution
from tests.support.storage_peek import peek

OTHER_ROOM = "!other:example.org"
SECRET = b"\x00\x01secret-bytes\xff" * 2

NEW_TABLES = (
    "dialogues",
    "challenges",
    "contributions",
    "contribution_events",
    "support",
    "tombstones",
    "roster",
    "once_markers",
    "confirmations",
)


async def create_dialogue(db: Database, room_id: str = ROOM, now: float = 100.0) -> Dialogue:
    async with db.transaction() as tx:
        return await tx.dialogues.create(room_id, "Water policy", SECRET, now)


async def add_challenge(db: Database, dialogue_id: int, title: str = "Q") -> Challenge:
    async with db.transaction() as tx:
        return await tx.challenges.add(dialogue_id, title, f"prompt for {title}")


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as raw:
        return {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _columns(path: Path, table: str) -> list[str]:
    with sqlite3.connect(path) as raw:
        return [row[1] for row in raw.execute(f"PRAGMA table_info({table})")]


# --- migration 2 ---------------------------------------------------------------------------------------


async def test_migration_2_creates_the_dialogue_tables_in_a_new_database(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    await db.close()
    assert db.schema_version == latest_version()
    assert set(NEW_TABLES) <= _tables(tmp_path / "bot.db")


async def test_migration_2_applies_on_top_of_a_version_1_database_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    old = await Database.open(path, migrations=MIGRATIONS[:1])
    async with old.transaction() as tx:
        await tx.state.set("sync_token", "s42")
    await old.close()
    assert old.schema_version == 1
    assert "dialogues" not in _tables(path)

    db = await Database.open(path)
    async with db.transaction() as tx:
        assert await tx.state.get("sync_token") == "s42"
        dialogue = await tx.dialogues.create(ROOM, "After upgrade", SECRET, 1.0)
    await db.close()
    assert db.schema_version == latest_version()
    assert dialogue.id >= 1


async def test_no_new_table_has_a_column_for_user_ids_senders_or_display_names(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    await db.close()
    forbidden = ("user", "sender", "display", "name", "mxid")
    for table in NEW_TABLES:
        for column in _columns(tmp_path / "bot.db", table):
            assert not any(word in column.lower() for word in forbidden), f"{table}.{column}"


# --- dialogues -----------------------------------------------------------------------------------------


async def test_create_returns_an_active_dialogue_with_its_secret(db: Database) -> None:
    dialogue = await create_dialogue(db, now=123.5)
    assert (dialogue.room_id, dialogue.title, dialogue.state) == (ROOM, "Water policy", "active")
    assert dialogue.secret == SECRET
    assert (dialogue.timezone, dialogue.created_at, dialogue.ended_at) == (None, 123.5, None)


async def test_the_dialogue_secret_is_left_out_of_its_repr(db: Database) -> None:
    dialogue = await create_dialogue(db)
    assert "secret" not in repr(dialogue)


async def test_a_second_dialogue_in_a_room_with_an_active_one_is_refused(db: Database) -> None:
    await create_dialogue(db)
    with pytest.raises(DialogueAlreadyActiveError):
        await create_dialogue(db)


async def test_after_a_dialogue_ends_the_room_can_start_a_new_one(db: Database) -> None:
    first = await create_dialogue(db)
    async with db.transaction() as tx:
        await tx.dialogues.end(first.id, now=200.0)
    second = await create_dialogue(db, now=300.0)
    assert second.id != first.id
    async with db.transaction() as tx:
        assert await tx.dialogues.active_in_room(ROOM) == second


async def test_the_database_itself_allows_only_one_active_dialogue_per_room(db: Database) -> None:
    await create_dialogue(db)
    # The partial unique index, as each backend names it in its error.
    unique = r"dialogues_one_active_per_room|UNIQUE constraint failed: dialogues\.room_id"
    with pytest.raises(StorageError, match=unique):
        await peek(
            db,
            "INSERT INTO dialogues (room_id, title, state, secret, created_at) VALUES (?, 't', 'active', ?, 1)",
            (ROOM, b"\x00"),
        )


async def test_end_records_the_end_time(db: Database) -> None:
    dialogue = await create_dialogue(db)
    async with db.transaction() as tx:
        await tx.dialogues.end(dialogue.id, now=250.0)
        ended = await tx.dialogues.get(dialogue.id)
    assert ended is not None
    assert (ended.state, ended.ended_at) == ("ended", 250.0)


async def test_ending_a_dialogue_that_is_not_active_raises(db: Database) -> None:
    dialogue = await create_dialogue(db)
    async with db.transaction() as tx:
        await tx.dialogues.end(dialogue.id, now=250.0)
    with pytest.raises(RowNotFoundError):
        async with db.transaction() as tx:
            await tx.dialogues.end(dialogue.id, now=260.0)


async def test_active_in_room_is_none_without_an_active_dialogue(db: Database) -> None:
    dialogue = await create_dialogue(db)
    async with db.transaction() as tx:
        assert await tx.dialogues.active_in_room(OTHER_ROOM) is None
        await tx.dialogues.end(dialogue.id, now=200.0)
        assert await tx.dialogues.active_in_room(ROOM) is None


async def test_get_returns_none_for_an_unknown_id(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.dialogues.get(999) is None


async def test_active_lists_only_active_dialogues_by_id(db: Database) -> None:
    first = await create_dialogue(db, ROOM)
    second = await create_dialogue(db, OTHER_ROOM)
    third = await create_dialogue(db, "!third:example.org")
    async with db.transaction() as tx:
        await tx.dialogues.end(second.id, now=200.0)
        assert [d.id for d in await tx.dialogues.active()] == [first.id, third.id]


async def test_a_timezone_can_be_given_at_creation_and_changed_later(db: Database) -> None:
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "T", SECRET, 1.0, timezone="Europe/Berlin")
        assert dialogue.timezone == "Europe/Berlin"
        await tx.dialogues.set_timezone(dialogue.id, "UTC")
        changed = await tx.dialogues.get(dialogue.id)
    assert changed is not None and changed.timezone == "UTC"


# --- challenges ----------------------------------------------------------------------------------------


async def test_challenges_are_numbered_from_one_and_start_pending(db: Database) -> None:
    dialogue = await create_dialogue(db)
    first = await add_challenge(db, dialogue.id, "A")
    second = await add_challenge(db, dialogue.id, "B")
    assert (first.number, second.number) == (1, 2)
    assert (first.title, first.prompt, first.state) == ("A", "prompt for A", "pending")
    assert (first.prompt_txn_id, first.opened_at, first.closed_at) == (None, None, None)


async def test_challenge_numbers_are_counted_per_dialogue(db: Database) -> None:
    one = await create_dialogue(db, ROOM)
    other = await create_dialogue(db, OTHER_ROOM)
    await add_challenge(db, one.id)
    assert (await add_challenge(db, other.id)).number == 1


async def test_the_number_of_a_removed_challenge_is_never_reused(db: Database) -> None:
    dialogue = await create_dialogue(db)
    await add_challenge(db, dialogue.id, "A")
    second = await add_challenge(db, dialogue.id, "B")
    async with db.transaction() as tx:
        await tx.challenges.remove(second.id)
    third = await add_challenge(db, dialogue.id, "C")
    assert third.number == 3
    async with db.transaction() as tx:
        assert await tx.challenges.by_number(dialogue.id, 2) is None


async def test_adding_a_challenge_to_an_unknown_dialogue_raises(db: Database) -> None:
    with pytest.raises(RowNotFoundError):
        async with db.transaction() as tx:
            await tx.challenges.add(999, "A", "p")


async def test_update_replaces_title_and_prompt(db: Database) -> None:
    dialogue = await create_dialogue(db)
    challenge = await add_challenge(db, dialogue.id, "A")
    async with db.transaction() as tx:
        await tx.challenges.update(challenge.id, "A2", "new prompt")
        updated = await tx.challenges.get(challenge.id)
    assert updated is not None and (updated.title, updated.prompt, updated.number) == ("A2", "new prompt", 1)


async def test_updating_or_removing_an_unknown_challenge_raises(db: Database) -> None:
    with pytest.raises(RowNotFoundError):
        async with db.transaction() as tx:
            await tx.challenges.update(999, "t", "p")
    with pytest.raises(RowNotFoundError):
        async with db.transaction() as tx:
            await tx.challenges.remove(999)


async def test_list_returns_the_dialogues_challenges_by_number(db: Database) -> None:
    dialogue = await create_dialogue(db)
    other = await create_dialogue(db, OTHER_ROOM)
    for title in ("A", "B", "C"):
        await add_challenge(db, dialogue.id, title)
    await add_challenge(db, other.id, "X")
    async with db.transaction() as tx:
        assert [(c.number, c.title) for c in await tx.challenges.list(dialogue.id)] == [(1, "A"), (2, "B"), (3, "C")]


async def test_by_number_finds_the_challenge_a_moderator_names(db: Database) -> None:
    dialogue = await create_dialogue(db)
    await add_challenge(db, dialogue.id, "A")
    second = await add_challenge(db, dialogue.id, "B")
    async with db.transaction() as tx:
        assert await tx.challenges.by_number(dialogue.id, 2) == second
        assert await tx.challenges.by_number(dialogue.id, 9) is None


async def test_open_records_the_prompt_transaction_and_time(db: Database) -> None:
    dialogue = await create_dialogue(db)
    challenge = await add_challenge(db, dialogue.id)
    async with db.transaction() as tx:
        await tx.challenges.open(challenge.id, "dlgabc", now=150.0)
        opened = await tx.challenges.get(challenge.id)
    assert opened is not None
    assert (opened.state, opened.prompt_txn_id, opened.opened_at, opened.closed_at) == ("open", "dlgabc", 150.0, None)


async def test_close_records_the_close_time(db: Database) -> None:
    dialogue = await create_dialogue(db)
    challenge = await add_challenge(db, dialogue.id)
    async with db.transaction() as tx:
        await tx.challenges.open(challenge.id, "dlgabc", now=150.0)
        await tx.challenges.close(challenge.id, now=180.0)
        closed = await tx.challenges.get(challenge.id)
    assert closed is not None and (closed.state, closed.opened_at, closed.closed_at) == ("closed", 150.0, 180.0)


async def test_open_in_dialogue_lists_only_open_challenges(db: Database) -> None:
    dialogue = await create_dialogue(db)
    a, _pending, c, d = [await add_challenge(db, dialogue.id, t) for t in "ABCD"]
    async with db.transaction() as tx:
        for challenge in (a, c, d):
            await tx.challenges.open(challenge.id, f"txn{challenge.id}", now=1.0)
        await tx.challenges.close(a.id, now=2.0)
        assert [ch.id for ch in await tx.challenges.open_in_dialogue(dialogue.id)] == [c.id, d.id]


async def test_by_thread_root_finds_the_challenge_whose_sent_prompt_is_the_root(db: Database) -> None:
    dialogue = await create_dialogue(db)
    challenge = await add_challenge(db, dialogue.id)
    async with db.transaction() as tx:
        txn_id = await tx.outbox.enqueue(Room(ROOM), RoomMessage({"msgtype": "m.text", "body": "Q1"}), now=1.0)
        await tx.challenges.open(challenge.id, txn_id, now=1.0)
        assert await tx.challenges.by_thread_root(ROOM, "$prompt") is None  # not sent yet
        await tx.outbox.mark_sent(txn_id, "$prompt", now=2.0)
        found = await tx.challenges.by_thread_root(ROOM, "$prompt")
    assert found is not None and found.id == challenge.id


async def challenge_with_sent_prompt(db: Database) -> Challenge:
    """An open challenge in ROOM whose prompt has gone out as the event ``$prompt``."""
    dialogue = await create_dialogue(db)
    challenge = await add_challenge(db, dialogue.id)
    async with db.transaction() as tx:
        txn_id = await tx.outbox.enqueue(Room(ROOM), RoomMessage({"body": "Q1"}), now=1.0)
        await tx.challenges.open(challenge.id, txn_id, now=1.0)
        await tx.outbox.mark_sent(txn_id, "$prompt", now=2.0)
    return challenge


async def test_by_thread_root_ignores_the_same_event_id_in_another_room(db: Database) -> None:
    await challenge_with_sent_prompt(db)
    async with db.transaction() as tx:
        assert await tx.challenges.by_thread_root(OTHER_ROOM, "$prompt") is None
        assert await tx.challenges.by_thread_root(ROOM, "$unrelated") is None


async def test_by_thread_root_still_finds_a_closed_challenge(db: Database) -> None:
    challenge = await challenge_with_sent_prompt(db)
    async with db.transaction() as tx:
        await tx.challenges.close(challenge.id, now=3.0)
        found = await tx.challenges.by_thread_root(ROOM, "$prompt")
    assert found is not None and found.state == "closed"


async def test_removing_a_challenge_removes_its_contributions_support_and_event_records(db: Database) -> None:
    dialogue = await create_dialogue(db)
    doomed = await add_challenge(db, dialogue.id, "A")
    kept = await add_challenge(db, dialogue.id, "B")
    async with db.transaction() as tx:
        gone = await add_contribution(tx, dialogue.id, doomed.id, "$gone")
        await tx.contributions.apply_edit(gone.id, "$gone-edit", "t2", edit_ts=2)
        await tx.contributions.add_support(gone.id, "k2", "$react")
        await add_contribution(tx, dialogue.id, kept.id, "$kept")
        await tx.challenges.remove(doomed.id)
        assert await tx.contributions.by_event("$gone") is None
        assert await tx.contributions.by_event("$gone-edit") is None
        assert await tx.contributions.by_event("$kept") is not None
    assert await peek(db, "SELECT COUNT(*) FROM support") == [(0,)]
    assert await peek(db, "SELECT COUNT(*) FROM contribution_events") == [(1,)]
