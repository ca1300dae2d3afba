"""The contribution handler stores each contribution's detected language, and detects it afresh on an edit."""

from __future__ import annotations

from tests.unit.test_redactions_and_reactions import ALICE, BOB, ROOM, Harness, edit, harness, message

__all__ = ["harness"]  # the fixture, used by name

FRENCH = "Les survivants doivent participer aux organes nationaux de coordination dès le départ."
ENGLISH = "Survivors must be included in every national coordination body from the start."


async def languages(harness: Harness) -> dict[str, str | None]:
    async with harness.db.transaction() as tx:
        dialogue = await tx.dialogues.active_in_room(ROOM)
        assert dialogue is not None
        return {c.text: c.language for c in await tx.contributions.for_dialogue(dialogue.id)}


async def test_each_contribution_is_stored_with_its_language(harness: Harness) -> None:
    await harness.deliver(message(ALICE, FRENCH))
    await harness.deliver(message(BOB, ENGLISH))
    assert await languages(harness) == {FRENCH: "fr", ENGLISH: "en"}


async def test_a_contribution_too_short_to_tell_is_stored_without_a_language(harness: Harness) -> None:
    await harness.deliver(message(ALICE, "Article 21"))
    assert await languages(harness) == {"Article 21": None}


async def test_an_edit_into_another_language_is_detected_afresh(harness: Harness) -> None:
    original = message(ALICE, ENGLISH)
    await harness.deliver(original)
    await harness.deliver(edit(ALICE, original.event_id, FRENCH))
    assert await languages(harness) == {FRENCH: "fr"}
