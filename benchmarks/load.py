"""50 participants post 1,000 contributions through a real Synapse: how many reach the store, and how fast?

Run: .venv/bin/python benchmarks/load.py [--participants N] [--contributions M]

Starts a throwaway Synapse (devserver/) and the bot as a process (devserver/bot_process.py, encryption on, as
deployed), a moderator who opens a dialogue with one challenge in an unencrypted room, and N participants (50 by
default, each exempt from Synapse's message rate limit, as the bot is) who all post at once, M contributions in all
(1,000 by default), each participant its share one after another, through the client-server API.

Printed:
- the homeserver's own send rate: M over the time from the first send to the last send's answer (the ceiling:
  the bot cannot store contributions faster than Synapse takes them);
- how many of the M contributions are stored once the bot is idle again (0 lost is the aim);
- receipt to durable, per contribution: from the time the bot wrote the event into its inbox (the durable receipt,
  `inbox.received_at`) to the time the contribution handler stored it (`contributions.created_at`, set in the
  transaction that commits it), median, 95th percentile and worst; and the same from Synapse's own timestamp
  (`origin_server_ts`), which adds the sync's delivery;
- how long after the last send the last contribution was stored.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.compile_speed import synthetic_input
from devserver.bot_process import BotProcess
from devserver.synapse import SynapseServer
from privacy.pseudonym import matrix_id_reference

SETTLE_TIMEOUT = 300.0


class Client:
    """One account on the homeserver, over plain HTTP (no end-to-end encryption: the room is unencrypted)."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self._session = session
        self._url = url
        self._headers = {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        async with self._session.request(
            method, f"{self._url}/_matrix/client/v3{path}", json=body or {}, headers=self._headers
        ) as response:
            data = await response.json()
            if response.status != 200:
                raise RuntimeError(f"{method} {path}: {response.status} {data}")
            return data  # type: ignore[no-any-return]

    async def send(self, room_id: str, body: str) -> str:
        txn = secrets.token_hex(8)
        answer = await self.call(
            "PUT", f"/rooms/{room_id}/send/m.room.message/{txn}", {"msgtype": "m.text", "body": body}
        )
        return str(answer["event_id"])


def account(synapse: SynapseServer, name: str) -> tuple[str, str]:
    password = secrets.token_urlsafe(12)
    user_id = synapse.register(f"{name}-{secrets.token_hex(3)}", password)
    synapse.exempt_from_rate_limits(user_id)
    return user_id, synapse.login(user_id, password)


def read_db(path: Path, query: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return connection.execute(query, parameters).fetchall()
    finally:
        connection.close()


async def until(check: Any, what: str, timeout: float = SETTLE_TIMEOUT) -> Any:  # noqa: ASYNC109
    """Poll `check` (a blocking read of the bot's database, in a thread) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = await asyncio.to_thread(check)
        if result:
            return result
        await asyncio.sleep(0.2)
    raise SystemExit(f"gave up waiting for {what}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def main(participants: int, contributions: int) -> None:
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        synapse = SynapseServer(Path(tmp) / "synapse")
        await asyncio.to_thread(synapse.start)
        bot = await asyncio.to_thread(BotProcess.create, synapse, Path(tmp) / "bot", log_level="WARNING")
        db = bot.data_dir / "bot.db"
        try:
            bot.start_sync()
            _, moderator_token = await asyncio.to_thread(account, synapse, "mod")
            people = [await asyncio.to_thread(account, synapse, f"p{n}") for n in range(participants)]
            async with aiohttp.ClientSession() as session:
                moderator = Client(session, synapse.url, moderator_token)
                clients = [Client(session, synapse.url, token) for _, token in people]
                room = (
                    await moderator.call(
                        "POST",
                        "/createRoom",
                        {"preset": "private_chat", "invite": [bot.user_id] + [u for u, _ in people]},
                    )
                )["room_id"]
                await asyncio.gather(*(client.call("POST", f"/join/{room}") for client in clients))
                await until(
                    lambda: read_db(db, "SELECT 1 FROM rooms WHERE room_id = ?", (room,)) if db.exists() else None,
                    "the bot to join",
                )
                await moderator.send(room, "!dialogue start Load")
                await until(lambda: read_db(db, "SELECT 1 FROM dialogues"), "the dialogue to start")
                await moderator.send(room, "!dialogue challenge add Transfers ; What do transfers mean?")
                await until(lambda: read_db(db, "SELECT 1 FROM challenges"), "the challenge")
                await moderator.send(room, "!dialogue open 1")
                await until(lambda: read_db(db, "SELECT 1 FROM challenges WHERE state = 'open'"), "the challenge open")

                texts = [item.text for item in synthetic_input(contributions, 1).contributions]
                shares = [texts[n::participants] for n in range(participants)]

                async def post(client: Client, lines: list[str]) -> list[str]:
                    return [await client.send(room, line) for line in lines]

                first_send = time.monotonic()
                sent_ids = await asyncio.gather(*(post(c, s) for c, s in zip(clients, shares, strict=True)))
                last_send, last_send_wall = time.monotonic(), time.time()

            def all_stored() -> int:
                (count,) = read_db(db, "SELECT count(*) FROM contributions")[0]
                pending = read_db(db, "SELECT count(*) FROM inbox WHERE state IN ('pending', 'awaiting_key')")[0][0]
                return (
                    count
                    if count >= contributions or (count and not pending and time.monotonic() > last_send + 30)
                    else 0
                )

            stored = await until(all_stored, "the contributions to be stored")
            secret = bytes(read_db(db, "SELECT secret FROM dialogues")[0][0])
            received = dict(read_db(db, "SELECT event_id, received_at FROM inbox"))
            by_ref = {
                ref: (created, origin / 1000)
                for ref, created, origin in read_db(db, "SELECT event_ref, created_at, origin_ts FROM contributions")
            }
        finally:
            await asyncio.to_thread(bot.stop_sync)
            await asyncio.to_thread(synapse.stop)

    event_ids = [event_id for ids in sent_ids for event_id in ids]
    from_receipt, from_server = [], []
    for event_id in event_ids:
        found = by_ref.get(matrix_id_reference(secret, "event", event_id))
        if found is not None and event_id in received:
            from_receipt.append(found[0] - received[event_id])
            from_server.append(found[0] - found[1])
    print(f"participants: {participants}, contributions sent: {len(event_ids)}")
    sending = last_send - first_send
    print(f"homeserver send rate (the ceiling): {len(event_ids) / sending:.0f}/s over {sending:.1f}s")
    print(f"stored: {stored}, lost: {len(event_ids) - len(from_receipt)}")
    print(f"last stored {max(created for created, _ in by_ref.values()) - last_send_wall:.1f}s after the last send")
    for name, values in (("receipt to durable", from_receipt), ("homeserver timestamp to durable", from_server)):
        print(
            f"{name}: median {statistics.median(values) * 1000:.0f} ms, p95 {percentile(values, 0.95) * 1000:.0f} ms,"
            f" worst {max(values) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--contributions", type=int, default=1_000)
    args = parser.parse_args()
    asyncio.run(main(args.participants, args.contributions))
