"""Driving the dispatcher on a real (temporary) SQLite database: a text message in, the outbox rows it queued out.

The unit tests of commands and replies share it; each builds the rooms (`RoomSnapshot`) and the dialogue it needs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handlers.context import BotInfo, RoomSnapshot
from handlers.dispatch import HandlerEnv, handle_event
from handlers.events import InboundEvent
from handlers.handler_settings import HandlerSettings
from handlers.registry import build_registry
from storage import Database, OutboxRow, RoomMessage
from tests.unit.fakes import BOT_ID, make_settings

NOW = 1_000_000.0
# One count for every event the tests make, so event IDs never repeat and timestamps only grow.
event_numbers = itertools.count(1)


def text_message(room_id: str, sender: str, body: str, **content: Any) -> InboundEvent:
    """An encrypted m.text message with a fresh event ID, later than every one made before it."""
    return InboundEvent(
        event_id=f"${next(event_numbers)}",
        room_id=room_id,
        sender=sender,
        type="m.room.message",
        content={"msgtype": "m.text", "body": body, **content},
        origin_server_ts=int(NOW * 1000) + next(event_numbers),
        was_encrypted=True,
    )


def handler_env(
    tmp_path: Path, rooms: Callable[[str], RoomSnapshot | None], *, encryption_enabled: bool = True
) -> HandlerEnv:
    """The handlers' environment: the test's settings, the real command table, the bot at `NOW`."""
    return HandlerEnv(
        settings=HandlerSettings.of(make_settings(tmp_path)),
        registry=build_registry(),
        bot=BotInfo(user_id=BOT_ID, version="test", started_at=0.0, encryption_enabled=encryption_enabled),
        now=NOW,
        rooms=rooms,
    )


async def drain_outbox(db: Database, *, until: float = NOW + 1e6, first_sent: int = 1) -> list[OutboxRow]:
    """Every row queued so far, in order, marked sent (as `$sent<n>` from `first_sent`) so the next call sees only
    new ones."""
    rows: list[OutboxRow] = []
    async with db.transaction() as tx:
        while (row := await tx.outbox.next_sendable(until)) is not None:
            rows.append(row)
            await tx.outbox.mark_sent(row.txn_id, f"$sent{first_sent + len(rows) - 1}", NOW)
    return rows


def texts(rows: list[OutboxRow]) -> list[str]:
    """The bodies of the messages among `rows`."""
    return [row.item.content.get("body", "") for row in rows if isinstance(row.item, RoomMessage)]


@dataclass
class DispatchHarness:
    db: Database
    env: HandlerEnv
    rooms: dict[str, RoomSnapshot]
    sent: list[OutboxRow] = field(default_factory=list)

    async def handle(self, event: InboundEvent) -> None:
        """Run `event` through the dispatcher in one transaction, as the processor does."""
        async with self.db.transaction() as tx:
            await handle_event(event, self.rooms[event.room_id], self.env, tx)

    async def say(self, room_id: str, sender: str, body: str, **content: Any) -> InboundEvent:
        """`sender` writes `body` in the room; returns the event."""
        message = text_message(room_id, sender, body, **content)
        await self.handle(message)
        return message

    async def outbox(self) -> list[OutboxRow]:
        """Everything queued since the last call, in order."""
        rows = await drain_outbox(self.db, first_sent=len(self.sent) + 1)
        self.sent += rows
        return rows
