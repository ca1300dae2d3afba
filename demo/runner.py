"""Runs the demo: Synapse, the bot as a process, scripted users, and the synopsis pulled by the secretariat."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import nio
from nio.crypto.attachments import decrypt_attachment

from bot.compile_notice import WORKING as COMPILE_NOTICE
from demo import script
from demo.client import DemoUser
from demo.events import body_of, content_of, is_ack_of, is_file_from, is_reply_from
from devserver.bot_process import BotProcess, BotProcessError
from devserver.synapse import SynapseServer, tail
from privacy.scrub import AFFILIATION

STEP_TIMEOUT = 60.0
# The consensus round's window. The round closes by time alone (each answer's server timestamp against the window's
# end; the scheduler announces the close), so the window must hold the bot's direct rooms, its statements and every
# participant's answers: about 3 s here with 8 participants. It runs on while challenges 2-4 are played, and the demo
# then awaits the bot's announcement, so what it adds to the demo is what is left of it by then (a few seconds).
CONSENSUS_WINDOW_SECONDS = 15
# Either stops the demo at any point: the steps are cancelled, then Synapse and the bot are stopped (see Demo.run).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class DemoFailure(Exception):
    """A step failed; the message names it."""


class BotStopped(Exception):
    """The bot's process exited while a step needed it."""


class Demo:
    def __init__(self, out: Path, data_dir: Path, *, quick: bool, keep: bool) -> None:
        self.out = out
        self.data_dir = data_dir
        self.quick = quick
        self.keep = keep
        self.synapse = SynapseServer(data_dir / "synapse")
        self.bot: BotProcess | None = None
        self.bot_id = ""
        self.bot_log = data_dir / "bot" / "bot.log"  # each run's own, once its bot account exists (start_servers)
        self.user_ids: dict[str, str] = {}  # registered in start_servers, logged in by log_in
        self.users: dict[str, DemoUser] = {}
        self.passwords: dict[str, str] = {}
        self.participants = script.QUICK_PARTICIPANTS if quick else script.PARTICIPANTS
        self.people: list[DemoUser] = []
        self.moderator: DemoUser | None = None
        self.isu: DemoUser | None = None
        self.room = ""
        self.backroom = ""  # the moderators' private room for the roster and listings
        self.step_no = 0
        self.total = 18
        self.consensus_opened = 0.0  # monotonic time the consensus command was sent
        self.consensus_answered = 0.0  # seconds from the consensus command to the last answer
        self.waited_for_consensus = 0.0  # how long the demo waited for the round to close after challenge 4
        self.signalled: signal.Signals | None = None  # the SIGINT or SIGTERM that cancelled the demo
        self.serving = False  # --keep: the dialogue is over, Synapse and the bot run until a signal
        self.stopping = False  # shutdown has begun; signals no longer cancel anything
        self._synapse_start: asyncio.Future[None] | None = None

    # -- helpers -----------------------------------------------------------------------------

    async def step(self, text: str, coro: Awaitable[Any], timeout: float = STEP_TIMEOUT) -> Any:  # noqa: ASYNC109
        self.step_no += 1
        print(f"[{self.step_no:2d}/{self.total}] {text} …", flush=True)
        try:
            async with asyncio.timeout(timeout):
                return await self._unless_the_bot_stops(coro)
        except TimeoutError as err:
            raise DemoFailure(f"step {self.step_no} ({text}) timed out after {timeout:.0f}s") from err
        except DemoFailure:
            raise
        except Exception as err:
            raise DemoFailure(f"step {self.step_no} ({text}) failed: {err}") from err

    async def _unless_the_bot_stops(self, coro: Awaitable[Any]) -> Any:
        """Await `coro`, but give up as soon as the bot's process exits: every step needs the bot."""
        work = asyncio.ensure_future(coro)
        watch = asyncio.ensure_future(self._bot_exited())
        try:
            await asyncio.wait((work, watch), return_when=asyncio.FIRST_COMPLETED)
            if work.done():
                return work.result()
            raise BotStopped(watch.result())
        finally:
            for task in (work, watch):
                task.cancel()
            await asyncio.gather(work, watch, return_exceptions=True)

    async def _bot_exited(self) -> str:
        # A Popen's exit cannot be awaited portably; polling it a few times a second costs nothing.
        while self.bot is None or self.bot.is_running():  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        last = tail(self.bot_log, 1).strip()
        return f"the bot stopped with exit code {self.bot.returncode}" + (f": {last}" if last else "")

    def person(self, index: int) -> DemoUser:
        return self.people[index % len(self.people)]

    async def command(self, user: DemoUser, text: str, room: str | None = None) -> nio.Event:
        """The bot's answer to `text`. A compile that takes a while (a cold compile process) is announced first with
        a "Compiling…" notice in reply to the command: that notice, and its edit, are not the answer."""
        room = room or self.room
        asked = await user.send_text(room, text)
        replied = is_reply_from(self.bot_id, asked)

        def is_answer(event: nio.Event) -> bool:
            return replied(event) and not body_of(event).lstrip("* ").startswith(COMPILE_NOTICE)

        return await user.wait_for(room, is_answer, description=text, timeout=STEP_TIMEOUT)

    async def contribute(self, user: DemoUser, root: str, text: str) -> str:
        sent = await user.send_thread_reply(self.room, root, text)
        await user.wait_for(self.room, is_ack_of(self.bot_id, sent), description=f"ack of {text[:30]}")
        return sent

    # -- steps -------------------------------------------------------------------------------

    async def start_servers(self) -> None:
        # A cancelled step leaves the thread starting Synapse running; shutdown awaits it, so it cannot spawn Synapse
        # after Synapse was stopped.
        self._synapse_start = asyncio.ensure_future(asyncio.to_thread(self.synapse.start))
        await asyncio.shield(self._synapse_start)
        server = self.synapse.server_name
        suffix = secrets.token_hex(2)
        for person in (*([script.MODERATOR, script.ISU]), *self.participants):
            password = secrets.token_urlsafe(12)
            user_id = await asyncio.to_thread(self.synapse.register, f"{person.localpart}-{suffix}", password)
            await asyncio.to_thread(self.synapse.exempt_from_rate_limits, user_id)
            self.passwords[person.localpart] = password
            self.user_ids[person.localpart] = user_id
        # Every run registers a new bot account, so it gets a folder of its own: a data dir kept from an earlier run
        # (--data-dir) holds that run's account's session, which the bot rightly refuses to use for another account.
        localpart = f"dialogue-bot-{suffix}"
        self.bot = await asyncio.to_thread(
            BotProcess.create,
            self.synapse,
            self.data_dir / "bot" / localpart,
            localpart=localpart,
            allowed_inviters=[server],
            extra_config={"bot": {"isu_users": [self.user_ids["isu"]]}},
        )
        self.bot_id = self.bot.user_id
        self.bot_log = self.bot.log_path
        self.bot.start_sync()

    async def log_in(self) -> None:
        ids = self.user_ids
        self.users = {}
        stores = self.data_dir / "clients"

        async def one(person: script.Person) -> DemoUser:
            user = await DemoUser.create(
                self.synapse.url, ids[person.localpart], self.passwords[person.localpart], stores / person.localpart
            )
            self.users[person.localpart] = user  # at once, so shutdown closes it even if this step is cancelled
            await user.client.set_displayname(person.display_name)
            return user

        everyone = [script.MODERATOR, script.ISU, *self.participants]
        clients = await asyncio.gather(*(one(p) for p in everyone), return_exceptions=True)
        for client in clients:
            if isinstance(client, BaseException):
                raise client
        self.moderator = self.users["moderator"]
        self.isu = self.users["isu"]
        self.people = [self.users[p.localpart] for p in self.participants]

    async def create_room(self) -> None:
        mod = self.moderator
        assert mod is not None
        self.room = await mod.create_room(
            encrypted=True, invite=[p.user_id for p in self.people], name=script.DIALOGUE_TITLE
        )
        for person in self.people:
            await mod.wait_for_membership(self.room, person.user_id, "join")
        await mod.invite(self.room, self.bot_id)
        await mod.wait_for_membership(self.room, self.bot_id, "join", timeout=STEP_TIMEOUT)
        # The roster and the listings never appear in front of the participants: they go to a back-room.
        self.backroom = await mod.create_room(encrypted=True, name="Moderators")
        await mod.invite(self.backroom, self.bot_id)
        await mod.wait_for_membership(self.backroom, self.bot_id, "join", timeout=STEP_TIMEOUT)
        linked = await self.command(mod, f"!dialogue backroom link {self.room}", room=self.backroom)
        if not body_of(linked).startswith("Linked"):
            raise DemoFailure(f"back-room not linked: {body_of(linked)!r}")

    async def start_dialogue(self) -> None:
        mod = self.moderator
        assert mod is not None
        await mod.send_text(self.room, f"!dialogue start {script.DIALOGUE_TITLE}")
        await mod.wait_for(self.room, lambda e: e.sender == self.bot_id and "Chatham House Rule" in body_of(e))
        for person, user in zip(self.participants, self.people, strict=True):
            roster_entry = f"!dialogue roster set {user.user_id} {person.affiliation} ; {person.category}"
            await self.command(mod, roster_entry, room=self.backroom)
        for title, prompt, _ in self.challenges():
            await self.command(mod, f"!dialogue challenge add {title} ; {prompt}")

    def headings(self) -> tuple[str, ...]:
        return script.QUICK_HEADINGS if self.quick else script.HEADINGS

    async def add_headings(self) -> None:
        mod = self.moderator
        assert mod is not None
        number = script.HEADINGS_CHALLENGE
        for position, heading in enumerate(self.headings(), start=1):
            added = body_of(await self.command(mod, f"!dialogue theme add {number} {heading}", room=self.backroom))
            if not added.startswith(f"Challenge {number} has heading {position}:"):
                raise DemoFailure(f"heading not added: {added!r}")

    async def themes_under_headings(self) -> None:
        """`themes` lists the challenge's themes; each heading the script's texts were written for must be there."""
        mod = self.moderator
        assert mod is not None
        number = script.HEADINGS_CHALLENGE
        listing = body_of(await self.command(mod, f"!dialogue themes {number}", room=self.backroom))
        missing = [heading for heading in self.headings() if f"[heading] {heading} — " not in listing]
        if missing:
            raise DemoFailure(f"no contribution under the heading(s) {missing}:\n{listing}")

    def challenges(self) -> list[tuple[str, str, list[tuple[int, str]]]]:
        if not self.quick:
            return script.CHALLENGES
        return [(title, prompt, items[:3]) for title, prompt, items in script.CHALLENGES]

    async def open_challenge(self, number: int, *, scheduled: bool = False) -> str:
        mod = self.moderator
        assert mod is not None
        if scheduled:
            reply = await self.command(mod, f"!dialogue schedule {number} in 2s for 1h")
            if not body_of(reply).startswith(f"Challenge {number} opens"):
                raise DemoFailure(f"unexpected answer to schedule: {body_of(reply)!r}")
        else:
            await mod.send_text(self.room, f"!dialogue open {number}")
        prompt = await mod.wait_for(
            self.room, lambda e: e.sender == self.bot_id and body_of(e).startswith(f"Challenge {number}:"), timeout=30
        )
        for person in self.people:
            await person.wait_for(self.room, lambda e: e.event_id == prompt.event_id)
        return str(prompt.event_id)

    async def close_challenge(self, number: int) -> None:
        mod = self.moderator
        assert mod is not None
        await mod.send_text(self.room, f"!dialogue close {number}")
        await mod.wait_for(
            self.room, lambda e: e.sender == self.bot_id and body_of(e).startswith(f"Challenge {number} is closed")
        )

    async def contributions(self, number: int, root: str) -> dict[int, str]:
        sent: dict[int, str] = {}
        for position, (index, text) in enumerate(self.challenges()[number - 1][2]):
            sent[position] = await self.contribute(self.person(index), root, text)
        return sent

    async def challenge_one_extras(self, root: str, sent: dict[int, str]) -> None:
        # An edit of the third contribution.
        editor = self.person(script.EDIT[0])
        await editor.edit(self.room, sent[2], script.EDIT[1])
        # A contribution, then withdrawn by a reply.
        author = self.person(script.WITHDRAWN[0])
        point = await self.contribute(author, root, script.WITHDRAWN[1])
        withdraw = await author.send_text(
            self.room, "!dialogue withdraw", extra_content={"m.relates_to": {"m.in_reply_to": {"event_id": point}}}
        )
        answer = await author.wait_for(self.room, is_reply_from(self.bot_id, withdraw))
        if not body_of(answer).startswith("Withdrawn"):
            raise DemoFailure(f"withdrawal refused: {body_of(answer)!r}")
        # Support from everyone else for the first contribution.
        first_author = self.person(self.challenges()[0][2][0][0])
        for person in self.people:
            if person is not first_author:
                await person.send_reaction(self.room, sent[0], "👍")
        # A reply quoting another participant, with the reply fallback.
        quoted_author = self.person(self.challenges()[0][2][0][0])
        quoted_text = self.challenges()[0][2][0][1]
        replier = self.person(script.QUOTED_REPLY[0])
        if replier is quoted_author:
            replier = self.person(script.QUOTED_REPLY[0] + 1)
        reply = await replier.send_event(
            self.room,
            "m.room.message",
            {
                "msgtype": "m.text",
                "body": f"> <{quoted_author.user_id}> {quoted_text}\n\n{script.QUOTED_REPLY[1]}",
                "m.relates_to": {
                    "rel_type": "m.thread",
                    "event_id": root,
                    "is_falling_back": False,
                    "m.in_reply_to": {"event_id": sent[0]},
                },
            },
        )
        await replier.wait_for(self.room, is_ack_of(self.bot_id, reply))
        mod = self.moderator
        assert mod is not None
        listing = body_of(await self.command(mod, "!dialogue contributions 1", room=self.backroom))
        if script.EDIT[1] not in listing or script.WITHDRAWN[1] in listing:
            raise DemoFailure(f"edit or withdrawal not reflected in the contributions:\n{listing}")

    async def consensus_round(self) -> None:
        """The moderator opens the round; each participant answers every statement in the bot's direct room."""
        mod = self.moderator
        assert mod is not None
        number = script.HEADINGS_CHALLENGE
        self.consensus_opened = time.monotonic()
        opened = body_of(await self.command(mod, f"!dialogue consensus {number} for {CONSENSUS_WINDOW_SECONDS}s"))
        found = re.search(r"gets its (\d+) theme statements", opened)
        if found is None:
            raise DemoFailure(f"consensus round not opened: {opened!r}")
        count = int(found.group(1))
        await asyncio.gather(*(self._answer(index, person, count) for index, person in enumerate(self.people)))
        took = self.consensus_answered = time.monotonic() - self.consensus_opened
        if took >= CONSENSUS_WINDOW_SECONDS:
            raise DemoFailure(
                f"the answers took {took:.0f}s, longer than the round's {CONSENSUS_WINDOW_SECONDS}s window: "
                "late answers are not counted (is the machine very busy?)"
            )

    async def _answer(self, index: int, person: DemoUser, count: int) -> None:
        number = script.HEADINGS_CHALLENGE
        for position in range(1, count + 1):
            marker = f"Consensus round on challenge {number} ("
            place = f"statement {position} of {count}:"

            def is_statement(e: nio.Event, marker: str = marker, place: str = place) -> bool:
                return bool(e.sender == self.bot_id and marker in body_of(e) and place in body_of(e))

            room, statement = await person.wait_for_any_room(
                is_statement,
                timeout=STEP_TIMEOUT,
                description=f"consensus statement {position}",
            )
            heading = next((h for h in self.headings() if h in body_of(statement)), None)
            if heading is not None:  # a machine theme (none in this script) is left unanswered
                await person.send_reaction(room, statement.event_id, script.CONSENSUS_VOTES[heading][index])

    async def consensus_closed(self) -> None:
        mod = self.moderator
        assert mod is not None
        closed = f"The consensus round on challenge {script.HEADINGS_CHALLENGE} has closed"
        left = CONSENSUS_WINDOW_SECONDS - (time.monotonic() - self.consensus_opened)
        await mod.wait_for(
            self.room, lambda e: e.sender == self.bot_id and body_of(e).startswith(closed), timeout=left + STEP_TIMEOUT
        )

    async def secretariat_wording(self) -> None:
        """The ISU, in the back-room, states challenge 2's first theme in the secretariat's words and gives the
        challenge a lead paragraph; `themes 2` gives the theme's reference."""
        mod, isu = self.moderator, self.isu
        assert mod is not None and isu is not None
        listing = body_of(await self.command(mod, "!dialogue themes 2", room=self.backroom))
        first = re.search(r"^1\. .+? — (\w+)", listing, re.MULTILINE)
        if first is None:
            raise DemoFailure(f"challenge 2 has no theme to word:\n{listing}")
        # The secretariat works with the moderators in the back-room; it joins after the roster was set there.
        await mod.invite(self.backroom, isu.user_id)
        await mod.wait_for_membership(self.backroom, isu.user_id, "join", timeout=STEP_TIMEOUT)
        wording = f"!dialogue theme wording {first.group(1)} {script.ISU_WORDING}"
        worded = body_of(await self.command(isu, wording, room=self.backroom))
        if not worded.endswith(script.ISU_WORDING):
            raise DemoFailure(f"wording refused: {worded!r}")
        led = body_of(await self.command(isu, f"!dialogue lead 2 {script.ISU_LEAD}", room=self.backroom))
        if not led.endswith(script.ISU_LEAD):
            raise DemoFailure(f"lead refused: {led!r}")

    async def private_contribution(self) -> None:
        user = self.person(script.PRIVATE[0])
        dm = await user.create_room(encrypted=True, is_direct=True)
        await user.invite(dm, self.bot_id)
        await user.wait_for_membership(dm, self.bot_id, "join", timeout=STEP_TIMEOUT)
        sent = await user.send_text(dm, script.PRIVATE[1])
        echo = await user.wait_for(dm, is_reply_from(self.bot_id, sent), timeout=STEP_TIMEOUT)
        if "Recorded privately" not in body_of(echo):
            raise DemoFailure(f"private contribution not recorded: {body_of(echo)!r}")

    async def pull_synopsis(self) -> dict[str, Path]:
        isu = self.isu
        assert isu is not None
        dm = await isu.create_room(encrypted=True, is_direct=True)
        await isu.invite(dm, self.bot_id)
        await isu.wait_for_membership(dm, self.bot_id, "join", timeout=STEP_TIMEOUT)
        listing = body_of(await self.command(isu, "!dialogue dialogues", room=dm))
        number = listing.splitlines()[1].split(".")[0].strip()
        self.out.mkdir(parents=True, exist_ok=True)
        paths: dict[str, Path] = {}
        for fmt in ("md", "docx", "json"):
            await isu.send_text(dm, f"!dialogue synopsis {number} {fmt}")
            event = await isu.wait_for(dm, is_file_from(self.bot_id, f".{fmt}"), timeout=STEP_TIMEOUT)
            data = await self.download(isu, event)
            path = self.out / f"synopsis.{fmt}"
            path.write_bytes(data)
            paths[fmt] = path
        return paths

    @staticmethod
    async def download(user: DemoUser, event: nio.Event) -> bytes:
        content = content_of(event)
        encrypted = content.get("file")
        url = encrypted["url"] if encrypted else content["url"]
        response = await user.client.download(mxc=url)
        if not isinstance(response, nio.DownloadResponse):
            raise DemoFailure(f"download of {url} failed: {response}")
        if encrypted:
            return decrypt_attachment(
                response.body, encrypted["key"]["k"], encrypted["hashes"]["sha256"], encrypted["iv"]
            )
        return response.body

    async def play(self) -> None:
        started = time.monotonic()
        await self.step("starting Synapse, registering users and starting the bot", self.start_servers(), 120)
        await self.step("logging in the moderator, the ISU and the participants", self.log_in())
        await self.step("moderator creates an encrypted room, invites everyone, links a back-room", self.create_room())
        await self.step("moderator starts the dialogue, sets the roster, adds challenges", self.start_dialogue())
        count = len(self.headings())
        await self.step(f"moderator gives challenge 1 {count} expected themes (headings)", self.add_headings())
        root = await self.step("moderator opens challenge 1", self.open_challenge(1))
        sent = await self.step("participants contribute to challenge 1", self.contributions(1, root))
        await self.step("an edit, a withdrawal, 👍 support and a quoted reply", self.challenge_one_extras(root, sent))
        await self.step(
            "moderator closes challenge 1; themes 1 lists its contributions under the headings", self._close_one()
        )
        await self.step(
            f"consensus round on challenge 1 for {CONSENSUS_WINDOW_SECONDS}s: participants answer each heading "
            "with 👍/👎/➖ in a direct message",
            self.consensus_round(),
        )
        await self.step("challenge 2: open, contributions (one private), close", self._challenge_two())
        await self.step(
            "the ISU joins the back-room, words a theme of challenge 2 and writes its lead",
            self.secretariat_wording(),
        )
        await self.step("challenge 3: open, contributions, close", self._plain_challenge(3))
        await self.step("challenge 4 is scheduled in 2s and opens by itself", self._scheduled_challenge(4))
        waited = time.monotonic()
        await self.step(
            "waiting for the bot to announce that the consensus round has closed",
            self.consensus_closed(),
            CONSENSUS_WINDOW_SECONDS + STEP_TIMEOUT,
        )
        self.waited_for_consensus = time.monotonic() - waited
        paths = await self.step("the ISU pulls the synopsis (md, docx, json) in a DM", self.pull_synopsis())
        self.step_no = self.total - 1
        print(f"[{self.total - 1:2d}/{self.total}] writing the synopsis files … done")
        print(f"[{self.total:2d}/{self.total}] finished in {time.monotonic() - started:.1f}s")
        for path in paths.values():
            print(f"  wrote {path}")
        markdown = paths["md"].read_text(encoding="utf-8").splitlines()
        print("Markdown headings:")
        for line in markdown:
            if line.startswith("#"):
                print(f"  {line}")
        structure = json.loads(paths["json"].read_text(encoding="utf-8"))
        for round_ in structure.get("consensus", []):
            print(f"Consensus round on challenge {round_['challenge_number']} (statement: mark, answered by):")
            for theme in round_["themes"]:
                print(f"  {theme['statement']}: {theme['mark'] or 'not marked'}, {theme['voter_band'] or '-'}")
        print(
            f"(the answers took {self.consensus_answered:.1f}s of the {CONSENSUS_WINDOW_SECONDS}s window; after "
            f"challenge 4 the demo waited {self.waited_for_consensus:.1f}s for it to close)"
        )
        scrubbed = [line.strip(" -") for line in markdown if AFFILIATION in line]
        if scrubbed:
            print(f"Where a participant named their own State or organisation, the synopsis shows {AFFILIATION}:")
            for line in scrubbed:
                print(f"  {line}")

    async def _close_one(self) -> None:
        await self.close_challenge(1)
        await self.themes_under_headings()

    async def _challenge_two(self) -> None:
        await self.contributions(2, await self.open_challenge(2))
        await self.private_contribution()
        await self.close_challenge(2)

    async def _plain_challenge(self, number: int) -> None:
        root = await self.open_challenge(number)
        await self.contributions(number, root)
        await self.close_challenge(number)

    async def _scheduled_challenge(self, number: int) -> None:
        root = await self.open_challenge(number, scheduled=True)
        await self.contributions(number, root)
        await self.close_challenge(number)

    async def serve_until_signalled(self) -> None:
        """--keep: print where to log in, then wait; SIGINT or SIGTERM cancels the wait (see `run`)."""
        self.serving = True
        print(f"\nHomeserver: {self.synapse.url}")
        print(f"Bot: {self.bot_id} (log: {self.bot_log})")
        everyone = [script.MODERATOR, script.ISU, *self.participants]
        for person in everyone:
            user = self.users[person.localpart]
            print(f"  {user.user_id}  password: {self.passwords[person.localpart]}  ({person.display_name})")
        print("Synapse and the bot keep running; press Ctrl-C to stop them.", flush=True)
        await asyncio.get_running_loop().create_future()  # never set

    async def shutdown(self) -> None:
        self.stopping = True
        if self._synapse_start is not None:
            await asyncio.gather(self._synapse_start, return_exceptions=True)
        await asyncio.gather(
            *(u.close() for u in self.users.values() if isinstance(u, DemoUser)), return_exceptions=True
        )
        bot, self.bot = self.bot, None
        if bot is not None and bot.pid is not None:
            await asyncio.to_thread(_stop_bot, bot)
        await asyncio.to_thread(self.synapse.stop)

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        main = asyncio.current_task()
        assert main is not None
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, self._on_signal, sig, main)
        try:
            await self.play()
            if self.keep:
                await self.serve_until_signalled()
            return 0
        except DemoFailure as err:
            print(f"demo failed: {err}".splitlines()[0], file=sys.stderr)
            if bot_log := tail(self.bot_log, 15):
                print(f"(bot log tail:)\n{bot_log}", file=sys.stderr)
            return 1
        except asyncio.CancelledError:
            if self.signalled is None:
                raise
            main.uncancel()
            if self.serving:  # --keep after the dialogue: a signal is the documented way to end it
                print("stopping Synapse and the bot …", flush=True)
                return 0
            print(f"demo interrupted by {self.signalled.name}: stopping Synapse and the bot …", file=sys.stderr)
            return 128 + self.signalled
        finally:
            await self.shutdown()
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)

    def _on_signal(self, sig: signal.Signals, main: asyncio.Task[int]) -> None:
        # The first signal cancels whatever the demo awaits, and `run` stops everything in its `finally`. Signals
        # during that are ignored: each stop is bounded (terminate, wait, kill), and interrupting it would leave
        # Synapse or the bot behind.
        if self.signalled is None and not self.stopping:
            self.signalled = sig
            main.cancel()


def _stop_bot(bot: BotProcess) -> None:
    # SIGTERM, then SIGKILL after 20 s: a bot that would not stop is still stopped, and the demo still ends.
    with contextlib.suppress(BotProcessError):
        bot.stop_sync(timeout=20)


def _folder_problem(option: str, path: Path) -> str | None:
    """Create `path` if needed; a one-line reason if it cannot serve as a writable folder."""
    if path.exists() and not path.is_dir():
        return f"{option} {path} is a file, not a folder"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        return f"{option} {path}: cannot create the folder ({err.strerror or err})"
    if not os.access(path, os.W_OK | os.X_OK):
        return f"{option} {path}: the folder is not writable"
    return None


def run(*, out: str, keep: bool, data_dir: str | None, quick: bool) -> int:
    # nio warns about every device it has no Olm session with yet; that is noise in a demo.
    logging.basicConfig(level=logging.ERROR)
    out_dir = Path(out).resolve()
    # Checked before anything starts, rather than found out once the whole dialogue has been played.
    folders = [("--out", out_dir)] + ([] if data_dir is None else [("--data-dir", Path(data_dir).resolve())])
    for option, path in folders:
        if problem := _folder_problem(option, path):
            print(f"demo failed: {problem}", file=sys.stderr)
            return 1
    temp: str | None = None
    if data_dir is None:
        temp = tempfile.mkdtemp(prefix="dialogue-bot-demo-")
        base = Path(temp)
    else:
        base = Path(data_dir).resolve()
    demo = Demo(out_dir, base, quick=quick, keep=keep)
    try:
        return asyncio.run(demo.run())
    except KeyboardInterrupt:
        print("demo interrupted by SIGINT", file=sys.stderr)
        return 130
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
