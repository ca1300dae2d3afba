"""The roster: each dialogue member's affiliation and (optional) stakeholder category, by member_key.

Affiliations are only ever reported in aggregate ("participants came from: ..."), never tied to what
anyone said; that is what the Chatham House Rule allows.
"""

from __future__ import annotations

from dialogue.vocabulary import MemberKey
from storage.session import Session

# Aliases are stored in one column, one per line (an alias never holds a line break: whitespace is collapsed).
_ALIAS_SEPARATOR = "\n"


class RosterRepository:
    """Roster operations within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def set(
        self,
        dialogue_id: int,
        member_key: MemberKey,
        affiliation: str,
        category: str | None,
        aliases: tuple[str, ...] = (),
    ) -> None:
        """Record a member's affiliation, category and the affiliation's aliases, replacing what was there before."""
        await self._session.execute(
            "INSERT INTO roster (dialogue_id, member_key, affiliation, category, aliases) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (dialogue_id, member_key) DO UPDATE "
            "SET affiliation = excluded.affiliation, category = excluded.category, aliases = excluded.aliases",
            (dialogue_id, member_key, affiliation, category, _ALIAS_SEPARATOR.join(aliases)),
        )

    async def scrub_terms(self, dialogue_id: int) -> list[str]:
        """Every affiliation of the dialogue and every alias of one, distinct and sorted: what the scrubber removes.

        Aliases are only ever used here: no listing or synopsis shows them."""
        rows = await self._session.fetchall(
            "SELECT DISTINCT affiliation, aliases FROM roster WHERE dialogue_id = ?", (dialogue_id,)
        )
        terms = {row[0] for row in rows}
        terms.update(alias for row in rows for alias in str(row[1]).split(_ALIAS_SEPARATOR) if alias)
        return sorted(terms)

    async def affiliations(self, dialogue_id: int) -> list[str]:
        """The dialogue's distinct affiliations, sorted."""
        rows = await self._session.fetchall(
            "SELECT DISTINCT affiliation FROM roster WHERE dialogue_id = ?", (dialogue_id,)
        )
        return sorted(row[0] for row in rows)

    async def category_of(self, dialogue_id: int, member_key: MemberKey) -> str | None:
        """A member's category; None if they have none or are not on the roster."""
        value = await self._session.scalar(
            "SELECT category FROM roster WHERE dialogue_id = ? AND member_key = ?", (dialogue_id, member_key)
        )
        return None if value is None else str(value)

    async def categories(self, dialogue_id: int) -> dict[str, str | None]:
        """Every rostered member's category (None for those without one), by member_key."""
        rows = await self._session.fetchall(
            "SELECT member_key, category FROM roster WHERE dialogue_id = ?", (dialogue_id,)
        )
        return {row[0]: row[1] for row in rows}

    async def count(self, dialogue_id: int) -> int:
        """How many members are on the dialogue's roster."""
        return int(await self._session.scalar("SELECT COUNT(*) FROM roster WHERE dialogue_id = ?", (dialogue_id,)))
