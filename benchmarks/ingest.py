"""How many contributions a second go through inbox -> handler -> store, against raw SQLite `executemany`?

Run: .venv/bin/python benchmarks/ingest.py [--rows N] [--dir PATH]

Builds a dialogue with one open challenge in a fresh bot.db, then, in one run:
- the bot's path: N messages in the room (its one open challenge takes them) from 300 participants are stored in
  the inbox in batches of 100 (as one sync's events are), and the real inbox processor (bot/processor.py) takes
  them in its fair order and handles them several to a transaction (bot/batching.py): for each, the contribution
  handler (language detection, scrubbing, the contribution and its event stored, the ✅ reaction put in the outbox)
  and the event marked done;
- the ceiling: the same N rows written into the same `contributions` and `contribution_events` tables of another
  bot.db of the same schema by `sqlite3.executemany` in one transaction, with nothing else.
Prints rows per second for each and the share of the ceiling the bot reaches.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import aiosqlite
from nio import MatrixRoom

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.compile_speed import synthetic_input
from bot.processor import InboxProcessor
from bot.room_state import RoomDirectory
from config import Settings
from handlers.context import BotInfo
from handlers.registry import build_registry
from storage import Database, InboxRow, NewInboxEvent
from storage.session import Session

ROOM = "!dialogue:bench"
BOT = "@bot:bench"
MODERATOR = "@mod:bench"
PROMPT = "$prompt"
PEOPLE = 300
BATCH = 100


class Client:
    """The little of nio's client the processor reads: its user ID and the rooms it knows."""

    def __init__(self) -> None:
        room = MatrixRoom(ROOM, BOT)
        room.power_levels.users[MODERATOR] = 100
        self.user_id = BOT
        self.rooms = {ROOM: room}
        self.olm = None


def texts(count: int) -> list[str]:
    return [item.text for item in synthetic_input(count, 1).contributions]


def contribution(index: int, text: str) -> NewInboxEvent:
    event_id = f"$c{index}"
    source = {
        "event_id": event_id,
        "sender": f"@p{index % PEOPLE}:bench",
        "type": "m.room.message",
        "origin_server_ts": 1_796_000_000_000 + index,
        "content": {"msgtype": "m.text", "body": text},
    }
    return NewInboxEvent(event_id=event_id, room_id=ROOM, source=source)


async def new_dialogue(path: Path) -> tuple[int, int]:
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            dialogue = await tx.dialogues.create(ROOM, "Benchmark", b"s" * 32, time.time())
            challenge = await tx.challenges.add(dialogue.id, "Transfers", "What do transfers mean?")
            await tx.challenges.open(challenge.id, PROMPT, time.time())
        return dialogue.id, challenge.id
    finally:
        await db.close()


STATEMENTS = [0]  # SQL statements the bot's path ran
CPU = [0.0]  # CPU seconds of the bot's path, every thread of the process
TRIPS = [0]  # round trips to a worker thread and back: aiosqlite's (BEGIN, COMMIT, statements) and asyncio.to_thread


def count_statements() -> None:
    for name in ("execute", "executemany", "fetchall"):
        original = getattr(Session, name)

        async def counted(self: Session, *args: object, _original: object = original) -> object:
            STATEMENTS[0] += 1
            return await _original(self, *args)  # type: ignore[operator]

        setattr(Session, name, counted)
    to_database = aiosqlite.Connection._execute

    async def database_trip(self: aiosqlite.Connection, *args: object, **kwargs: object) -> object:
        TRIPS[0] += 1
        return await to_database(self, *args, **kwargs)  # type: ignore[arg-type]

    aiosqlite.Connection._execute = database_trip  # type: ignore[method-assign]
    to_thread = asyncio.to_thread

    async def thread_trip(function: object, /, *args: object, **kwargs: object) -> object:
        TRIPS[0] += 1
        return await to_thread(function, *args, **kwargs)  # type: ignore[arg-type]

    asyncio.to_thread = thread_trip  # type: ignore[assignment]


async def ready(db: Database) -> list[InboxRow]:
    async with db.transaction() as tx:
        return await tx.inbox.next_ready(time.time())


async def through_the_bot(folder: Path, lines: list[str]) -> float:
    path = folder / "bot" / "bot.db"
    path.parent.mkdir()
    await new_dialogue(path)
    settings = Settings.model_validate(
        {"matrix": {"homeserver": "http://127.0.0.1:1", "user_id": BOT, "password": "x"}, "bot": {"data_dir": folder}}
    )
    db = await Database.open(path)
    processor = InboxProcessor(
        Client(),  # type: ignore[arg-type]
        db,
        settings,
        build_registry(),
        BotInfo(user_id=BOT, version="bench", started_at=0.0, encryption_enabled=False),
        RoomDirectory(),
        on_outbox_changed=lambda: None,
    )
    events = [contribution(index, text) for index, text in enumerate(lines)]
    # A running bot has loaded language detection and built its scrubbing patterns long before a burst comes: one
    # contribution first, untimed, so the figures are those of the steady state (a cold start adds about a second).
    warm_up = contribution(len(lines), "A first contribution, before the burst.")
    async with db.transaction() as tx:
        await tx.inbox.add([warm_up], time.time())
    await processor.process_ready(await ready(db))
    count_statements()
    started = time.perf_counter()
    cpu_started = time.process_time()
    for start in range(0, len(events), BATCH):
        async with db.transaction() as tx:
            await tx.inbox.add(events[start : start + BATCH], time.time())
    while True:
        rows = await ready(db)
        if not rows:
            break
        await processor.process_ready(rows)
    elapsed = time.perf_counter() - started
    CPU[0] = time.process_time() - cpu_started
    async with db.transaction() as tx:
        stored = await tx.contributions.for_dialogue(1)
        counts = await tx.inbox.counts()
    await db.close()
    if len(stored) != len(lines) + 1:
        raise SystemExit(f"only {len(stored)} of {len(lines) + 1} contributions stored (inbox: {counts})")
    return elapsed


def raw_executemany(folder: Path, lines: list[str], dialogue_id: int, challenge_id: int) -> float:
    connection = sqlite3.connect(folder / "raw" / "bot.db", isolation_level=None)
    rows = [
        (
            dialogue_id,
            challenge_id,
            f"R{index}",
            f"k{index % PEOPLE}",
            text,
            "thread",
            f"e{index}",
            "r",
            1.0,
            index,
            "en",
        )
        for index, text in enumerate(lines)
    ]
    started = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO contributions (dialogue_id, challenge_id, ref, member_key, text, channel, event_ref, room_ref,"
        " created_at, origin_ts, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.executemany(
        "INSERT INTO contribution_events (event_ref, contribution_id)"
        " SELECT event_ref, id FROM contributions WHERE event_ref = ?",
        [(row[6],) for row in rows],
    )
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


async def main(count: int, base: Path | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="ingest-bench-", dir=base))
    lines = texts(count)
    (folder / "raw").mkdir()
    dialogue_id, challenge_id = await new_dialogue(folder / "raw" / "bot.db")
    raw = raw_executemany(folder, lines, dialogue_id, challenge_id)
    bot = await through_the_bot(folder, lines)
    print(f"rows: {count}")
    print(f"raw sqlite3 executemany, one transaction: {count / raw:,.0f} rows/s ({raw * 1000:.0f} ms)")
    print(f"inbox -> processor -> handler -> store:   {count / bot:,.0f} rows/s ({bot:.2f} s)")
    print(f"SQL statements per contribution on the bot's path: {STATEMENTS[0] / count:.1f}")
    print(f"round trips to a worker thread per contribution: {TRIPS[0] / count:.1f}")
    print(f"CPU time per contribution: {1000 * CPU[0] / count:.2f} ms (wall: {1000 * bot / count:.2f} ms)")
    print(f"the bot's path reaches {100 * raw / bot:.2f}% of the raw rate")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000)
    parser.add_argument("--dir", type=Path, default=None, help="where the databases go (default: a temporary folder)")
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.dir))
