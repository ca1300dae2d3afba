"""Each person's own language for the bot's direct messages and replies to them (`!dialogue my-language`).

Personal data, kept under the Matrix ID because it follows the person across dialogues: `forget-me confirm` deletes
it, and nothing else reads it but the choice of a message's language (handlers/languages.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from dialogue.vocabulary import UserId
from storage.session import Session


class LanguagePreferencesRepository:
    """Language preference operations within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def get(self, user_id: UserId) -> str | None:
        """The person's chosen language (an ISO 639-1 code), or None if they chose none."""
        value = await self._session.scalar("SELECT language FROM language_preferences WHERE user_id = ?", (user_id,))
        return None if value is None else str(value)

    async def of(self, user_ids: Iterable[UserId]) -> dict[UserId, str]:
        """The chosen language of each of `user_ids` who chose one."""
        wanted = set(user_ids)
        rows = await self._session.fetchall("SELECT user_id, language FROM language_preferences")
        # Only people who chose a language have a row: few enough to read whole and filter here.
        return {UserId(str(row["user_id"])): str(row["language"]) for row in rows if row["user_id"] in wanted}

    async def set(self, user_id: UserId, language: str, now: float) -> None:
        await self._session.execute(
            "INSERT INTO language_preferences (user_id, language, set_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, set_at = excluded.set_at",
            (user_id, language, now),
        )

    async def clear(self, user_id: UserId) -> None:
        """Forget the person's choice (back to the default); clearing when there is none is fine."""
        await self._session.execute("DELETE FROM language_preferences WHERE user_id = ?", (user_id,))
