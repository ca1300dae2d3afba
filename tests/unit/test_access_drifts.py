"""Chat and command line apply the same rules (handlers/access.py): one test per place where they used to differ.

The chat side runs through the processor over a real database; the command line through `bot.cli.main`, on the same
database, as the operator would run it.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from bot import exit_codes
from bot.cli import main
from storage import Database
from tests.unit.test_processor import ROOM, message, process_ready
from tests.unit.test_processor_outcome import MODERATOR, Harness, add, outbox_bodies

# `main` restricts the umask and sets up logging: every test here gets the process state back afterwards.
pytestmark = pytest.mark.usefixtures("keep_process_state")


def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[matrix]\nhomeserver = "http://127.0.0.1:1"\nuser_id = "@bot:test"\npassword = "secret"\n'
        f'[bot]\ndata_dir = "{tmp_path}"\n',
        encoding="utf-8",
    )
    return path


async def dialogue_in(db: Database, *, ended: bool = False, adopted: bool = False, purged: bool = False) -> int:
    async with db.transaction() as tx:
        await tx.rooms.set_joined(ROOM, 0)
        dialogue = await tx.dialogues.create(ROOM, "Norms", b"s" * 32, 1_000.0)
        if adopted:
            await tx.synopses.adopt(dialogue.id, 1_000.0, b"# adopted", b"docx", b"{}")
        if ended:
            await tx.dialogues.end(dialogue.id, 1_000.0)
        if purged:
            await tx.synopses.purge(dialogue.id, 1_000.0)
        return dialogue.id


async def chat(db: Database, tmp_path: Path, body: str) -> str:
    """What the bot answers a moderator's command in the dialogue room."""
    harness = Harness(db, tmp_path)
    before = len(outbox_bodies(tmp_path))
    await add(db, message(f"$cmd{before}", body, sender=MODERATOR))
    await process_ready(db, harness.processor, harness.clock)
    await harness.processor.wait_for_slow_work()
    return "\n".join(outbox_bodies(tmp_path)[before:])


async def cli(tmp_path: Path, *args: str) -> int:
    """`dialogue-bot ARGS`, in a thread of its own as in a process of its own (it runs its own event loop)."""
    return await asyncio.to_thread(main, [args[0], "--config", str(config(tmp_path)), *args[1:]])


async def test_purging_a_purged_dialogue_is_refused_in_chat_and_on_the_command_line(db, tmp_path, capsys):
    dialogue = await dialogue_in(db, ended=True, adopted=True, purged=True)
    assert "Dialogue 1 is already purged." in await chat(db, tmp_path, "!dialogue purge")
    assert await cli(tmp_path, "purge", "--dialogue", str(dialogue), "--yes") == exit_codes.REFUSED  # was 0
    assert "dialogue-bot: Dialogue 1 is already purged." in capsys.readouterr().err


async def test_ending_an_ended_dialogue_is_refused_in_chat_and_on_the_command_line(db, tmp_path, capsys):
    dialogue = await dialogue_in(db, ended=True)
    assert "No dialogue is running in this room" in await chat(db, tmp_path, "!dialogue end")
    assert await cli(tmp_path, "end", "--dialogue", str(dialogue)) == exit_codes.REFUSED  # was 0
    assert "Dialogue 1 has ended already." in capsys.readouterr().err


async def test_purging_an_active_dialogue_says_end_it_first_in_chat_and_on_the_command_line(db, tmp_path, capsys):
    dialogue = await dialogue_in(db, adopted=True)
    assert "End dialogue 1 first (!dialogue end)." in await chat(db, tmp_path, "!dialogue purge")
    assert await cli(tmp_path, "purge", "--dialogue", str(dialogue), "--yes") == exit_codes.REFUSED  # was 2
    assert "End dialogue 1 first (`dialogue-bot end --dialogue 1`)." in capsys.readouterr().err


async def test_purging_without_an_adopted_synopsis_says_adopt_first_in_chat_and_on_the_command_line(
    db, tmp_path, capsys
):
    dialogue = await dialogue_in(db, ended=True)
    assert "Adopt a synopsis of dialogue 1 first (!dialogue adopt)" in await chat(db, tmp_path, "!dialogue purge")
    assert await cli(tmp_path, "purge", "--dialogue", str(dialogue), "--yes") == exit_codes.REFUSED  # was 2
    assert "Adopt a synopsis of dialogue 1 first (`dialogue-bot adopt --dialogue 1`)" in capsys.readouterr().err


async def test_adopting_a_purged_dialogue_is_refused_alike(db, tmp_path, capsys):
    dialogue = await dialogue_in(db, ended=True, adopted=True, purged=True)
    assert "Dialogue 1 was purged: its adopted synopsis stays as it was adopted." in await chat(
        db, tmp_path, "!dialogue adopt"
    )
    assert await cli(tmp_path, "adopt", "--dialogue", str(dialogue)) == exit_codes.REFUSED  # was 2 (a usage error)
    assert "its adopted synopsis stays as it was adopted" in capsys.readouterr().err


async def test_pulling_the_adopted_synopsis_before_there_is_one_is_refused_alike(db, tmp_path, capsys):
    dialogue = await dialogue_in(db, ended=True)
    assert "Dialogue 1 has no adopted synopsis yet (!dialogue adopt stores one)." in await chat(
        db, tmp_path, "!dialogue synopsis adopted"
    )
    assert await cli(tmp_path, "synopsis", "--dialogue", str(dialogue), "--adopted") == exit_codes.REFUSED
    assert "(`dialogue-bot adopt --dialogue 1` stores one)" in capsys.readouterr().err


async def test_a_purged_dialogue_gives_its_adopted_synopsis_in_chat_and_on_the_command_line(db, tmp_path, capsys):
    dialogue = await dialogue_in(db, ended=True, adopted=True, purged=True)
    assert "This dialogue was purged" not in await chat(db, tmp_path, "!dialogue synopsis")
    assert file_names(tmp_path) == ["synopsis-adopted-1.md"]
    assert await cli(tmp_path, "synopsis", "--dialogue", str(dialogue)) == exit_codes.OK
    assert capsys.readouterr().out == "# adopted"


def file_names(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        rows = conn.execute("SELECT content FROM outbox WHERE kind = 'file' ORDER BY seq").fetchall()
    return [json.loads(row[0])["filename"] for row in rows]


async def test_the_command_line_refuses_a_purge_before_asking_to_confirm_it(db, tmp_path, monkeypatch, capsys):
    dialogue = await dialogue_in(db, adopted=True)
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda question: asked.append(question) or "y")
    assert await cli(tmp_path, "purge", "--dialogue", str(dialogue)) == exit_codes.REFUSED
    assert asked == []  # the chat refuses at once too, without asking for a confirmation first
    assert "End dialogue 1 first" in capsys.readouterr().err
