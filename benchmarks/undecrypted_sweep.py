"""What does the sweep over events awaiting keys cost the sync loop? Time of one cycle and of a whole sweep.

Run: .venv/bin/python benchmarks/undecrypted_sweep.py

After every sync the sync loop hands over to `bot/undecrypted.py`, which visits at most `ROWS_PER_CYCLE` events
awaiting keys (reading them, checking nio's key store, asking for keys, telling senders whose notice is due). This
fills an inbox with 10,000 and 50,000 events that can never be decrypted (20 senders, one megolm session each, all
sent after the bot joined), uses a real nio client with its olm machine (no homeserver: the key requests are taken
off nio's queue instead of sent), and prints the median time of one cycle and the time of a whole sweep, first with
no notice due, then with every notice due (the first sweep queues one direct message per sender, later ones only
find the markers).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nio import AsyncClient, AsyncClientConfig

from bot.undecrypted import ROWS_PER_CYCLE, UndecryptedEvents
from config import Settings
from storage import Database, NewInboxEvent

BOT = "@bot:example.org"
ROOM = "!room:example.org"
SENDERS = 20
JOINED_AT_MS = 1_700_000_000_000


def backlog(count: int) -> list[NewInboxEvent]:
    events = []
    for n in range(count):
        sender = n % SENDERS
        source = {
            "type": "m.room.encrypted",
            "event_id": f"$e{n}",
            "sender": f"@person{sender}:example.org",
            "origin_server_ts": JOINED_AT_MS + n,
            "room_id": ROOM,
            "content": {
                "algorithm": "m.megolm.v1.aes-sha2",
                "ciphertext": "A" * 400,
                "session_id": f"session{sender}",
                "sender_key": f"curve{sender}",
                "device_id": f"DEVICE{sender}",
            },
        }
        events.append(NewInboxEvent(f"$e{n}", ROOM, source, awaiting_key=True))
    return events


def nio_client(store: Path) -> AsyncClient:
    store.mkdir()
    config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False, pickle_key="benchmark")
    client = AsyncClient("http://127.0.0.1:1", BOT, device_id="BOTDEVICE", store_path=str(store), config=config)
    client.restore_login(BOT, "BOTDEVICE", "token")

    async def take_requests_off_the_queue() -> list[Any]:
        client.olm.outgoing_to_device_messages.clear()
        return []

    client.send_to_device_messages = take_requests_off_the_queue  # type: ignore[method-assign]
    return client


def settings(data_dir: Path, notice_minutes: float) -> Settings:
    return Settings.model_validate(
        {
            "matrix": {"homeserver": "http://127.0.0.1:1", "user_id": BOT, "password": "x"},
            "bot": {"data_dir": data_dir, "undecryptable_notice_minutes": notice_minutes},
        }
    )


async def sweep(events: UndecryptedEvents, clock: list[float]) -> tuple[list[float], int]:
    """Cycles of one whole sweep (the first asked for by arriving keys); their durations, and how many."""
    timings = []
    keys_arrived = True
    while True:
        started = time.perf_counter()
        await events.after_sync([], keys_may_have_arrived=keys_arrived)
        timings.append(time.perf_counter() - started)
        keys_arrived = False
        if not events.sweeping:
            return timings, len(timings)
        clock[0] += 1


async def measure(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        db = await Database.open(base / "bot.db")
        client = nio_client(base / "store")
        try:
            async with db.transaction() as tx:
                await tx.rooms.set_joined(ROOM, JOINED_AT_MS)
                await tx.inbox.add(backlog(count), now=0.0)
            clock = [0.0]
            for label, notice_minutes in (("no notice due", 10**6), ("every notice due", 1)):
                clock[0] = 10_000.0
                events = UndecryptedEvents(
                    client,
                    db,
                    settings(base, notice_minutes),
                    on_decrypted=lambda: None,
                    on_outbox_changed=lambda: None,
                    clock=lambda: clock[0],
                    monotonic=lambda: clock[0],
                )
                for run in ("first", "second"):
                    timings, cycles = await sweep(events, clock)
                    print(
                        f"{count:>6} awaiting, {label:<16} {run:<6} sweep: {cycles:>3} cycles of <= {ROWS_PER_CYCLE}, "
                        f"median cycle {statistics.median(timings) * 1000:6.0f} ms, "
                        f"whole sweep {sum(timings):5.1f} s"
                    )
        finally:
            await client.close()
            await db.close()


async def main() -> None:
    for count in (10_000, 50_000):
        await measure(count)


if __name__ == "__main__":
    asyncio.run(main())
