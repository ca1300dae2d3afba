"""Contributions a storage test stores as its arrangement, with the fields it does not look at filled in."""

from __future__ import annotations

from storage import Contribution
from storage.transaction import Transaction

ROOM = "!room:example.org"


async def add_contribution(
    tx: Transaction,
    dialogue_id: int,
    challenge_id: int,
    event_id: str,
    *,
    member_key: str = "k1",
    text: str = "t",
    origin_ts: int = 1,
    now: float = 1.0,
    scrubbed: bool = False,
) -> Contribution:
    """Store the thread message ``event_id`` in ROOM as a contribution (by ``k1`` unless told otherwise)."""
    return await tx.contributions.add(
        dialogue_id=dialogue_id,
        challenge_id=challenge_id,
        member_key=member_key,
        text=text,
        channel="thread",
        event_id=event_id,
        room_id=ROOM,
        origin_ts=origin_ts,
        now=now,
        scrubbed=scrubbed,
    )
