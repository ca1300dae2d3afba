"""Fetching a file someone posted (for `roster import`): find the message, download, decrypt if needed.

The file is refused, before any of it is downloaded, when the message says it is larger than the limit; and the
download is streamed and stopped as soon as more than the limit has arrived, since neither the sender's `info.size`
nor the homeserver's Content-Length has to be true. matrix-nio's `download()` reads the whole body into memory
first, so the bot asks the authenticated media endpoint itself, through nio's HTTP session.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, NoReturn
from urllib.parse import quote

from nio import AsyncClient, MegolmEvent, RoomGetEventError
from nio.api import MATRIX_MEDIA_API_PATH
from nio.crypto.attachments import decrypt_attachment
from nio.exceptions import EncryptionError

from bot.errors import NETWORK_ERRORS
from bot.media import split_mxc
from handlers.limits import ROSTER_FILE_MAX_BYTES
from handlers.roster_csv import FILE_TOO_LARGE, file_too_large_values
from handlers.slow_work import AttachmentError
from i18n import bot_marked

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT_SECONDS = 30.0
_CHUNK_BYTES = 64 * 1024


class AttachmentFetcher:
    def __init__(self, client: AsyncClient, max_bytes: int = ROSTER_FILE_MAX_BYTES) -> None:
        self._client = client
        self._max_bytes = max_bytes

    @property
    def client(self) -> AsyncClient:
        return self._client

    async def fetch(self, room_id: str, event_id: str) -> bytes:
        """The file attached to `event_id`; raises AttachmentError with a reason a person can act on."""
        try:
            async with asyncio.timeout(DOWNLOAD_TIMEOUT_SECONDS):
                return await self._fetch(room_id, event_id)
        except TimeoutError as error:
            raise AttachmentError(bot_marked("The file took too long to download; try again.")) from error
        except NETWORK_ERRORS as error:
            raise AttachmentError(bot_marked("The file could not be downloaded; try again.")) from error

    async def _fetch(self, room_id: str, event_id: str) -> bytes:
        response = await self._client.room_get_event(room_id, event_id)
        if isinstance(response, RoomGetEventError):
            raise AttachmentError(bot_marked("I could not find the message you replied to."))
        event: Any = response.event
        if isinstance(event, MegolmEvent):
            try:
                event = self._client.decrypt_event(event)
            except EncryptionError as error:
                raise AttachmentError(bot_marked("I cannot decrypt the message you replied to.")) from error
        content = event.source.get("content", {}) if isinstance(getattr(event, "source", None), dict) else {}
        encrypted_file = content.get("file")
        url = encrypted_file.get("url") if isinstance(encrypted_file, dict) else content.get("url")
        if content.get("msgtype") != "m.file" or not isinstance(url, str):
            raise AttachmentError(bot_marked("The message you replied to has no file attached."))
        info = content.get("info")
        declared = info.get("size") if isinstance(info, dict) else None
        if isinstance(declared, int) and declared > self._max_bytes:
            self._refuse("info.size", declared)
        data = await self._download(url)
        if isinstance(encrypted_file, dict):
            try:
                data = decrypt_attachment(
                    data, encrypted_file["key"]["k"], encrypted_file["hashes"]["sha256"], encrypted_file["iv"]
                )
            except (KeyError, TypeError, EncryptionError) as error:
                raise AttachmentError(bot_marked("The file could not be decrypted.")) from error
        return data

    async def _download(self, mxc: str) -> bytes:
        """The bytes behind `mxc`, read in chunks and given up as soon as there are more than the limit.

        An encrypted file is as long as its plaintext (AES-CTR), so the same limit holds before decryption.
        """
        parts = split_mxc(mxc)
        if parts is None:
            raise AttachmentError(bot_marked("The file could not be downloaded."))
        server, media_id = parts
        path = f"{MATRIX_MEDIA_API_PATH}/download/{quote(server, safe='')}/{quote(media_id, safe='')}"
        response = await self._client.send(
            "GET",
            path + "?allow_remote=true",
            headers={"Authorization": f"Bearer {self._client.access_token}"},
            timeout=DOWNLOAD_TIMEOUT_SECONDS,
        )
        try:
            if response.status != 200:
                raise AttachmentError(bot_marked("The file could not be downloaded."))
            if response.content_length is not None and response.content_length > self._max_bytes:
                self._refuse("content-length", response.content_length)
            received = bytearray()
            async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
                received += chunk
                if len(received) > self._max_bytes:
                    self._refuse("received", len(received))
            return bytes(received)
        finally:
            # Closing (not releasing) drops the connection, so an unread rest is never downloaded.
            response.close()

    def _refuse(self, measured_by: str, size: int) -> NoReturn:
        log.info("attachment refused as too large", extra={"measured_by": measured_by, "bytes": size})
        raise AttachmentError(FILE_TOO_LARGE, **file_too_large_values())
