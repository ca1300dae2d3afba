"""Schedules: when a challenge's prompt is due, how long its window stays open, and reminders before it closes.

The scheduler rebuilds its timers from these rows at every start, so nothing about the agenda lives only in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogue.vocabulary import RoomId, ScheduleState
from storage.session import Row, Session


@dataclass(frozen=True, slots=True)
class Schedule:
    """A challenge's schedule, with what the scheduler needs to act on it."""

    challenge_id: int
    dialogue_id: int
    room_id: RoomId
    number: int
    opens_at: float
    window_seconds: float | None
    state: ScheduleState


@dataclass(frozen=True, slots=True)
class ClosingWindow:
    """An open challenge that closes by itself at `closes_at`."""

    challenge_id: int
    dialogue_id: int
    room_id: RoomId
    number: int
    closes_at: float
    reminder_seconds: float | None


@dataclass(frozen=True, slots=True)
class DigestSetting:
    """A dialogue whose moderators get a daily digest at `local_time` ("HH:MM") in `timezone` (None: the default)."""

    dialogue_id: int
    room_id: RoomId
    local_time: str
    timezone: str | None


_SCHEDULE_SELECT = (
    "SELECT s.challenge_id, c.dialogue_id, d.room_id, c.number, s.opens_at, s.window_seconds, s.state "
    "FROM schedules s JOIN challenges c ON c.id = s.challenge_id JOIN dialogues d ON d.id = c.dialogue_id"
)


def _schedule(row: Row) -> Schedule:
    return Schedule(
        challenge_id=row[0],
        dialogue_id=row[1],
        room_id=row[2],
        number=row[3],
        opens_at=row[4],
        window_seconds=row[5],
        state=ScheduleState(row[6]),
    )


class SchedulesRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    async def set(self, challenge_id: int, opens_at: float, window_seconds: float | None, now: float) -> None:
        """Schedule (or re-schedule) a challenge; it is 'scheduled' again whatever it was."""
        await self._session.execute(
            "INSERT INTO schedules (challenge_id, opens_at, window_seconds, state, created_at) "
            "VALUES (?, ?, ?, 'scheduled', ?) ON CONFLICT (challenge_id) DO UPDATE SET "
            "opens_at = excluded.opens_at, window_seconds = excluded.window_seconds, state = 'scheduled'",
            (challenge_id, opens_at, window_seconds, now),
        )

    async def cancel(self, challenge_id: int) -> bool:
        """Drop a schedule that has not fired yet; True if there was one."""
        return (
            await self._session.execute(
                "DELETE FROM schedules WHERE challenge_id = ? AND state = 'scheduled'", (challenge_id,)
            )
            == 1
        )

    async def get(self, challenge_id: int) -> Schedule | None:
        row = await self._session.fetchone(f"{_SCHEDULE_SELECT} WHERE s.challenge_id = ?", (challenge_id,))
        return _schedule(row) if row is not None else None

    async def for_dialogue(self, dialogue_id: int) -> list[Schedule]:
        rows = await self._session.fetchall(
            f"{_SCHEDULE_SELECT} WHERE c.dialogue_id = ? ORDER BY c.number", (dialogue_id,)
        )
        return [_schedule(row) for row in rows]

    async def pending(self) -> list[Schedule]:
        """Every schedule still waiting to fire, in active dialogues, soonest first."""
        rows = await self._session.fetchall(
            f"{_SCHEDULE_SELECT} WHERE s.state = 'scheduled' AND d.state = 'active' ORDER BY s.opens_at, c.id"
        )
        return [_schedule(row) for row in rows]

    async def mark(self, challenge_id: int, state: ScheduleState) -> None:
        await self._session.execute("UPDATE schedules SET state = ? WHERE challenge_id = ?", (state, challenge_id))

    async def set_closes_at(self, challenge_id: int, closes_at: float | None) -> None:
        await self._session.execute("UPDATE challenges SET closes_at = ? WHERE id = ?", (closes_at, challenge_id))

    async def closes_at(self, challenge_id: int) -> float | None:
        row = await self._session.fetchone("SELECT closes_at FROM challenges WHERE id = ?", (challenge_id,))
        return row[0] if row is not None else None

    async def closing(self) -> list[ClosingWindow]:
        """Open challenges (of active dialogues) that close by themselves, soonest first."""
        rows = await self._session.fetchall(
            "SELECT c.id, c.dialogue_id, d.room_id, c.number, c.closes_at, d.reminder_seconds "
            "FROM challenges c JOIN dialogues d ON d.id = c.dialogue_id "
            "WHERE c.state = 'open' AND c.closes_at IS NOT NULL AND d.state = 'active' ORDER BY c.closes_at, c.id"
        )
        return [ClosingWindow(*tuple(row)) for row in rows]

    async def reminder_seconds(self, dialogue_id: int) -> float | None:
        row = await self._session.fetchone("SELECT reminder_seconds FROM dialogues WHERE id = ?", (dialogue_id,))
        return row[0] if row is not None else None

    async def set_reminder(self, dialogue_id: int, seconds: float | None) -> None:
        await self._session.execute("UPDATE dialogues SET reminder_seconds = ? WHERE id = ?", (seconds, dialogue_id))

    async def set_digest(self, dialogue_id: int, local_time: str | None) -> None:
        await self._session.execute("UPDATE dialogues SET digest_time = ? WHERE id = ?", (local_time, dialogue_id))

    async def digests(self) -> list[DigestSetting]:
        """Active dialogues with a daily digest."""
        rows = await self._session.fetchall(
            "SELECT id, room_id, digest_time, timezone FROM dialogues "
            "WHERE state = 'active' AND digest_time IS NOT NULL ORDER BY id"
        )
        return [DigestSetting(*tuple(row)) for row in rows]
