"""Migration 14 and the contributions repository: each contribution's language, NULL when unknown."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage import Database
from storage.migrations import MIGRATIONS

ROOM = "!room:example.org"
SECRET = b"secret" * 4
V13 = 13


async def _dialogue(db: Database) -> tuple[int, int]:
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "D", SECRET, 1.0)
        challenge = await tx.challenges.add(dialogue.id, "A", "a?")
    return dialogue.id, challenge.id


async def test_migration_14_adds_a_language_column_that_stays_null_for_existing_contributions(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    old = await Database.open(path, migrations=MIGRATIONS[:V13])
    await old.close()
    with sqlite3.connect(path) as raw:
        # Written as that schema's code wrote them: today's repositories know columns a version-13 file lacks.
        dialogue_id = raw.execute(
            "INSERT INTO dialogues (room_id, title, state, secret, created_at) VALUES (?, 'D', 'active', ?, 1.0)",
            (ROOM, SECRET),
        ).lastrowid
        challenge_id = raw.execute(
            "INSERT INTO challenges (dialogue_id, number, title, prompt, state) VALUES (?, 1, 'A', 'a?', 'pending')",
            (dialogue_id,),
        ).lastrowid
        raw.execute(
            "INSERT INTO contributions (dialogue_id, challenge_id, ref, member_key, text, channel, event_ref, "
            "room_ref, created_at, origin_ts) VALUES (?, ?, 'ABCD', 'k', 'Nous soutenons la Convention.', "
            "'thread', 'e', 'r', 1.0, 1)",
            (dialogue_id, challenge_id),
        )

    db = await Database.open(path)
    try:
        assert db.schema_version >= 14
        async with db.transaction() as tx:
            [contribution] = await tx.contributions.for_dialogue(dialogue_id)
        # Not back-filled: a migration does not load the detector, and an unknown language is a valid state.
        assert contribution.language is None
    finally:
        await db.close()


async def test_only_a_two_letter_code_or_null_can_be_stored_as_a_language(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    await db.close()
    with sqlite3.connect(tmp_path / "bot.db") as raw:
        columns = {row[1]: row for row in raw.execute("PRAGMA table_info(contributions)")}
        assert columns["language"][2] == "TEXT" and columns["language"][3] == 0  # nullable
        raw.execute("PRAGMA foreign_keys = OFF")
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute(
                "INSERT INTO contributions (dialogue_id, challenge_id, ref, member_key, text, channel, event_ref, "
                "room_ref, created_at, origin_ts, language) VALUES (1, 1, 'X', 'k', 't', 'thread', 'e', 'r', 1, 1, "
                "'French')"
            )


async def test_a_contribution_keeps_its_language_and_an_edit_replaces_it(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    try:
        dialogue_id, challenge_id = await _dialogue(db)
        async with db.transaction() as tx:
            added = await tx.contributions.add(
                dialogue_id=dialogue_id,
                challenge_id=challenge_id,
                member_key="k1",
                text="We support the Convention.",
                channel="thread",
                event_id="$original",
                room_id=ROOM,
                origin_ts=1_000,
                now=2.0,
                language="en",
            )
        assert added.language == "en"
        async with db.transaction() as tx:
            await tx.contributions.apply_edit(added.id, "$edit", "Nous soutenons la Convention.", 2_000, language="fr")
            assert (await tx.contributions.get(added.id)).language == "fr"
            # An edit that says nothing clear leaves the language unknown, not the old one.
            await tx.contributions.apply_edit(added.id, "$edit2", "OK", 3_000, language=None)
            assert (await tx.contributions.get(added.id)).language is None
            # An out-of-date edit changes neither the text nor the language.
            await tx.contributions.apply_edit(added.id, "$late", "Apoyamos la Convención.", 2_500, language="es")
            assert (await tx.contributions.get(added.id)).language is None
    finally:
        await db.close()
