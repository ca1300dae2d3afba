"""The outbox: a durable queue of outgoing messages.

Each message gets its Matrix transaction id when it is enqueued, before any attempt to send it. Retrying
with the same txn_id after a crash or a timeout lets the homeserver drop the duplicate, so a message is
delivered at most once even if we cannot tell whether the first attempt got through. Messages leave in
order within each room; a room that is backing off does not hold up the others.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

from storage import _json
from storage.errors import RowNotFoundError
from storage.session import Session

logger = logging.getLogger(__name__)

TXN_ID_PREFIX = "dlg"

# Each room's oldest pending message: only it may be sent, which keeps per-room order.
_HEADS = "WITH heads AS (SELECT MIN(seq) AS seq FROM outbox WHERE state = 'pending' GROUP BY room_id)"


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A message waiting to be sent."""

    seq: int
    txn_id: str
    room_id: str
    event_type: str
    content: dict[str, Any]
    attempts: int


def _row(row: sqlite3.Row) -> OutboxRow:
    content = _json.loads(row["content"])
    if content is None:  # the schema forbids this for pending rows
        raise ValueError("pending outbox row has no content")
    return OutboxRow(
        seq=row["seq"],
        txn_id=row["txn_id"],
        room_id=row["room_id"],
        event_type=row["event_type"],
        content=content,
        attempts=row["attempts"],
    )


class OutboxRepository:
    """Outbox operations within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session
        # Messages queued in this transaction, so a caller can tell whether it queued anything.
        self.enqueued = 0

    async def enqueue(self, room_id: str, event_type: str, content: dict[str, Any], now: float) -> str:
        """Queue a message and return the transaction id it will be sent with."""
        txn_id = f"{TXN_ID_PREFIX}{uuid.uuid4().hex}"
        await self._session.execute(
            "INSERT INTO outbox (txn_id, room_id, event_type, content, state, not_before, created_at) "
            "VALUES (?, ?, ?, ?, 'pending', ?, ?)",
            (txn_id, room_id, event_type, _json.dumps(content), now, now),
        )
        self.enqueued += 1
        logger.debug("outbox: queued %s", txn_id)
        return txn_id

    async def next_sendable(self, now: float) -> OutboxRow | None:
        """The message to send next: the oldest room-head whose retry time has come, if any."""
        row = await self._session.fetchone(
            f"{_HEADS} SELECT seq, txn_id, room_id, event_type, content, attempts "
            "FROM outbox JOIN heads USING (seq) WHERE not_before <= ? ORDER BY seq LIMIT 1",
            (now,),
        )
        return None if row is None else _row(row)

    async def sendable_heads(self, now: float) -> list[OutboxRow]:
        """Every room's oldest pending message whose retry time has come, oldest first (one per room)."""
        rows = await self._session.fetchall(
            f"{_HEADS} SELECT seq, txn_id, room_id, event_type, content, attempts "
            "FROM outbox JOIN heads USING (seq) WHERE not_before <= ? ORDER BY seq",
            (now,),
        )
        return [_row(row) for row in rows]

    async def mark_sent(self, txn_id: str, event_id: str, now: float) -> None:
        """Record delivery and drop the content (our messages can quote contributions; don't keep them)."""
        changed = await self._session.execute(
            "UPDATE outbox SET state = 'sent', content = NULL, event_id = ?, sent_at = ? "
            "WHERE txn_id = ? AND state = 'pending'",
            (event_id, now, txn_id),
        )
        _require(changed, txn_id)
        self._session.request_lazy_checkpoint()

    async def defer(self, txn_id: str, not_before: float, error: str) -> int:
        """Count a failed send, hold the message (and the rest of its room) until ``not_before``.

        Returns the new attempt count, so the caller can decide when to give up.
        """
        attempts = await self._session.scalar(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ? "
            "WHERE txn_id = ? AND state = 'pending' RETURNING attempts",
            (not_before, error, txn_id),
        )
        _require(0 if attempts is None else 1, txn_id)
        return int(attempts)

    async def mark_failed(self, txn_id: str, error: str) -> None:
        """Give up on a message for good, dropping its content; the room's next message becomes sendable."""
        changed = await self._session.execute(
            "UPDATE outbox SET state = 'failed', content = NULL, last_error = ? WHERE txn_id = ? AND state = 'pending'",
            (error, txn_id),
        )
        _require(changed, txn_id)
        self._session.request_lazy_checkpoint()

    async def pending_count(self) -> int:
        """How many messages are still waiting to be sent."""
        return int(await self._session.scalar("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"))

    async def next_wake_time(self) -> float | None:
        """The earliest time any room's head message may be sent, so the sender can sleep until then."""
        value = await self._session.scalar(f"{_HEADS} SELECT MIN(not_before) FROM outbox JOIN heads USING (seq)")
        return None if value is None else float(value)

    async def sent_event_id(self, txn_id: str) -> str | None:
        """The event_id the homeserver gave a sent message; None if unknown or not sent (yet)."""
        value = await self._session.scalar("SELECT event_id FROM outbox WHERE txn_id = ? AND state = 'sent'", (txn_id,))
        return None if value is None else str(value)


def _require(changed: int, txn_id: str) -> None:
    if changed == 0:
        raise RowNotFoundError(f"no pending outbox row with txn_id {txn_id}")
