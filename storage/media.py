"""Files the bot uploaded to the homeserver's media store (synopsis documents), per dialogue.

A purge deletes the dialogue's raw material from the database, but uploaded files live on in the homeserver's
media store; remembering their mxc URIs is what lets the purge ask the homeserver to delete them, or tell the
moderators which ones remain. An mxc URI names a file, never a person.
"""

from __future__ import annotations

from collections.abc import Iterable

from storage.session import Session


class MediaRepository:
    """Uploaded-file records within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def record(self, dialogue_id: int, mxc_uri: str, now: float) -> None:
        """Remember that a file of this dialogue was uploaded as ``mxc_uri``; recording it again changes nothing."""
        await self._session.execute(
            "INSERT INTO uploaded_media (dialogue_id, mxc_uri, uploaded_at) VALUES (?, ?, ?) "
            "ON CONFLICT (mxc_uri) DO NOTHING",
            (dialogue_id, mxc_uri, now),
        )

    async def for_dialogue(self, dialogue_id: int) -> list[str]:
        """The mxc URIs of the dialogue's uploads still in the media store (as far as the bot knows), oldest first."""
        rows = await self._session.fetchall(
            "SELECT mxc_uri FROM uploaded_media WHERE dialogue_id = ? ORDER BY uploaded_at, mxc_uri", (dialogue_id,)
        )
        return [row[0] for row in rows]

    async def forget(self, mxc_uris: Iterable[str]) -> None:
        """Drop the records of files the homeserver has deleted."""
        await self._session.executemany("DELETE FROM uploaded_media WHERE mxc_uri = ?", [(uri,) for uri in mxc_uris])
