"""Guided-theme commands through the dispatcher on a real (temporary) SQLite database: headings per challenge,
the machine's themes with keywords, adopting one as a heading, and who may do it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from handlers.context import RoomSnapshot
from handlers.dispatch import HandlerEnv
from storage import Database
from tests.unit.dispatch_harness import NOW, DispatchHarness, handler_env, texts
from tests.unit.fakes import BOT_ID

ROOM = "!dialogue:test"
MODERATOR, ALICE = "@mod:test", "@alice:test"

WITHDRAWAL = (
    "States parties should respond firmly to the withdrawal from the Convention.",
    "The withdrawal from the Convention needs a firm response from States parties.",
    "A firm collective response to the withdrawal from the Convention is needed.",
)


@dataclass
class Harness:
    db: Database
    env: HandlerEnv
    room: RoomSnapshot
    challenge_id: int
    dialogue_id: int

    async def say(self, sender: str, body: str) -> list[str]:
        """Send a message in the dialogue room; the texts the bot queued in answer (in the room or by DM)."""
        dispatch = DispatchHarness(self.db, self.env, {ROOM: self.room})
        await dispatch.say(ROOM, sender, body)
        return texts(await dispatch.outbox())

    async def headings(self) -> list[str]:
        async with self.db.transaction() as tx:
            return await tx.theme_headings.list(self.challenge_id)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    db = await Database.open(tmp_path / "bot.db")
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "D", b"s" * 32, NOW)
        challenge = await tx.challenges.add(dialogue.id, "Norms", "What challenges the norms?")
        await tx.challenges.open(challenge.id, "txn-prompt", NOW)
        for number, text in enumerate(WITHDRAWAL):
            await tx.contributions.add(
                dialogue_id=dialogue.id,
                challenge_id=challenge.id,
                member_key=f"key{number}",
                text=text,
                channel="thread",
                event_id=f"$c{number}",
                room_id=ROOM,
                origin_ts=int(NOW * 1000),
                now=NOW + number,
            )
    room = RoomSnapshot(
        room_id=ROOM,
        encrypted=True,
        room_version="10",
        user_power_levels={MODERATOR: 100, BOT_ID: 50},
        display_names={MODERATOR: "Mod", ALICE: "Alice", BOT_ID: "Bot"},
        joined_member_count=3,
        join_rule="invite",
        redact_power_level=50,
    )
    env = handler_env(tmp_path, lambda room_id: room if room_id == ROOM else None)
    yield Harness(db, env, room, challenge.id, dialogue.id)
    await db.close()


async def test_a_moderator_adds_edits_and_removes_headings(harness: Harness) -> None:
    answer = await harness.say(MODERATOR, "!dialogue theme add 1 Withdrawal from the Convention")
    assert "heading 1" in answer[0]
    await harness.say(MODERATOR, "!dialogue theme add 1 Funding for survivors")
    await harness.say(MODERATOR, "!dialogue theme edit 1 2 Predictable funding for survivors")
    assert await harness.headings() == ["Withdrawal from the Convention", "Predictable funding for survivors"]
    await harness.say(MODERATOR, "!dialogue theme remove 1 1")
    assert await harness.headings() == ["Predictable funding for survivors"]


async def test_a_participant_may_not_add_headings(harness: Harness) -> None:
    await harness.say(ALICE, "!dialogue theme add 1 Anything")
    assert await harness.headings() == []


async def test_usage_errors_come_from_the_registry(harness: Harness) -> None:
    answer, *_ = await harness.say(MODERATOR, "!dialogue theme add 1")
    assert "!dialogue theme add <n> <heading>" in answer
    answer, *_ = await harness.say(MODERATOR, "!dialogue theme edit 1 x text")
    assert "!dialogue theme edit <n> <heading number> <heading>" in answer


async def test_editing_a_heading_that_is_not_there_is_refused(harness: Harness) -> None:
    answer, *_ = await harness.say(MODERATOR, "!dialogue theme remove 1 3")
    assert "no heading 3" in answer.lower()


async def test_themes_lists_headings_and_machine_themes_and_adopt_makes_one_a_heading(harness: Harness) -> None:
    listing, *_ = await harness.say(MODERATOR, "!dialogue themes 1")
    assert "1. convention, withdrawal" in listing.casefold()
    answer, *_ = await harness.say(MODERATOR, "!dialogue theme adopt 1 1")
    (heading,) = await harness.headings()
    assert "withdrawal" in heading.casefold()
    assert heading in answer
    listing, *_ = await harness.say(MODERATOR, "!dialogue themes 1")
    assert f"1. [heading] {heading}" in listing


async def test_adopting_a_heading_theme_is_refused(harness: Harness) -> None:
    await harness.say(MODERATOR, "!dialogue theme add 1 Withdrawal from the Convention")
    answer, *_ = await harness.say(MODERATOR, "!dialogue theme adopt 1 1")
    assert "already" in answer
    assert await harness.headings() == ["Withdrawal from the Convention"]


async def test_themes_shows_which_themes_the_secretariat_worded_and_the_wording(harness: Harness) -> None:
    async with harness.db.transaction() as tx:
        first, *_ = await tx.contributions.for_challenge(harness.challenge_id)
        await tx.secretariat_wording.set_theme(harness.dialogue_id, first.ref, "Withdrawal needs an answer.", NOW)
    listing, *_ = await harness.say(MODERATOR, "!dialogue themes 1")
    lines = listing.splitlines()
    theme_line = next(index for index, line in enumerate(lines) if line.startswith("1. "))
    assert lines[theme_line + 1] == '   worded by the secretariat: "Withdrawal needs an answer."'
    assert sum("worded by the secretariat" in line for line in lines) == 1
