"""While a synopsis compiles, how long do the rest of the bot's database work and other people's commands wait?

Run: .venv/bin/python benchmarks/slow_work_latency.py [--contributions N]

Builds a dialogue of N synthetic contributions (benchmarks/compile_speed.py's generator) in a fresh database, runs
the real inbox processor and sends it `!dialogue themes 1` from a moderator, which compiles the whole dialogue. As
soon as the compile is under way, another participant sends `!dialogue ping`, and a stand-in for the sync loop
commits a small transaction every 50 ms. Printed: how long the compile took, when the ping was answered, the
slowest of those commits while the compile ran, and the event loop's worst lag (the compile runs in a worker
thread, which still shares the interpreter lock). Before slow work moved out of the transaction, the ping and every
commit waited for the whole compile.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from nio import MatrixRoom

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.compile_speed import synthetic_input
from bot.processor import InboxProcessor
from bot.room_state import RoomDirectory
from config import Settings, SynopsisSettings
from handlers.context import BotInfo
from handlers.registry import build_registry
from handlers.slow_work import CompileSynopsis, compile_and_render, local_runner
from storage import Database, NewInboxEvent

ROOM = "!dialogue:bench"
BOT = "@bot:bench"
MODERATOR = "@mod:bench"
OTHER = "@participant:bench"


class Client:
    """The little of nio's client the processor reads: its user ID and the rooms it knows."""

    def __init__(self) -> None:
        room = MatrixRoom(ROOM, BOT)
        room.power_levels.users[MODERATOR] = 100
        self.user_id = BOT
        self.rooms = {ROOM: room}
        self.olm = None


def message(event_id: str, sender: str, body: str) -> NewInboxEvent:
    source = {
        "event_id": event_id,
        "sender": sender,
        "type": "m.room.message",
        "origin_server_ts": int(time.time() * 1000),
        "content": {"msgtype": "m.text", "body": body},
    }
    return NewInboxEvent(event_id=event_id, room_id=ROOM, source=source)


async def build_dialogue(db: Database, count: int) -> None:
    data = synthetic_input(count, 1)
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "Benchmark", b"s" * 32, time.time())
        challenge = await tx.challenges.add(dialogue.id, "Transfers", "What do transfers mean?")
        await tx.challenges.open(challenge.id, "txn-prompt", time.time())
        for index, item in enumerate(data.contributions):
            await tx.contributions.add(
                dialogue_id=dialogue.id,
                challenge_id=challenge.id,
                member_key=item.member_key,
                text=item.text,
                channel="thread",
                event_id=f"$c{index}",
                room_id=ROOM,
                origin_ts=0,
                now=time.time(),
            )


async def measure(count: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="slow-work-bench-"))
    settings = Settings.model_validate(
        {"matrix": {"homeserver": "http://127.0.0.1:1", "user_id": BOT, "password": "x"}, "bot": {"data_dir": folder}}
    )
    db = await Database.open(folder / "bot.db")
    await build_dialogue(db, count)
    compile_started = asyncio.Event()
    times: dict[str, float] = {}
    answers: list[float] = []
    local = local_runner()

    async def runner(request: Any) -> object:
        compile_started.set()
        times["compile started"] = time.perf_counter()
        result = await local(request)
        times["compile ended"] = time.perf_counter()
        return result

    processor = InboxProcessor(
        Client(),  # type: ignore[arg-type]
        db,
        settings,
        build_registry(),
        BotInfo(user_id=BOT, version="bench", started_at=0.0, encryption_enabled=False),
        RoomDirectory(),
        on_outbox_changed=lambda: answers.append(time.perf_counter()),
        slow_work_runner=runner,
    )
    loop_task = asyncio.create_task(processor.run())
    async with db.transaction() as tx:
        await tx.inbox.add([message("$themes", MODERATOR, "!dialogue themes 1")], time.time())
    processor.wake()
    await compile_started.wait()
    async with db.transaction() as tx:
        await tx.inbox.add([message("$ping", OTHER, "!dialogue ping")], time.time())
    ping_sent = time.perf_counter()
    processor.wake()
    commits: list[float] = []
    lags: list[float] = []
    while "compile ended" not in times:
        before = time.perf_counter()
        await asyncio.sleep(0.05)  # a stand-in for the sync loop's pace, not a wait for a condition
        lags.append(time.perf_counter() - before - 0.05)
        start = time.perf_counter()
        async with db.transaction() as tx:
            await tx.state.set("bench", str(start))
        commits.append(time.perf_counter() - start)
    await processor.wait_for_slow_work()
    loop_task.cancel()
    await asyncio.gather(loop_task, return_exceptions=True)
    await db.close()
    return {
        "compile_seconds": times["compile ended"] - times["compile started"],
        "ping_answered_after_seconds": answers[0] - ping_sent,
        "ping_answered_before_compile_ended": float(answers[0] < times["compile ended"]),
        "slowest_commit_ms": max(commits) * 1000,
        "commits_during_compile": float(len(commits)),
        "worst_loop_lag_ms": max(lags) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=3_000)
    args = parser.parse_args()
    # Warm up the compiler's imports and caches, so the figure is the compile's own.
    compile_and_render(CompileSynopsis(synthetic_input(50, 1), SynopsisSettings()))
    figures = asyncio.run(measure(args.contributions))
    print(f"contributions: {args.contributions}")
    for name, value in figures.items():
        print(f"{name}: {value:.3f}")


if __name__ == "__main__":
    main()
