"""A compile reports its stages through a callback (synopsis/progress.py); the command line draws them only on a
terminal (bot/progress_bar.py)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from bot import exit_codes
from bot.cli import main
from bot.offline import compile_and_render
from bot.progress_bar import stage_printer
from storage import Database
from synopsis.compile import compile_synopsis
from synopsis.progress import GROUPING, LOADING, RENDERING, no_progress
from tests.unit.fakes import make_settings
from tests.unit.test_access_drifts import config
from tests.unit.test_synopsis_compile import WITHDRAWAL, numbered, synopsis_input


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_compile_reports_grouping_once_before_and_after_each_challenge() -> None:
    heard: list[tuple[str, int, int]] = []
    compile_synopsis(synopsis_input(numbered("w", WITHDRAWAL), challenges=3), progress=lambda *seen: heard.append(seen))
    assert heard == [(GROUPING, 0, 3), (GROUPING, 1, 3), (GROUPING, 2, 3), (GROUPING, 3, 3)]


async def test_the_command_line_compile_reports_loading_grouping_and_rendering_in_order(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    try:
        async with db.transaction() as tx:
            dialogue = await tx.dialogues.create("!r:test", "Norms", b"s" * 32, 1_000.0)
            await tx.challenges.add(dialogue.id, "A", "a?")
            await tx.challenges.add(dialogue.id, "B", "b?")
            heard: list[tuple[str, int, int]] = []
            document = await compile_and_render(
                tx, make_settings(tmp_path), dialogue, "md", lambda *seen: heard.append(seen)
            )
    finally:
        await db.close()
    assert document.startswith(b"#")
    assert heard == [(LOADING, 0, 0), (GROUPING, 0, 2), (GROUPING, 1, 2), (GROUPING, 2, 2), (RENDERING, 0, 0)]


def test_a_terminal_gets_a_line_per_stage_and_anything_else_nothing() -> None:
    assert stage_printer(io.StringIO()) is no_progress
    terminal = Terminal()
    show = stage_printer(terminal)
    show(LOADING, 0, 0)
    show(GROUPING, 1, 2)
    drawn = terminal.getvalue()
    assert "loading…" in drawn
    assert "grouping per challenge" in drawn and "[##########..........] 1/2" in drawn


async def test_dialogue_bot_synopsis_says_nothing_on_stderr_when_it_is_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keep_process_state: None
) -> None:
    db = await Database.open(tmp_path / "bot.db")
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create("!r:test", "Norms", b"s" * 32, 1_000.0)
        await tx.challenges.add(dialogue.id, "A", "a?")
    await db.close()
    out = tmp_path / "draft.md"
    argv = ["synopsis", "--config", str(config(tmp_path)), "--dialogue", "1", "-o", str(out)]
    assert await asyncio.to_thread(main, argv) == exit_codes.OK
    assert out.read_bytes().startswith(b"#")
    assert capsys.readouterr().err == ""
