"""The "compiling…" notice and its edit are in the language of the reply to the command that asked for the compile."""

from __future__ import annotations

import asyncio

import pytest

from bot.compile_notice import notice_txn_id
from tests.unit.test_compile_notice import edits, held_then_compiled, outbox
from tests.unit.test_processor import ROOM, message, process_ready
from tests.unit.test_processor_outcome import MODERATOR, TIMEOUT, Harness, add


@pytest.mark.parametrize(
    ("language", "working", "done"),
    [
        ("fr", "Compilation du projet de synthèse…", "Compilation du projet de synthèse… terminée."),
        ("es", "Compilando el proyecto de síntesis…", "Compilando el proyecto de síntesis… listo."),
    ],
)
async def test_a_slow_compiles_notice_and_its_edit_are_in_the_rooms_language(db, tmp_path, language, working, done):
    async with db.transaction() as tx:
        await tx.rooms.set_joined(ROOM, 0)
        dialogue = await tx.dialogues.create(ROOM, "Norms", b"s" * 32, 1_000.0)
        await tx.challenges.add(dialogue.id, "Transfers", "What do transfers mean?")
        await tx.dialogues.set_language(dialogue.id, language)
    held, run = held_then_compiled()
    h = Harness(db, tmp_path, runner=run, compile_notice_after=0.0)
    await add(db, message("$pull", "!dialogue synopsis", sender=MODERATOR))
    await process_ready(db, h.processor, h.clock)
    await asyncio.wait_for(held.started.wait(), TIMEOUT)
    await h.until_queued(lambda: len(outbox(tmp_path)) == 1)
    [(txn, _, notice)] = outbox(tmp_path)
    assert (txn, notice["body"]) == (notice_txn_id("$pull"), working)

    held.release.set()
    await asyncio.wait_for(h.processor.wait_for_slow_work(), TIMEOUT)
    assert edits(tmp_path) == [(txn, done)]
