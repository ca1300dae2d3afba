"""The secretariat's own wording for the draft synopsis: a theme's statement, a challenge's lead paragraph, and
ways forward written by the ISU or a moderator rather than taken from a contribution.

A theme's wording is keyed by the reference of a contribution in it (the references `themes` lists), so it follows
the theme when the draft is compiled again; setting it again replaces it. A challenge has at most one lead, and any
number of ways forward, in the order they were added. The purge deletes all of it: what was adopted lives on in the
adopted synopsis's files.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogue.vocabulary import WordingKind
from storage.session import Session


@dataclass(frozen=True, slots=True)
class Wording:
    kind: WordingKind
    target: str  # a contribution reference (theme), or a challenge number (lead, way_forward)
    text: str


class SecretariatWordingRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    async def set_theme(self, dialogue_id: int, ref: str, text: str, now: float) -> None:
        await self._replace(dialogue_id, "theme", ref, text, now)

    async def clear_theme(self, dialogue_id: int, ref: str) -> bool:
        return await self._delete(dialogue_id, "theme", ref)

    async def set_lead(self, dialogue_id: int, challenge_number: int, text: str, now: float) -> None:
        await self._replace(dialogue_id, "lead", str(challenge_number), text, now)

    async def clear_lead(self, dialogue_id: int, challenge_number: int) -> bool:
        return await self._delete(dialogue_id, "lead", str(challenge_number))

    async def add_way_forward(self, dialogue_id: int, challenge_number: int, text: str, now: float) -> int:
        """Append a way forward to the challenge's; returns how many the secretariat has written for it."""
        await self._insert(dialogue_id, "way_forward", str(challenge_number), text, now)
        count = await self._session.scalar(
            "SELECT COUNT(*) FROM secretariat_wording WHERE dialogue_id = ? AND kind = 'way_forward' AND target = ?",
            (dialogue_id, str(challenge_number)),
        )
        return int(count or 0)

    async def clear_ways_forward(self, dialogue_id: int, challenge_number: int) -> bool:
        return await self._delete(dialogue_id, "way_forward", str(challenge_number))

    async def all(self, dialogue_id: int) -> list[Wording]:
        """In the order they were set."""
        rows = await self._session.fetchall(
            "SELECT kind, target, text FROM secretariat_wording WHERE dialogue_id = ? ORDER BY id", (dialogue_id,)
        )
        return [Wording(WordingKind(row[0]), row[1], row[2]) for row in rows]

    async def _replace(self, dialogue_id: int, kind: str, target: str, text: str, now: float) -> None:
        await self._delete(dialogue_id, kind, target)
        await self._insert(dialogue_id, kind, target, text, now)

    async def _insert(self, dialogue_id: int, kind: str, target: str, text: str, now: float) -> None:
        await self._session.execute(
            "INSERT INTO secretariat_wording (dialogue_id, kind, target, text, created_at) VALUES (?, ?, ?, ?, ?)",
            (dialogue_id, kind, target, text, now),
        )

    async def _delete(self, dialogue_id: int, kind: str, target: str) -> bool:
        before = await self._count(dialogue_id, kind, target)
        await self._session.execute(
            "DELETE FROM secretariat_wording WHERE dialogue_id = ? AND kind = ? AND target = ?",
            (dialogue_id, kind, target),
        )
        return before > 0

    async def _count(self, dialogue_id: int, kind: str, target: str) -> int:
        value = await self._session.scalar(
            "SELECT COUNT(*) FROM secretariat_wording WHERE dialogue_id = ? AND kind = ? AND target = ?",
            (dialogue_id, kind, target),
        )
        return int(value or 0)
