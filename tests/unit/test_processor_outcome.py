"""The processor acts on what handlers report (`Outcome`), and slow work runs outside the event's transaction."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3

from bot.processor import InboxProcessor
from bot.room_state import RoomDirectory
from handlers.builtin import ping
from handlers.commands import Command, CommandRegistry, rest_of_line
from handlers.context import BotInfo
from handlers.registry import build_registry
from handlers.replies import Reply
from handlers.scheduled import PlannedAction
from handlers.slow_work import AttachmentError, CompileSynopsis, FetchAttachment, local_runner
from storage import Database, NewInboxEvent
from tests.unit.fakes import BOT_ID, RecordingClient, make_settings
from tests.unit.test_processor import ROOM, Clock, message, process_ready

MODERATOR = "@mod:test"
TIMEOUT = 10.0  # seconds for an awaited condition in these in-process tests


class Harness:
    """A processor over a real database, with a room where MODERATOR has power, counting what it triggers."""

    def __init__(
        self, db: Database, tmp_path, registry: CommandRegistry | None = None, runner=None, **processor: object
    ) -> None:
        client = RecordingClient()
        client.add_room(ROOM).power_levels.users[MODERATOR] = 100
        self.clock = Clock()
        self.sender_wakes = 0
        self.sender_woken = asyncio.Event()
        self.agenda_rebuilds = 0
        self.processor = InboxProcessor(
            client,  # type: ignore[arg-type]
            db,
            make_settings(tmp_path),
            registry or build_registry(),
            BotInfo(user_id=BOT_ID, version="test", started_at=0.0, encryption_enabled=False),
            RoomDirectory(),
            on_outbox_changed=self._sender_woken,
            clock=self.clock,
            on_agenda_may_have_changed=self._agenda_rebuilt,
            slow_work_runner=runner,
            **processor,  # type: ignore[arg-type]
        )

    def _sender_woken(self) -> None:
        self.sender_wakes += 1
        self.sender_woken.set()

    async def until_queued(self, condition) -> None:
        """Wait until `condition` holds, looking again each time the processor wakes the sender."""
        while True:
            self.sender_woken.clear()
            if condition():
                return
            await asyncio.wait_for(self.sender_woken.wait(), TIMEOUT)

    async def _agenda_rebuilt(self) -> None:
        self.agenda_rebuilds += 1


async def add(db: Database, *events: NewInboxEvent) -> None:
    async with db.transaction() as tx:
        await tx.inbox.add(list(events), 1_000.0)


def outbox_bodies(tmp_path) -> list[str]:
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        rows = conn.execute("SELECT content FROM outbox ORDER BY seq").fetchall()
    return [json.loads(row[0]).get("body", "") for row in rows]


def inbox_state(tmp_path, event_id: str) -> str:
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        return conn.execute("SELECT state FROM inbox WHERE event_id = ?", (event_id,)).fetchone()[0]


# ------------------------------------------------------------------ waking the sender, rebuilding the agenda


async def test_the_sender_is_woken_when_the_handlers_queued_a_message_and_not_otherwise(db, tmp_path):
    h = Harness(db, tmp_path)
    await add(db, message("$chat", "just talking, no dialogue here"))
    await process_ready(db, h.processor, h.clock)
    assert (h.sender_wakes, outbox_bodies(tmp_path)) == (0, [])

    await add(db, message("$ping", "!dialogue ping"))
    await process_ready(db, h.processor, h.clock)
    assert (h.sender_wakes, outbox_bodies(tmp_path)) == (1, ["pong"])


async def test_the_agenda_is_rebuilt_after_agenda_commands_and_scheduled_actions_and_nothing_else(db, tmp_path):
    h = Harness(db, tmp_path)
    not_agenda = [
        "!!! urgent: the agenda must change",  # starts with "!", but is no command
        "!dialoguex schedule 1 in 10m",  # not the prefix
        "!dialogue ping",  # a command that plans nothing
        "!dialogue start Strengthening the norms",
        "!dialogue challenge add Transfers ; What do transfers mean?",
        "!dialogue schedule 7 in 10m",  # refused: there is no challenge 7
    ]
    for index, body in enumerate(not_agenda):
        await add(db, message(f"$n{index}", body, sender=MODERATOR, ts=2_000_000 + index))
        await process_ready(db, h.processor, h.clock)
        assert h.agenda_rebuilds == 0, body

    await add(db, message("$schedule", "!dialogue schedule 1 in 10m", sender=MODERATOR, ts=2_000_100))
    await process_ready(db, h.processor, h.clock)
    assert h.agenda_rebuilds == 1
    assert outbox_bodies(tmp_path)[-1].startswith("Challenge 1 opens")

    action = PlannedAction("open", 1, ROOM, due=1_600.0, run_at=1_600.0)
    await add(
        db, NewInboxEvent(event_id=action.event_id, room_id=ROOM, source=action.inbox_source(), origin="scheduled")
    )
    await process_ready(db, h.processor, h.clock)
    assert h.agenda_rebuilds == 2
    assert outbox_bodies(tmp_path)[-1].startswith("Challenge 1: Transfers")


def test_the_commands_that_change_the_agenda_are_those_that_change_what_the_scheduler_plans():
    declared = {command.name for command in build_registry() if command.changes_agenda}
    assert declared == {
        "open",
        "close",
        "end",
        "challenge remove",
        "schedule",
        "unschedule",
        "timezone",
        "reminder",
        "digest",
        "consensus",  # its window's closing is announced by a timer
    }


# ------------------------------------------------------------------ slow work


class HeldRunner:
    """Slow work the test holds: each request waits until `release` is set."""

    def __init__(self, result: object = b"name,affiliation\n", error: BaseException | None = None) -> None:
        self.requests: list[object] = []
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self._result = result
        self._error = error

    async def __call__(self, request: object) -> object:
        self.requests.append(request)
        self.started.set()
        await self.release.wait()
        if self._error is not None:
            raise self._error
        return self._result


async def fetch_the_file(call, tx) -> Reply:
    """A command that needs a file: it writes a mark first, so a run whose writes were kept would show twice."""
    await tx.once.mark("runs", call.event.event_id + str(call.now), call.now)
    try:
        data = await call.slow_work.fetch_attachment(call.room.room_id, "$file")
    except AttachmentError as problem:
        return Reply.plain(f"no file: {problem}")
    return Reply.plain(f"got {len(data)} bytes")


def registry_with_fetch() -> CommandRegistry:
    return CommandRegistry(
        [
            Command("fetch", "needs a file", fetch_the_file, parse=rest_of_line),
            Command("ping", "answers", ping),
        ]
    )


def runs_committed(tmp_path) -> int:
    with sqlite3.connect(tmp_path / "bot.db") as conn:
        return conn.execute("SELECT COUNT(*) FROM once_markers WHERE scope = 'runs'").fetchone()[0]


async def test_slow_work_runs_outside_the_transaction_while_other_senders_events_are_handled(db, tmp_path):
    runner = HeldRunner()
    h = Harness(db, tmp_path, registry_with_fetch(), runner)
    await add(db, message("$fetch", "!dialogue fetch", ts=2_000_000))
    await add(db, message("$later", "!dialogue ping", ts=2_000_001))  # the same sender's next event
    await add(db, message("$bob", "!dialogue ping", sender="@bob:test", ts=2_000_002))
    async with db.transaction() as tx:
        rows = {row.event_id: row for row in await tx.inbox.next_ready(h.clock())}

    await h.processor.process(rows["$fetch"])
    await asyncio.wait_for(runner.started.wait(), TIMEOUT)
    # The work is under way and the database is free: nothing of the first run was kept, the event is pending.
    assert inbox_state(tmp_path, "$fetch") == "pending"
    assert (runs_committed(tmp_path), outbox_bodies(tmp_path)) == (0, [])
    assert h.processor.is_held(rows["$fetch"]) and h.processor.is_held(rows["$later"])
    assert not h.processor.is_held(rows["$bob"])
    await h.processor.process(rows["$bob"])
    assert outbox_bodies(tmp_path) == ["pong"]

    runner.release.set()
    await asyncio.wait_for(h.processor.wait_for_slow_work(), TIMEOUT)
    assert outbox_bodies(tmp_path) == ["pong", "got 17 bytes"]
    assert (inbox_state(tmp_path, "$fetch"), runs_committed(tmp_path)) == ("done", 1)
    assert not h.processor.is_held(rows["$later"])
    assert h.sender_wakes == 2
    assert runner.requests == [FetchAttachment(ROOM, "$file")]


async def test_the_processor_loop_goes_on_past_an_event_held_by_slow_work_and_returns_to_it(db, tmp_path):
    runner = HeldRunner()
    h = Harness(db, tmp_path, registry_with_fetch(), runner)
    h.processor.wake()
    loop = asyncio.create_task(h.processor.run())
    try:
        await add(
            db, message("$fetch", "!dialogue fetch", ts=2_000_000), message("$later", "!dialogue ping", ts=2_000_001)
        )
        await asyncio.wait_for(runner.started.wait(), TIMEOUT)
        await add(db, message("$bob", "!dialogue ping", sender="@bob:test", ts=2_000_002))
        h.processor.wake()
        await h.until_queued(lambda: outbox_bodies(tmp_path) == ["pong"])
        assert inbox_state(tmp_path, "$later") == "pending"  # waits behind its sender's slow command

        runner.release.set()
        await h.until_queued(lambda: len(outbox_bodies(tmp_path)) == 3)
        assert outbox_bodies(tmp_path) == ["pong", "got 17 bytes", "pong"]
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)


async def test_stopping_between_the_two_runs_loses_nothing_and_the_next_start_does_it_once(db, tmp_path):
    held = HeldRunner()
    first = Harness(db, tmp_path, registry_with_fetch(), held)
    await add(db, message("$fetch", "!dialogue fetch"))
    first.processor.wake()
    loop = asyncio.create_task(first.processor.run())
    await asyncio.wait_for(held.started.wait(), TIMEOUT)
    loop.cancel()  # shutdown (or a crash) while the download is under way
    await asyncio.gather(loop, return_exceptions=True)
    assert inbox_state(tmp_path, "$fetch") == "pending"
    assert outbox_bodies(tmp_path) == []

    prompt = HeldRunner()
    prompt.release.set()
    second = Harness(db, tmp_path, registry_with_fetch(), prompt)
    await process_ready(db, second.processor, second.clock)
    await asyncio.wait_for(second.processor.wait_for_slow_work(), TIMEOUT)
    assert outbox_bodies(tmp_path) == ["got 17 bytes"]
    assert (inbox_state(tmp_path, "$fetch"), runs_committed(tmp_path)) == ("done", 1)


async def test_a_file_that_cannot_be_had_is_an_answer_not_a_failure(db, tmp_path):
    runner = HeldRunner(error=AttachmentError("The file took too long to download; try again."))
    runner.release.set()
    h = Harness(db, tmp_path, registry_with_fetch(), runner)
    await add(db, message("$fetch", "!dialogue fetch"))
    await process_ready(db, h.processor, h.clock)
    await asyncio.wait_for(h.processor.wait_for_slow_work(), TIMEOUT)
    assert outbox_bodies(tmp_path) == ["no file: The file took too long to download; try again."]
    assert inbox_state(tmp_path, "$fetch") == "done"


async def test_slow_work_that_fails_is_retried_then_quarantined_with_a_reference(db, tmp_path):
    runner = HeldRunner(error=RuntimeError("compiler bug"))
    runner.release.set()
    h = Harness(db, tmp_path, registry_with_fetch(), runner)
    await add(db, message("$fetch", "!dialogue fetch"))
    for _ in range(3):
        assert await process_ready(db, h.processor, h.clock) == 1
        await asyncio.wait_for(h.processor.wait_for_slow_work(), TIMEOUT)
        h.clock.now += 10
    assert inbox_state(tmp_path, "$fetch") == "quarantined"
    assert len(runner.requests) == 3
    [notice] = outbox_bodies(tmp_path)
    assert re.search(r"reference [0-9A-F]{6}", notice)
    assert runs_committed(tmp_path) == 0


async def fetch_the_current_file(call, tx) -> Reply:
    """A command whose work depends on stored state (which file is current), read in each run."""
    current = await tx.state.get("current file") or "$first"
    data = await call.slow_work.fetch_attachment(call.room.room_id, current)
    return Reply.plain(f"{current}: {data.decode()}")


async def test_when_what_the_work_depends_on_changed_meanwhile_the_work_is_done_again(db, tmp_path):
    class Files(HeldRunner):
        async def __call__(self, request: object) -> object:
            await super().__call__(request)
            assert isinstance(request, FetchAttachment)
            return request.event_id.encode()

    runner = Files()
    registry = CommandRegistry([Command("fetch", "needs the current file", fetch_the_current_file)])
    h = Harness(db, tmp_path, registry, runner)
    await add(db, message("$fetch", "!dialogue fetch"))
    await process_ready(db, h.processor, h.clock)
    await asyncio.wait_for(runner.started.wait(), TIMEOUT)
    async with db.transaction() as tx:
        await tx.state.set("current file", "$second")  # changed while the first download runs
    runner.release.set()
    await asyncio.wait_for(h.processor.wait_for_slow_work(), TIMEOUT)

    assert runner.requests == [FetchAttachment(ROOM, "$first"), FetchAttachment(ROOM, "$second")]
    assert outbox_bodies(tmp_path) == ["$second: $second"]


async def test_a_dialogue_purged_while_its_draft_compiles_gets_a_refusal_and_no_draft(db, tmp_path):
    runner = HeldRunner()
    compile_for_real = local_runner()

    async def compile_after_release(request: object) -> object:
        await runner(request)
        return await compile_for_real(request)  # type: ignore[arg-type]

    h = Harness(db, tmp_path, runner=compile_after_release)
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "Norms", b"s" * 32, 1_000.0)
        challenge = await tx.challenges.add(dialogue.id, "Transfers", "What do transfers mean?")
        for index, text in enumerate(["Transfers must be challenged.", "Survivors need assistance."]):
            await tx.contributions.add(
                dialogue_id=dialogue.id,
                challenge_id=challenge.id,
                member_key=f"key-{index}",
                text=text,
                channel="thread",
                event_id=f"$c{index}",
                room_id=ROOM,
                origin_ts=0,
                now=1_000.0,
            )
    await add(db, message("$themes", "!dialogue themes 1", sender=MODERATOR))
    await process_ready(db, h.processor, h.clock)
    await asyncio.wait_for(runner.started.wait(), TIMEOUT)
    assert [type(request) for request in runner.requests] == [CompileSynopsis]
    async with db.transaction() as tx:
        await tx.synopses.purge(dialogue.id, 1_001.0)
    runner.release.set()
    await asyncio.wait_for(h.processor.wait_for_slow_work(), TIMEOUT)

    bodies = outbox_bodies(tmp_path)
    assert "This dialogue was purged: only its adopted synopsis remains." in bodies
    assert not [body for body in bodies if "Transfers must be challenged" in body]
    assert len(runner.requests) == 1  # the second run saw the purge before asking to compile again
    assert inbox_state(tmp_path, "$themes") == "done"
