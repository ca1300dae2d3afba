"""Deleting the bot's own uploads from the homeserver's media store, through the Synapse admin API.

Only a server admin may do this; for any other account (or a homeserver that is not Synapse) the files stay until
the homeserver's admin removes them, and the bot says so instead.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from nio import AsyncClient

from i18n import bot_text_plural

log = logging.getLogger(__name__)

_MXC_PREFIX = "mxc://"


class MediaDeletionFailed(Exception):
    """The homeserver could not be asked, or answered with an error that may pass (retry later)."""


def split_mxc(uri: str) -> tuple[str, str] | None:
    """(server name, media ID) of an ``mxc://server/media_id`` URI, or None if it is not one."""
    if not uri.startswith(_MXC_PREFIX):
        return None
    server, _, media_id = uri[len(_MXC_PREFIX) :].partition("/")
    if not server or not media_id or "/" in media_id:
        return None
    return server, media_id


async def delete_upload(client: AsyncClient, uri: str) -> bool:
    """Ask the homeserver to delete one upload; True if it is gone (now or already), False if not allowed.

    Raises MediaDeletionFailed for answers worth retrying (server errors, rate limits).
    """
    parts = split_mxc(uri)
    if parts is None:
        return False
    server, media_id = parts
    path = f"/_synapse/admin/v1/media/{quote(server, safe='')}/{quote(media_id, safe='')}"
    response = await client.send("DELETE", path, headers={"Authorization": f"Bearer {client.access_token}"})
    try:
        status = response.status
        errcode = ""
        if status != 200:
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
            errcode = str(body.get("errcode", "")) if isinstance(body, dict) else ""
    finally:
        response.release()
    if status == 200 or (status == 404 and errcode == "M_NOT_FOUND"):
        return True
    if status in (400, 401, 403, 404, 405):
        # Not a server admin (403 M_FORBIDDEN), or no such admin API on this homeserver (M_UNRECOGNIZED).
        log.info("media deletion refused", extra={"status": status, "errcode": errcode})
        return False
    raise MediaDeletionFailed(f"media deletion: HTTP {status} {errcode}".strip())


def deletion_notice(deleted: list[str], kept: list[str], language: str | None = None) -> str:
    """What the room is told after a purge asked for the dialogue's uploads to be deleted, in `language`.

    Two counts may meet in one sentence; each case is its own whole message, plural by the files that stay, so no
    translation is put together from pieces."""
    if not kept:
        return bot_text_plural(
            language,
            "The {count} synopsis file(s) the bot uploaded were deleted from the homeserver's media store.",
            "The {count} synopsis file(s) the bot uploaded were deleted from the homeserver's media store.",
            len(deleted),
        )
    files = ", ".join(kept)
    if not deleted:
        return bot_text_plural(
            language,
            "The homeserver did not let the bot delete {count} synopsis file(s) it uploaded (the bot is not a server "
            "admin there): they stay in the homeserver's media store until its admin deletes them: {files}.",
            "The homeserver did not let the bot delete {count} synopsis file(s) it uploaded (the bot is not a server "
            "admin there): they stay in the homeserver's media store until its admin deletes them: {files}.",
            len(kept),
            files=files,
        )
    if len(deleted) == 1:
        return bot_text_plural(
            language,
            "The homeserver did not let the bot delete {count} synopsis file(s) it uploaded (the bot is not a server "
            "admin there): they stay in the homeserver's media store until its admin deletes them: {files}. "
            "(1 other(s) were deleted.)",
            "The homeserver did not let the bot delete {count} synopsis file(s) it uploaded (the bot is not a server "
            "admin there): they stay in the homeserver's media store until its admin deletes them: {files}. "
            "(1 other(s) were deleted.)",
            len(kept),
            files=files,
        )
    return bot_text_plural(
        language,
        "The homeserver did not let the bot delete {count} synopsis file(s) it uploaded (the bot is not a server "
        "admin there): they stay in the homeserver's media store until its admin deletes them: {files}. "
        "({deleted} other(s) were deleted.)",
        "The homeserver did not let the bot delete {count} synopsis file(s) it uploaded (the bot is not a server "
        "admin there): they stay in the homeserver's media store until its admin deletes them: {files}. "
        "({deleted} other(s) were deleted.)",
        len(kept),
        files=files,
        deleted=len(deleted),
    )
