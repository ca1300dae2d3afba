"""The "compiling…" notice and its edit are in the language of the reply to the command that asked for the compile."""

from __future__ import annotations

import asyncio

import pytest

from bot.compile_notice import notice_txn_id
from tests.unit.test_compile_notice import a_compile_held_after_its_notice, a_dialogue, edits, outbox
from tests.unit.test_processor_outcome import TIMEOUT


@pytest.mark.parametrize(
    ("language", "working", "done"),
    [
        ("fr", "Compilation du projet de synthèse…", "Compilation du projet de synthèse… terminée."),
        ("es", "Compilando el proyecto de síntesis…", "Compilando el proyecto de síntesis… listo."),
    ],
)
async def test_a_slow_compiles_notice_and_its_edit_are_in_the_rooms_language(db, tmp_path, language, working, done):
    await a_dialogue(db, language)
    held, h = await a_compile_held_after_its_notice(db, tmp_path)
    [(txn, _, notice)] = outbox(tmp_path)
    assert (txn, notice["body"]) == (notice_txn_id("$pull"), working)

    held.release.set()
    await asyncio.wait_for(h.processor.wait_for_slow_work(), TIMEOUT)
    assert edits(tmp_path) == [(txn, done)]
