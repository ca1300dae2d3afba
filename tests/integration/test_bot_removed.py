"""The bot kicked or banned from a dialogue room: the dialogue ends, and the command line still gets its synopsis
and purges it. Real Synapse, real clients, the bot as its own process, the CLI as another."""

from __future__ import annotations

import sqlite3

import nio
import pytest

from demo.events import body_of
from tests.integration.test_data_gone import raw_bytes, token
from tests.integration.test_dialogue import run_dialogue
from tests.integration.test_room_upgrades import cli

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("removal", ["kick", "ban"])
async def test_a_removed_bot_ends_the_dialogue_and_the_cli_pulls_and_purges_it(make_user, bot_factory, removal):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1)
    alice = d.participants[0]
    said = token()
    await d.acknowledged(alice, await alice.send_thread_reply(d.room, d.root, f"Clearance deadlines {said}"))
    reply = await d.command(d.moderator, "!dialogue schedule 2 in 2h")
    assert "UTC" in body_of(reply)

    client = d.moderator.client
    removed = await (client.room_kick if removal == "kick" else client.room_ban)(d.room, d.bot.user_id, "done here")
    assert isinstance(removed, nio.RoomKickResponse | nio.RoomBanResponse), removed

    def is_told(event: nio.Event) -> bool:
        return event.sender == d.bot.user_id and "removed from" in body_of(event)

    _dm, told = await d.moderator.wait_for_any_room(is_told, timeout=60, description="removal notice")
    assert "dialogue-bot synopsis --dialogue 1" in body_of(told)
    assert await d.bot.stop() == 0

    with sqlite3.connect(d.bot.data_dir / "bot.db") as db:
        assert db.execute("SELECT state FROM dialogues WHERE id = 1").fetchone()[0] == "ended"
        assert db.execute("SELECT COUNT(*) FROM schedules WHERE state = 'scheduled'").fetchone()[0] == 0
        pending = db.execute(
            "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND destination = ?", (d.room,)
        ).fetchone()[0]
    assert pending == 0

    pulled = await cli(d.bot, "synopsis", "--dialogue", "1", "--format", "md")
    assert pulled.returncode == 0, pulled.stderr
    assert said.encode() in pulled.stdout
    adopted = await cli(d.bot, "adopt", "--dialogue", "1")
    assert adopted.returncode == 0, adopted.stderr
    purged = await cli(d.bot, "purge", "--dialogue", "1", "--yes")
    assert purged.returncode == 0, purged.stderr
    assert b"purged" in purged.stdout
    # The adopted synopsis keeps what was said (it was adopted after it); everything that tied it to people is gone.
    with sqlite3.connect(d.bot.data_dir / "bot.db") as db:
        for table in ("contributions", "contribution_events", "support", "roster"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
        assert db.execute("SELECT length(secret) FROM dialogues WHERE id = 1").fetchone()[0] == 0
    assert alice.user_id.encode() not in raw_bytes(d.bot.data_dir)
    again = await cli(d.bot, "synopsis", "--dialogue", "1", "--format", "md")
    assert again.returncode == 0 and said.encode() in again.stdout  # the adopted synopsis is what remains
