"""Slow work (a synopsis compile, a file download) runs outside the database transaction and off the processor's path.

The test holds the slow work open at a gate (bot/slow_work_gates.py): the bot stops just before the compile or the
download until the test lets it go. Meanwhile other people's contributions must be stored and acknowledged and
commands in other rooms answered; the held command is answered only after the gate opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.compile_notice import DONE, WORKING
from bot.slow_work_gates import GATES_ENV
from demo.events import body_of, content_of, is_reply_from, replied_to
from tests.integration.helpers import invite_bot_and_wait, raw_room_events
from tests.integration.test_dialogue import is_ack_of, run_dialogue, upload_file
from tests.integration.test_synopsis import download, is_file_from

pytestmark = pytest.mark.integration

HELD_SECONDS = 120  # how long the test may take to reach the gate, or to see work done while it is held


class Gate:
    """The test's end of one gate: a Unix socket the bot connects to and then waits on until `release()`."""

    def __init__(self, folder: Path, name: str) -> None:
        self.path = folder / f"{name}.sock"
        self.reached = asyncio.Event()
        self._server: asyncio.AbstractServer | None = None
        self._waiting: list[asyncio.StreamWriter] = []

    async def open(self) -> None:
        self._server = await asyncio.start_unix_server(self._arrived, path=str(self.path))

    async def _arrived(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._waiting.append(writer)
        self.reached.set()

    async def wait_reached(self) -> None:
        await asyncio.wait_for(self.reached.wait(), HELD_SECONDS)

    async def release(self) -> None:
        """Let the bot go on, now and at every later pass (the socket is gone, so the bot no longer stops)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        self.path.unlink(missing_ok=True)
        for writer in self._waiting:
            writer.write(b"go")
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            writer.close()
        self._waiting.clear()


@contextlib.asynccontextmanager
async def gate(folder: Path, name: str) -> AsyncIterator[Gate]:
    held = Gate(folder, name)
    await held.open()
    try:
        yield held
    finally:
        await held.release()


@pytest.fixture
def gates_folder() -> Any:
    # Unix socket paths are limited to about 100 bytes: pytest's tmp_path can be longer.
    folder = Path(tempfile.mkdtemp(prefix="gates-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def gated(bot_factory: Any, folder: Path) -> Any:
    """A bot factory whose bot process has the test gates switched on."""

    async def factory(**kwargs: Any) -> Any:
        bot = await bot_factory(start=False, **kwargs)
        bot.command_prefix = ["env", f"{GATES_ENV}={folder}", *bot.command_prefix]
        await bot.start()
        return bot

    return factory


async def other_room_answers_ping(user: Any, bot_user_id: str) -> None:
    """A command in a room of its own, from someone else than the person whose command is held, is answered."""
    room = await user.create_room(encrypted=False, name="Elsewhere")
    await invite_bot_and_wait(user, room, bot_user_id)
    asked = await user.send_text(room, "!dialogue ping")
    answer = await user.wait_for(room, is_reply_from(bot_user_id, asked), timeout=HELD_SECONDS)
    assert body_of(answer) == "pong"


async def test_while_a_synopsis_compiles_contributions_are_acknowledged_and_other_rooms_answered(
    make_user, bot_factory, gates_folder
):
    async with gate(gates_folder, "compile") as compile_gate:
        d = await run_dialogue(make_user, gated(bot_factory, gates_folder), encrypted=False, participants=2)
        alice, bob = d.participants
        kept = await alice.send_thread_reply(d.room, d.root, "Transfers through States parties must be challenged.")
        regretted = await bob.send_thread_reply(d.room, d.root, "Ruritania's stockpile report was a farce.")
        await d.acknowledged(alice, kept)
        await d.acknowledged(bob, regretted)
        backroom = await d.backroom_id()

        await d.moderator.send_text(backroom, "!dialogue synopsis md")
        await compile_gate.wait_reached()
        late = await alice.send_thread_reply(d.room, d.root, "Survivors need sustained victim assistance.")
        await alice.wait_for(d.room, is_ack_of(d.bot.user_id, late), timeout=HELD_SECONDS)
        withdraw = await bob.send_text(
            d.room, "!dialogue withdraw", extra_content={"m.relates_to": {"m.in_reply_to": {"event_id": regretted}}}
        )
        answer = await bob.wait_for(d.room, is_reply_from(d.bot.user_id, withdraw), timeout=HELD_SECONDS)
        assert body_of(answer).startswith("Withdrawn")
        await other_room_answers_ping(alice, d.bot.user_id)
        assert not [event for event in d.moderator.events(backroom) if is_file_from(d.bot.user_id)(event)]

    synopsis = await d.moderator.wait_for(backroom, is_file_from(d.bot.user_id), timeout=HELD_SECONDS)
    markdown = (await download(d.moderator, synopsis)).decode()
    assert "Transfers through States parties must be challenged" in markdown
    # Withdrawn while the first compile ran: the state it was compiled from changed, so it was compiled again.
    assert "Ruritania" not in markdown


async def test_while_a_roster_file_downloads_contributions_are_acknowledged_and_other_rooms_answered(
    make_user, bot_factory, gates_folder
):
    async with gate(gates_folder, "download") as download_gate:
        d = await run_dialogue(make_user, gated(bot_factory, gates_folder), encrypted=False, participants=2)
        alice, bob = d.participants
        csv = f"user,affiliation,category\n{alice.user_id},Grand Fenwick,State party\n{bob.user_id},Freedonia,other\n"
        backroom = await d.backroom_id()
        file_event = await upload_file(d.moderator, backroom, csv.encode(), "roster.csv", encrypted=False)

        asked = await d.moderator.send_text(
            backroom,
            "!dialogue roster import",
            extra_content={"m.relates_to": {"m.in_reply_to": {"event_id": file_event}}},
        )
        await download_gate.wait_reached()
        point = await alice.send_thread_reply(d.room, d.root, "Clearance of contaminated land should come first.")
        await alice.wait_for(d.room, is_ack_of(d.bot.user_id, point), timeout=HELD_SECONDS)
        await other_room_answers_ping(bob, d.bot.user_id)
        assert not [event for event in d.moderator.events(backroom) if is_reply_from(d.bot.user_id, asked)(event)]

    answer = await d.moderator.wait_for(backroom, is_reply_from(d.bot.user_id, asked), timeout=HELD_SECONDS)
    assert body_of(answer).startswith("Roster import: 2 row(s) recorded; the roster has 2 participant(s).")


def is_compile_notice(bot_id: str):
    return lambda event: event.sender == bot_id and body_of(event) == WORKING


def is_edit_of(bot_id: str, event_id: str):
    def matches(event: Any) -> bool:
        relation = content_of(event).get("m.relates_to") or {}
        return event.sender == bot_id and relation == {"rel_type": "m.replace", "event_id": event_id}

    return matches


@pytest.mark.parametrize("restart", [False, True], ids=["straight", "killed mid-compile"])
async def test_a_slow_compile_says_it_is_working_once_and_edits_that_notice_when_done(
    make_user, bot_factory, gates_folder, restart
):
    async with gate(gates_folder, "compile") as compile_gate:
        d = await run_dialogue(make_user, gated(bot_factory, gates_folder), encrypted=True, participants=1)
        [alice] = d.participants
        said = await alice.send_thread_reply(d.room, d.root, "Transfers through States parties must be challenged.")
        await d.acknowledged(alice, said)
        backroom = await d.backroom_id()

        asked = await d.moderator.send_text(backroom, "!dialogue synopsis md")
        await compile_gate.wait_reached()
        # The gate holds the compile well past the notice's threshold: the notice comes while it is held.
        notice = await d.moderator.wait_for(backroom, is_compile_notice(d.bot.user_id), timeout=HELD_SECONDS)
        assert replied_to(notice) == asked
        if restart:
            await d.bot.kill()
            compile_gate.reached.clear()
            await d.bot.start()
            await compile_gate.wait_reached()  # the command is handled again from the start after the restart
        assert not [event for event in d.moderator.events(backroom) if is_file_from(d.bot.user_id)(event)]

    await d.moderator.wait_for(backroom, is_file_from(d.bot.user_id), timeout=HELD_SECONDS)
    edit = await d.moderator.wait_for(backroom, is_edit_of(d.bot.user_id, notice.event_id), timeout=HELD_SECONDS)
    assert content_of(edit)["m.new_content"]["body"] == DONE
    # Everything the bot queued before the reply to this ping has gone out: any duplicate would be here by now.
    sentinel = await d.moderator.send_text(backroom, "!dialogue ping")
    await d.moderator.wait_for(backroom, is_reply_from(d.bot.user_id, sentinel), timeout=HELD_SECONDS)
    events = d.moderator.events(backroom)
    assert len([event for event in events if is_compile_notice(d.bot.user_id)(event)]) == 1
    assert len([event for event in events if is_edit_of(d.bot.user_id, notice.event_id)(event)]) == 1
    assert len([event for event in events if is_file_from(d.bot.user_id)(event)]) == 1
    # Encrypted like everything else the bot sends there, the edit too.
    raw = await raw_room_events(d.moderator, backroom)
    assert not [event for event in raw if event["sender"] == d.bot.user_id and event["type"] == "m.room.message"]
