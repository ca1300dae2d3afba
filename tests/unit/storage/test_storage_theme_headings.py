"""Expected-theme headings per challenge: add, edit, remove, list in order, gone with their challenge."""

from __future__ import annotations

import pytest

from storage import Database

ROOM = "!room:example.org"


@pytest.fixture
async def challenge_id(db: Database) -> int:
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "D", b"secret" * 4, 1.0)
        return (await tx.challenges.add(dialogue.id, "T", "P")).id


async def test_headings_are_listed_in_the_order_they_were_added(db: Database, challenge_id: int) -> None:
    async with db.transaction() as tx:
        await tx.theme_headings.add(challenge_id, "Withdrawal", 1.0)
        await tx.theme_headings.add(challenge_id, "Funding", 2.0)
        assert await tx.theme_headings.list(challenge_id) == ["Withdrawal", "Funding"]


async def test_edit_and_remove_go_by_position(db: Database, challenge_id: int) -> None:
    async with db.transaction() as tx:
        for heading in ("A", "B", "C"):
            await tx.theme_headings.add(challenge_id, heading, 1.0)
        assert await tx.theme_headings.edit(challenge_id, 2, "B2") is True
        assert await tx.theme_headings.remove(challenge_id, 1) is True
        assert await tx.theme_headings.remove(challenge_id, 9) is False
        assert await tx.theme_headings.edit(challenge_id, 9, "x") is False
        assert await tx.theme_headings.list(challenge_id) == ["B2", "C"]


async def test_headings_go_with_their_challenge(db: Database, challenge_id: int) -> None:
    async with db.transaction() as tx:
        await tx.theme_headings.add(challenge_id, "A", 1.0)
        await tx.challenges.remove(challenge_id)
        assert await tx.theme_headings.list(challenge_id) == []
