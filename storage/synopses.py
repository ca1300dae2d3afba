"""What the synopsis needs beyond contributions: moderators' corrections, the adopted draft, the purge and its audit."""

from __future__ import annotations

from dataclasses import dataclass

from storage.session import Session


@dataclass(frozen=True, slots=True)
class Correction:
    kind: str  # join, move, exclude, include, forward, unforward
    ref: str
    target_ref: str | None


@dataclass(frozen=True, slots=True)
class AdoptedSynopsis:
    dialogue_id: int
    adopted_at: float
    markdown: bytes
    docx: bytes
    json: bytes

    def rendered(self, fmt: str) -> bytes:
        return {"md": self.markdown, "docx": self.docx, "json": self.json}[fmt]


class SynopsesRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    async def add_correction(self, dialogue_id: int, kind: str, ref: str, target_ref: str | None, now: float) -> None:
        await self._session.execute(
            "INSERT INTO synopsis_overrides (dialogue_id, kind, ref, target_ref, created_at) VALUES (?, ?, ?, ?, ?)",
            (dialogue_id, kind, ref, target_ref, now),
        )

    async def corrections(self, dialogue_id: int) -> list[Correction]:
        """In the order they were made, which is the order they apply in."""
        rows = await self._session.fetchall(
            "SELECT kind, ref, target_ref FROM synopsis_overrides WHERE dialogue_id = ? ORDER BY id", (dialogue_id,)
        )
        return [Correction(row[0], row[1], row[2]) for row in rows]

    async def adopt(self, dialogue_id: int, now: float, markdown: bytes, docx: bytes, json: bytes) -> None:
        await self._session.execute(
            "INSERT INTO adopted_synopses (dialogue_id, adopted_at, markdown, docx, json) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (dialogue_id) DO UPDATE SET adopted_at = excluded.adopted_at, markdown = excluded.markdown, "
            "docx = excluded.docx, json = excluded.json",
            (dialogue_id, now, markdown, docx, json),
        )

    async def adopted(self, dialogue_id: int) -> AdoptedSynopsis | None:
        row = await self._session.fetchone(
            "SELECT dialogue_id, adopted_at, markdown, docx, json FROM adopted_synopses WHERE dialogue_id = ?",
            (dialogue_id,),
        )
        return AdoptedSynopsis(*tuple(row)) if row is not None else None

    async def purge(self, dialogue_id: int, now: float) -> None:
        """Delete the raw material (contributions with their events and support, the roster, corrections) and
        destroy the dialogue's secret, so nothing left can be linked to anyone. Keeps the agenda's titles, the
        adopted synopsis and an audit record."""
        for table in ("contributions", "roster", "synopsis_overrides"):
            await self._session.execute(f"DELETE FROM {table} WHERE dialogue_id = ?", (dialogue_id,))
        await self._session.execute(
            "UPDATE dialogues SET secret = zeroblob(0), purged_at = ? WHERE id = ?", (now, dialogue_id)
        )
        await self.audit(dialogue_id, "purged: contributions, support, roster, corrections and secret deleted", now)

    async def purged_at(self, dialogue_id: int) -> float | None:
        row = await self._session.fetchone("SELECT purged_at FROM dialogues WHERE id = ?", (dialogue_id,))
        return row[0] if row is not None else None

    async def audit(self, dialogue_id: int, action: str, now: float) -> None:
        await self._session.execute(
            "INSERT INTO audit (dialogue_id, action, at) VALUES (?, ?, ?)", (dialogue_id, action, now)
        )
