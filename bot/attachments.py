"""Fetching a file someone posted (for `roster import`): find the message, download, decrypt if needed."""

from __future__ import annotations

import asyncio
from typing import Any

from nio import AsyncClient, DownloadError, MegolmEvent, RoomGetEventError
from nio.crypto.attachments import decrypt_attachment
from nio.exceptions import EncryptionError

from bot.errors import NETWORK_ERRORS
from handlers.commands import AttachmentError

MAX_ATTACHMENT_BYTES = 2_000_000
DOWNLOAD_TIMEOUT_SECONDS = 30.0


class AttachmentFetcher:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def fetch(self, room_id: str, event_id: str) -> bytes:
        """The file attached to `event_id`; raises AttachmentError with a reason a person can act on."""
        try:
            async with asyncio.timeout(DOWNLOAD_TIMEOUT_SECONDS):
                return await self._fetch(room_id, event_id)
        except TimeoutError as error:
            raise AttachmentError("The file took too long to download; try again.") from error
        except NETWORK_ERRORS as error:
            raise AttachmentError("The file could not be downloaded; try again.") from error

    async def _fetch(self, room_id: str, event_id: str) -> bytes:
        response = await self._client.room_get_event(room_id, event_id)
        if isinstance(response, RoomGetEventError):
            raise AttachmentError("I could not find the message you replied to.")
        event: Any = response.event
        if isinstance(event, MegolmEvent):
            try:
                event = self._client.decrypt_event(event)
            except EncryptionError as error:
                raise AttachmentError("I cannot decrypt the message you replied to.") from error
        content = event.source.get("content", {}) if isinstance(getattr(event, "source", None), dict) else {}
        encrypted_file = content.get("file")
        url = encrypted_file.get("url") if isinstance(encrypted_file, dict) else content.get("url")
        if content.get("msgtype") != "m.file" or not isinstance(url, str):
            raise AttachmentError("The message you replied to has no file attached.")
        downloaded = await self._client.download(mxc=url)
        if isinstance(downloaded, DownloadError):
            raise AttachmentError("The file could not be downloaded.")
        data: bytes = downloaded.body
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise AttachmentError("The file is too large for a roster (2 MB at most).")
        if isinstance(encrypted_file, dict):
            try:
                data = decrypt_attachment(
                    data, encrypted_file["key"]["k"], encrypted_file["hashes"]["sha256"], encrypted_file["iv"]
                )
            except (KeyError, TypeError, EncryptionError) as error:
                raise AttachmentError("The file could not be decrypted.") from error
        return data
