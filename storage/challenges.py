"""Challenges: the numbered questions a dialogue works through, each answered in its own thread.

A challenge is 'pending' until its prompt is posted, then 'open', then 'closed'. Numbers count up per
dialogue and are never reused, not even after a challenge is removed.
"""

from __future__ import annotations

import builtins
import logging
from dataclasses import dataclass

from dialogue.vocabulary import ChallengeState, EventId, RoomId
from storage.errors import RowNotFoundError
from storage.session import Row, Session

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Challenge:
    """A challenge. ``prompt_txn_id`` is the outbox transaction its prompt was (or is being) sent with."""

    id: int
    dialogue_id: int
    number: int
    title: str
    prompt: str
    state: ChallengeState
    prompt_txn_id: str | None
    opened_at: float | None
    closed_at: float | None


_COLUMNS = "id, dialogue_id, number, title, prompt, state, prompt_txn_id, opened_at, closed_at"
_C_COLUMNS = ", ".join(f"c.{column}" for column in _COLUMNS.split(", "))  # the same, in a join aliased `c`


def _row(row: Row) -> Challenge:
    return Challenge(
        id=row["id"],
        dialogue_id=row["dialogue_id"],
        number=row["number"],
        title=row["title"],
        prompt=row["prompt"],
        state=ChallengeState(row["state"]),
        prompt_txn_id=row["prompt_txn_id"],
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
    )


class ChallengesRepository:
    """Challenge operations within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def add(self, dialogue_id: int, title: str, prompt: str) -> Challenge:
        """Add a pending challenge with the dialogue's next number (one more than any number ever used)."""
        number = await self._session.scalar(
            "UPDATE dialogues SET next_challenge_number = next_challenge_number + 1 WHERE id = ? "
            "RETURNING next_challenge_number - 1",
            (dialogue_id,),
        )
        if number is None:
            raise RowNotFoundError(f"no dialogue with id {dialogue_id}")
        row = await self._session.fetchone(
            "INSERT INTO challenges (dialogue_id, number, title, prompt, state) "
            f"VALUES (?, ?, ?, ?, 'pending') RETURNING {_COLUMNS}",
            (dialogue_id, number, title, prompt),
        )
        if row is None:  # RETURNING always yields the inserted row
            raise RowNotFoundError("inserting a challenge returned no row")
        challenge = _row(row)
        logger.debug("challenges: added %d (number %d) to dialogue %d", challenge.id, number, dialogue_id)
        return challenge

    async def update(self, challenge_id: int, title: str, prompt: str) -> None:
        """Replace a challenge's title and prompt (an already posted prompt is not changed by this)."""
        changed = await self._session.execute(
            "UPDATE challenges SET title = ?, prompt = ? WHERE id = ?", (title, prompt, challenge_id)
        )
        _require(changed, challenge_id)

    async def remove(self, challenge_id: int) -> None:
        """Delete a challenge with its contributions, their edit records and support; its number stays used."""
        changed = await self._session.execute("DELETE FROM challenges WHERE id = ?", (challenge_id,))
        _require(changed, challenge_id)
        logger.debug("challenges: removed %d", challenge_id)

    async def get(self, challenge_id: int) -> Challenge | None:
        """The challenge with this id, in any state."""
        row = await self._session.fetchone(f"SELECT {_COLUMNS} FROM challenges WHERE id = ?", (challenge_id,))
        return None if row is None else _row(row)

    async def by_number(self, dialogue_id: int, number: int) -> Challenge | None:
        """The dialogue's challenge with this number, as moderators refer to it."""
        row = await self._session.fetchone(
            f"SELECT {_COLUMNS} FROM challenges WHERE dialogue_id = ? AND number = ?", (dialogue_id, number)
        )
        return None if row is None else _row(row)

    async def open(self, challenge_id: int, prompt_txn_id: str, now: float) -> None:
        """Mark a challenge open, its prompt queued as ``prompt_txn_id``; re-opening clears ``closed_at``."""
        changed = await self._session.execute(
            "UPDATE challenges SET state = 'open', prompt_txn_id = ?, opened_at = ?, closed_at = NULL WHERE id = ?",
            (prompt_txn_id, now, challenge_id),
        )
        _require(changed, challenge_id)
        logger.debug("challenges: opened %d", challenge_id)

    async def close(self, challenge_id: int, now: float) -> None:
        """Mark a challenge closed: it takes no more contributions."""
        changed = await self._session.execute(
            "UPDATE challenges SET state = 'closed', closed_at = ? WHERE id = ?", (now, challenge_id)
        )
        _require(changed, challenge_id)
        logger.debug("challenges: closed %d", challenge_id)

    async def open_in_dialogue(self, dialogue_id: int) -> builtins.list[Challenge]:
        """The dialogue's open challenges, by number."""
        rows = await self._session.fetchall(
            f"SELECT {_COLUMNS} FROM challenges WHERE dialogue_id = ? AND state = 'open' ORDER BY number",
            (dialogue_id,),
        )
        return [_row(row) for row in rows]

    async def by_thread_root(self, room_id: RoomId, root_event_id: EventId) -> Challenge | None:
        """The challenge (in any state) whose prompt was sent to ``room_id`` as event ``root_event_id``.

        The prompt goes out through the outbox, which records the event id once it is sent; a reply in a
        thread names that event as its root.
        """
        row = await self._session.fetchone(
            f"SELECT {_C_COLUMNS} FROM outbox o JOIN challenges c ON c.prompt_txn_id = o.txn_id "
            "WHERE o.event_id = ? AND o.destination_kind = 'room' AND o.destination = ? ORDER BY c.id LIMIT 1",
            (root_event_id, room_id),
        )
        return None if row is None else _row(row)

    # Last, so that inside the class body `list` still means the builtin everywhere above.
    async def list(self, dialogue_id: int) -> builtins.list[Challenge]:
        """All the dialogue's challenges, in any state, by number."""
        rows = await self._session.fetchall(
            f"SELECT {_COLUMNS} FROM challenges WHERE dialogue_id = ? ORDER BY number", (dialogue_id,)
        )
        return [_row(row) for row in rows]


def _require(changed: int, challenge_id: int) -> None:
    if changed == 0:
        raise RowNotFoundError(f"no challenge with id {challenge_id}")
