"""`dialogue-bot migrate-storage`: a SQLite deployment's data moved into PostgreSQL, read back by the bot's Database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from bot.cli import main as cli
from storage import Database, FileUpload, Room
from storage.migrations import MIGRATIONS
from storage.postgres_database import PostgresDatabase

ROOM = "!room:forum.test"


# `main` restricts the umask and sets up logging: every test gets the process's own back (else the PostgreSQL
# server's exit handler logs into a stream pytest has closed).
pytestmark = pytest.mark.usefixtures("keep_process_state")


async def main(argv: list[str]) -> int:
    """The command line, as an operator runs it (its own event loop, so in a thread here)."""
    return await asyncio.to_thread(cli, argv)


SECRET = b"s" * 32
TEXTS = ("Transfers erode the norm.", "Universalisation needs energy.", "Survivors need assistance.")


async def _a_deployment(path: Path) -> dict[str, object]:
    """A SQLite database with a dialogue, contributions (one removed), support, a room, a queued file and an adopted
    synopsis; returns what the bot would read back."""
    db = await Database.open(path)
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "Strengthening the norms", SECRET, 1.0)
        challenge = await tx.challenges.add(dialogue.id, "Transfers", "What do transfers mean?")
        added = [
            await tx.contributions.add(
                dialogue_id=dialogue.id,
                challenge_id=challenge.id,
                member_key=f"k{index}",
                text=text,
                channel="thread",
                event_id=f"$e{index}",
                room_id=ROOM,
                origin_ts=1_700_000_000_000 + index,
                now=10.0 + index,
            )
            for index, text in enumerate((*TEXTS, "withdrawn later"))
        ]
        await tx.contributions.delete(added[-1].id)
        await tx.contributions.add_support(added[0].id, "k2", "$reaction")
        await tx.rooms.set_joined(ROOM, 1_700_000_000_000)
        await tx.outbox.enqueue(Room(ROOM), FileUpload("synopsis.md", "text/markdown", b"# Draft\n"), now=20.0)
        await tx.synopses.adopt(dialogue.id, 30.0, b"# Synopsis", b"PK\x03\x04docx", b'{"sections": []}')
        await tx.state.set("sync_token", "s42")
    await db.close()
    return {"dialogue_id": dialogue.id, "removed_id": added[-1].id}


async def test_a_sqlite_database_moves_whole_into_postgres_and_the_bot_reads_the_same_data(
    tmp_path: Path, postgres_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bot.db"
    made = await _a_deployment(path)

    assert await main(["migrate-storage", "--from", f"sqlite:{path}", "--to", f"postgres:{postgres_dsn}"]) == 0

    printed = capsys.readouterr()
    for secret_or_content in (*TEXTS, "s42", "k2", ROOM, postgres_dsn, "Synopsis"):
        assert secret_or_content not in printed.out + printed.err
    assert "contributions: 3 rows" in printed.out
    db = await PostgresDatabase.connect(postgres_dsn)
    try:
        async with db.transaction() as tx:
            dialogue_id = int(str(made["dialogue_id"]))
            stored = await tx.contributions.for_dialogue(dialogue_id)
            assert [c.text for c in stored] == list(TEXTS)
            assert await tx.contributions.distinct_supporters(stored[0].id) == 1
            adopted = await tx.synopses.adopted(dialogue_id)
            assert adopted is not None and adopted.markdown == b"# Synopsis" and adopted.docx == b"PK\x03\x04docx"
            assert await tx.rooms.joined_at(ROOM) == 1_700_000_000_000
            assert await tx.state.get("sync_token") == "s42"
            assert await tx.outbox.pending_count() == 1
            # Sequences continue after the highest id SQLite ever gave out, the removed contribution's included.
            again = await tx.contributions.add(
                dialogue_id=dialogue_id,
                challenge_id=stored[0].challenge_id,
                member_key="k9",
                text="after the move",
                channel="thread",
                event_id="$after",
                room_id=ROOM,
                origin_ts=1_700_000_000_100,
                now=40.0,
            )
            assert again.id > int(str(made["removed_id"]))
    finally:
        await db.close()


async def test_the_copy_is_refused_while_the_bot_has_the_file_open(tmp_path: Path, postgres_dsn: str) -> None:
    path = tmp_path / "bot.db"
    await _a_deployment(path)
    running = await Database.open(path)  # what a running bot holds
    try:
        code = await main(["migrate-storage", "--from", f"sqlite:{path}", "--to", f"postgres:{postgres_dsn}"])
    finally:
        await running.close()

    assert code == 7
    conn = await asyncpg.connect(postgres_dsn)
    try:
        assert (
            await conn.fetchval("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")
            == 0
        )
    finally:
        await conn.close()


async def test_a_target_that_already_holds_data_is_refused_and_left_as_it_was(
    tmp_path: Path, postgres_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bot.db"
    await _a_deployment(path)
    db = await PostgresDatabase.connect(postgres_dsn)
    async with db.transaction() as tx:
        await tx.state.set("sync_token", "already here")
    await db.close()

    assert await main(["migrate-storage", "--from", f"sqlite:{path}", "--to", f"postgres:{postgres_dsn}"]) == 6

    assert "not empty (kv has rows)" in capsys.readouterr().err
    db = await PostgresDatabase.connect(postgres_dsn)
    try:
        async with db.transaction() as tx:
            assert await tx.state.get("sync_token") == "already here"
    finally:
        await db.close()


async def test_a_source_at_an_older_schema_version_is_refused(
    tmp_path: Path, postgres_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bot.db"
    await (await Database.open(path, migrations=MIGRATIONS[:-1])).close()

    assert await main(["migrate-storage", "--from", f"sqlite:{path}", "--to", f"postgres:{postgres_dsn}"]) == 6

    error = capsys.readouterr().err
    assert f"schema version {len(MIGRATIONS) - 1}, this release at {len(MIGRATIONS)}" in error


async def test_the_dsn_can_come_from_the_environment_instead_of_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DIALOGUE_BOT_STORAGE__DSN", raising=False)

    assert await main(["migrate-storage", "--from", f"sqlite:{tmp_path / 'bot.db'}", "--to", "postgres:"]) == 2

    assert "DIALOGUE_BOT_STORAGE__DSN is not set" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_backup_and_restore_refuse_a_postgres_deployment_and_point_to_pg_dump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[matrix]\nhomeserver = "https://matrix.forum.test"\nuser_id = "@dialogue-bot:forum.test"\n'
        f'[bot]\ndata_dir = "{tmp_path / "data"}"\n[storage]\nbackend = "postgres"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("DIALOGUE_BOT_MATRIX__PASSWORD", "hunter2")
    monkeypatch.setenv("DIALOGUE_BOT_STORAGE__DSN", "postgresql://bot:pw-not-shown@db.forum.test/dialogue")

    assert cli([command, str(tmp_path / "copy"), "--config", str(config)]) == 6

    error = capsys.readouterr().err
    assert "pg_dump" in error and "pw-not-shown" not in error
    assert not (tmp_path / "copy").exists()
