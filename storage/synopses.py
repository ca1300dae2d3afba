"""What the synopsis needs beyond contributions: moderators' corrections, the adopted draft, the purge and its audit."""

from __future__ import annotations

from dataclasses import dataclass

from dialogue.vocabulary import CorrectionKind
from privacy.pseudonym import matrix_id_reference
from storage.consensus import ConsensusRepository
from storage.contributions import usable_secret
from storage.inbox import InboxRepository
from storage.session import Session


@dataclass(frozen=True, slots=True)
class Correction:
    kind: CorrectionKind
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

    async def add_correction(
        self, dialogue_id: int, kind: CorrectionKind, ref: str, target_ref: str | None, now: float
    ) -> None:
        await self._session.execute(
            "INSERT INTO synopsis_overrides (dialogue_id, kind, ref, target_ref, created_at) VALUES (?, ?, ?, ?, ?)",
            (dialogue_id, kind, ref, target_ref, now),
        )

    async def corrections(self, dialogue_id: int) -> list[Correction]:
        """In the order they were made, which is the order they apply in."""
        rows = await self._session.fetchall(
            "SELECT kind, ref, target_ref FROM synopsis_overrides WHERE dialogue_id = ? ORDER BY id", (dialogue_id,)
        )
        return [Correction(CorrectionKind(row[0]), row[1], row[2]) for row in rows]

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
        """Delete the raw material (contributions with their events and support, the roster, corrections, the
        secretariat's wording, which lives on in the adopted synopsis's files) and
        destroy the dialogue's secret, so nothing left can be linked to anyone. Keeps the agenda's titles, the
        adopted synopsis and an audit record."""
        await InboxRepository(self._session).scrub_held_in_rooms(await self._held_rooms_of(dialogue_id))
        await ConsensusRepository(self._session).delete_late_markers(dialogue_id)
        for table in ("contributions", "roster", "synopsis_overrides", "consensus_rounds", "secretariat_wording"):
            await self._session.execute(f"DELETE FROM {table} WHERE dialogue_id = ?", (dialogue_id,))
        await self._session.execute(
            "UPDATE dialogues SET secret = ?, purged_at = ? WHERE id = ?", (b"", now, dialogue_id)
        )
        self._session.request_checkpoint()
        await self.audit(
            dialogue_id,
            "purged: contributions, support, roster, corrections, secretariat wording and secret deleted",
            now,
        )

    async def _held_rooms_of(self, dialogue_id: int) -> set[str]:
        """The rooms whose quarantined or undecrypted events may belong to the dialogue: its own room, and the
        direct rooms that contributions to it came from (recognised by their keyed reference, while the secret
        still exists). A direct room that never yielded a recorded contribution cannot be told apart."""
        row = await self._session.fetchone("SELECT room_id, secret FROM dialogues WHERE id = ?", (dialogue_id,))
        if row is None:
            return set()
        rooms = {str(row[0])}
        secret = bytes(row[1])
        if not usable_secret(secret):
            return rooms
        direct_refs = {
            ref
            for (ref,) in await self._session.fetchall(
                "SELECT DISTINCT room_ref FROM contributions WHERE dialogue_id = ? AND channel = 'dm'", (dialogue_id,)
            )
        }
        for room_id in await InboxRepository(self._session).held_room_ids():
            if matrix_id_reference(secret, "room", room_id) in direct_refs:
                rooms.add(room_id)
        return rooms

    async def purged_at(self, dialogue_id: int) -> float | None:
        row = await self._session.fetchone("SELECT purged_at FROM dialogues WHERE id = ?", (dialogue_id,))
        return row[0] if row is not None else None

    async def audit(self, dialogue_id: int, action: str, now: float) -> None:
        await self._session.execute(
            "INSERT INTO audit (dialogue_id, action, at) VALUES (?, ?, ?)", (dialogue_id, action, now)
        )
