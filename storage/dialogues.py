"""Dialogues: one structured conversation in one room, from start to end.

A room has at most one active dialogue at a time. Each dialogue has its own ``secret``, from which the
caller derives the pseudonymous ``member_key`` that identifies people everywhere else in storage.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from dialogue.vocabulary import DialogueState, RoomId
from storage.errors import DialogueAlreadyActiveError, RowNotFoundError
from storage.session import Row, Session

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Dialogue:
    """A dialogue. ``state`` is 'active' or 'ended'; ``ended_at`` is set exactly when it has ended."""

    id: int
    room_id: RoomId
    title: str
    state: DialogueState
    secret: bytes = field(repr=False)  # keys the member pseudonyms; keep it out of logs and tracebacks
    timezone: str | None
    created_at: float
    ended_at: float | None
    language: str | None = None  # the ISO 639-1 code its messages are written in; None is English


_COLUMNS = "id, room_id, title, state, secret, timezone, created_at, ended_at, language"


def _row(row: Row) -> Dialogue:
    return Dialogue(
        id=row["id"],
        room_id=row["room_id"],
        title=row["title"],
        state=DialogueState(row["state"]),
        secret=bytes(row["secret"]),
        timezone=row["timezone"],
        created_at=row["created_at"],
        ended_at=row["ended_at"],
        language=row["language"],
    )


class DialoguesRepository:
    """Dialogue operations within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def create(
        self, room_id: RoomId, title: str, secret: bytes, now: float, *, timezone: str | None = None
    ) -> Dialogue:
        """Start a dialogue in ``room_id``; raises DialogueAlreadyActiveError if one is already running there."""
        existing = await self.active_in_room(room_id)
        if existing is not None:
            raise DialogueAlreadyActiveError(f"room {room_id} already has an active dialogue (id {existing.id})")
        row = await self._session.fetchone(
            "INSERT INTO dialogues (room_id, title, state, secret, timezone, created_at) "
            f"VALUES (?, ?, 'active', ?, ?, ?) RETURNING {_COLUMNS}",
            (room_id, title, bytes(secret), timezone, now),
        )
        if row is None:  # RETURNING always yields the inserted row
            raise RowNotFoundError("inserting a dialogue returned no row")
        dialogue = _row(row)
        logger.debug("dialogues: created %d", dialogue.id)
        return dialogue

    async def active_in_room(self, room_id: RoomId) -> Dialogue | None:
        """The room's active dialogue, if any."""
        row = await self._session.fetchone(
            f"SELECT {_COLUMNS} FROM dialogues WHERE room_id = ? AND state = 'active'", (room_id,)
        )
        return None if row is None else _row(row)

    async def get(self, dialogue_id: int) -> Dialogue | None:
        """The dialogue with this id, active or ended."""
        row = await self._session.fetchone(f"SELECT {_COLUMNS} FROM dialogues WHERE id = ?", (dialogue_id,))
        return None if row is None else _row(row)

    async def all(self) -> list[Dialogue]:
        """Every dialogue, newest first (for the secretariat's list)."""
        rows = await self._session.fetchall(f"SELECT {_COLUMNS} FROM dialogues ORDER BY id DESC")
        return [_row(row) for row in rows]

    async def latest_in_room(self, room_id: RoomId) -> Dialogue | None:
        """The room's active dialogue, else its most recent one."""
        row = await self._session.fetchone(
            f"SELECT {_COLUMNS} FROM dialogues WHERE room_id = ? ORDER BY state = 'active' DESC, id DESC LIMIT 1",
            (room_id,),
        )
        return _row(row) if row is not None else None

    async def active(self) -> list[Dialogue]:
        """Every active dialogue, oldest first (e.g. to reschedule their jobs after a restart)."""
        rows = await self._session.fetchall(f"SELECT {_COLUMNS} FROM dialogues WHERE state = 'active' ORDER BY id")
        return [_row(row) for row in rows]

    async def set_timezone(self, dialogue_id: int, timezone: str | None) -> None:
        """Set (or, with None, clear) the IANA time zone the dialogue's times are shown and scheduled in."""
        changed = await self._session.execute("UPDATE dialogues SET timezone = ? WHERE id = ?", (timezone, dialogue_id))
        if changed == 0:
            raise RowNotFoundError(f"no dialogue with id {dialogue_id}")

    async def set_language(self, dialogue_id: int, language: str | None) -> None:
        """Set the language the bot writes the dialogue's messages in (None: English)."""
        changed = await self._session.execute("UPDATE dialogues SET language = ? WHERE id = ?", (language, dialogue_id))
        if changed == 0:
            raise RowNotFoundError(f"no dialogue with id {dialogue_id}")

    async def end(self, dialogue_id: int, now: float) -> None:
        """End an active dialogue; the room is then free for a new one. Raises RowNotFoundError otherwise."""
        changed = await self._session.execute(
            "UPDATE dialogues SET state = 'ended', ended_at = ? WHERE id = ? AND state = 'active'",
            (now, dialogue_id),
        )
        if changed == 0:
            raise RowNotFoundError(f"no active dialogue with id {dialogue_id}")
        logger.debug("dialogues: ended %d", dialogue_id)

    async def move_to_room(self, dialogue_id: int, room_id: RoomId) -> None:
        """Move an active dialogue to the room that replaced its own (a room upgrade); everything that belongs to
        the dialogue (agenda, schedules, contributions) follows, since it hangs on the dialogue, not the room."""
        changed = await self._session.execute(
            "UPDATE dialogues SET room_id = ? WHERE id = ? AND state = 'active'", (room_id, dialogue_id)
        )
        if changed == 0:
            raise RowNotFoundError(f"no active dialogue with id {dialogue_id}")
        logger.debug("dialogues: moved %d", dialogue_id)
