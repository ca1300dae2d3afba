"""Operating the bot: logs that name no one, a data directory only the bot's user can read, and backups whose
secrets are kept apart; against a real Synapse, with the bot as its own process."""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import stat
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from demo.events import body_of, is_reply_from
from tests.integration.helpers import invite_bot_and_wait
from tests.integration.test_dialogue import run_dialogue

pytestmark = pytest.mark.integration


def bot_says(bot_id: str, text: str):
    return lambda event: event.sender == bot_id and text in body_of(event)


async def test_the_whole_log_of_a_dialogue_names_no_one_even_when_a_direct_message_must_wait(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=3)
    names = ["Zephyrine Quarterbridge", "Octavian Mbeki-Lindqvist", "Ottoline Vasquez-Haraldsen"]
    await d.moderator.client.set_displayname("Moderata Fairweather-Kossuth")
    tokens = [f"quillwort{secrets.token_hex(4)}" for _ in d.participants]
    for person, name, token in zip(d.participants, names, tokens, strict=True):
        await person.client.set_displayname(name)
        point = await person.send_thread_reply(d.room, d.root, f"My point, {token}: transfers erode the norm.")
        await d.acknowledged(person, point)
    # A private contribution by direct message.
    alice = d.participants[0]
    dm = await alice.create_room(encrypted=True, is_direct=True)
    await invite_bot_and_wait(alice, dm, d.bot.user_id)
    private_token = f"marshwort{secrets.token_hex(4)}"
    sent = await alice.send_text(dm, f"Privately, {private_token}: assistance must grow.")
    await alice.wait_for(dm, is_reply_from(d.bot.user_id, sent), timeout=60)
    # The digest goes to the moderator by direct message: the bot makes the room, and the message waits (a logged
    # retry) until the moderator has joined it. That is the send path that used to log the moderator's ID.
    due = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    await d.command(d.moderator, f"!dialogue digest {due:%H:%M}")
    await d.moderator.wait_for_any_room(bot_says(d.bot.user_id, "Daily digest"), timeout=120, description="digest")
    assert await d.bot.stop() == 0

    log = d.bot.log_text()
    people = [d.moderator, *d.participants]
    identifying = [person.user_id for person in people] + [person.user_id[1:].split(":")[0] for person in people]
    identifying += names + [part for name in names for part in name.split()]
    identifying += ["Moderata", "Fairweather-Kossuth", *tokens, private_token]
    for value in identifying:
        assert value not in log, value
    assert 'recipient="direct message"' in log, "the waiting direct message must have been logged"


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The bot must not rely on the operator's umask: everything it creates is private even under umask 000."""
    previous = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(previous)


def modes_under(root: Path) -> dict[str, int]:
    """The permission bits of `root` and of everything under it, by path relative to `root`."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        try:
            found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode) | (
                stat.S_IFDIR if path.is_dir() else 0
            )
        except FileNotFoundError:  # a journal SQLite removed while we looked
            continue
    return found


def assert_private(root: Path) -> dict[str, int]:
    found = modes_under(root)
    for name, bits in found.items():
        expected = 0o700 if (bits & stat.S_IFDIR or name == ".") else 0o600
        assert bits & 0o777 == expected, f"{name} has mode {bits & 0o777:o}, not {expected:o}"
    return found


async def test_every_file_and_folder_under_the_data_dir_is_private_while_running_and_after(
    make_user, bot_factory, permissive_umask
):
    bot = await bot_factory()
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=True)
    await invite_bot_and_wait(moderator, room, bot.user_id)
    asked = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, asked))

    running = assert_private(bot.data_dir)
    assert {"bot.db", "bot.db-wal", "bot.db-shm", "crypto", "pickle.key"} <= running.keys()
    assert any(name.startswith("crypto/") and name.endswith(".db") for name in running), running
    assert await bot.stop() == 0
    assert_private(bot.data_dir)


async def run_cli(*args: str | Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *map(str, args),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, output.decode()


async def test_a_backup_taken_while_the_bot_runs_restores_into_a_bot_that_knows_its_dialogue(
    make_user, bot_factory, tmp_path
):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=2)
    alice, bob = d.participants
    kept = await alice.send_thread_reply(d.room, d.root, "Alice's point from before the backup.")
    await d.acknowledged(alice, kept)
    with sqlite3.connect(d.bot.data_dir / "bot.db") as live:
        secret = bytes(live.execute("SELECT secret FROM dialogues").fetchone()[0])
        session = live.execute("SELECT value FROM kv WHERE key = 'matrix.session'").fetchone()[0]
    backup = tmp_path / "backup"

    # The bot keeps handling contributions while the backup is taken.
    (code, output), during = await asyncio.gather(
        run_cli("backup", backup, "--config", d.bot.config_path),
        bob.send_thread_reply(d.room, d.root, "Bob's point, sent while the backup runs."),
    )
    assert code == 0, output
    await d.acknowledged(bob, during)

    data = (backup / "bot.db").read_bytes()
    assert secret not in data and secret.hex().encode() not in data
    assert session.split('"access_token": "')[1].split('"')[0].encode() not in data
    assert stat.S_IMODE((backup / "secrets" / "secrets.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((backup / "secrets").stat().st_mode) == 0o700
    with sqlite3.connect(backup / "bot.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    # Restore by the book: stop the bot, move its data directory aside, restore, start it again.
    assert await d.bot.stop() == 0
    d.bot.data_dir.rename(tmp_path / "data-before-restore")
    moved_secrets = tmp_path / "vault" / "secrets"
    moved_secrets.parent.mkdir()
    (backup / "secrets").rename(moved_secrets)
    code, output = await run_cli("restore", backup, "--secrets", moved_secrets, "--config", d.bot.config_path)
    assert code == 0, output
    await d.bot.start()

    assert "Alice's point from before the backup." in await d.contributions()
    # Withdrawing needs the dialogue's secret: the pseudonym of the sender must match the stored one.
    withdraw = await alice.send_text(
        d.room, "!dialogue withdraw", extra_content={"m.relates_to": {"m.in_reply_to": {"event_id": kept}}}
    )
    answer = await alice.wait_for(d.room, is_reply_from(d.bot.user_id, withdraw), timeout=60)
    assert body_of(answer).startswith("Withdrawn"), body_of(answer)
    log = d.bot.log_text()
    assert log.count("logged in with password") == 1 and "session restored" in log, "the same device, restored"
