"""The sender: delivers the outbox to the homeserver, in order per room, rooms in turn, each message exactly once.

Every queued message already has its transaction ID. A retry, even after a crash and restart, reuses it, and the
homeserver answers a repeated transaction ID with the event it already made instead of posting twice.

A full disk pauses sending until space returns (bot/disk_space.py): a message sent whose success could not be recorded
goes again with the same transaction ID, which the homeserver recognises.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from nio import (
    AsyncClient,
    ErrorResponse,
    RoomRedactError,
    RoomRedactResponse,
    RoomSendError,
    RoomSendResponse,
    UploadError,
    UploadResponse,
)
from nio.exceptions import GroupEncryptionError, LocalProtocolError, SendRetryError

from bot.backoff import DEFAULT_MAX_DELAY_SECONDS, backoff_delay, worth_logging
from bot.direct_rooms import DirectRooms, DirectRoomUnavailable
from bot.disk_space import DiskSpace, round_or_pause
from bot.errors import (
    NETWORK_ERRORS,
    SESSION_REJECTED_ERRCODES,
    describe_response,
    is_passing_fault,
    new_error_reference,
)
from bot.media import MediaDeletionFailed, delete_upload, deletion_notice
from bot.room_send import send_room_event
from bot.wakeup import wait_for_wakeup
from dialogue.vocabulary import EventId, RoomId
from handlers.languages import language_for_person, room_language
from handlers.replies import Reply, edit_content, notice_content, reaction_content
from i18n import bot_marked, bot_text
from storage import (
    Database,
    Destination,
    DiskFullError,
    Edit,
    FileUpload,
    MediaDeletion,
    OutboxItem,
    OutboxRow,
    Person,
    Reaction,
    Redaction,
    Room,
    RoomMessage,
    Transaction,
)

log = logging.getLogger(__name__)


class _NothingToEdit(Exception):
    """An edit's message has no event ID: still waiting (`pending`) or given up, so there is nothing to replace."""

    def __init__(self, *, pending: bool) -> None:
        super().__init__("the edited message is still pending" if pending else "the edited message was never sent")
        self.pending = pending


class _UploadFailed(Exception):
    def __init__(self, response: Any) -> None:
        super().__init__(str(response))
        self.response = response


# Passing faults (the network, timeouts, 5xx, M_UNKNOWN, a rejected session that the sync loop will report) are
# retried for as long as they last: an outage delays messages, it never loses them.
# After the first sync, a room the client still does not know is one the bot is not in (any more), and a direct room
# whose person has not joined may never be joined: those get this many tries, the first sync's wait not counted.
MAX_UNKNOWN_ROOM_ATTEMPTS = 20
# An error the bot does not recognise as passing or permanent (an unfamiliar 4xx errcode) gets this many.
MAX_UNFAMILIAR_ERROR_ATTEMPTS = 15
# Errors that will not go away by trying again.
PERMANENT_ERRCODES = frozenset({"M_FORBIDDEN", "M_NOT_FOUND", "M_BAD_JSON", "M_NOT_JSON", "M_TOO_LARGE"})


TOO_LARGE_NOTICE = bot_marked(
    "Sorry, one of my messages was too large for the homeserver and could not be sent (reference {reference}). "
    "The bot's operator can look it up with this reference."
)


async def _destination_language(tx: Transaction, destination: Destination) -> str | None:
    """The language of a message to where another one should have gone (handlers/languages.py): a person's own,
    or a room's dialogue's."""
    if isinstance(destination, Person):
        return await language_for_person(tx, destination.user_id)
    return room_language(await tx.dialogues.latest_in_room(destination.room_id))


def _recipient(row: OutboxRow) -> dict[str, str]:
    """What a log line may say about where a message goes: a room's ID; for a direct message neither the person's
    user ID nor the ID of the room the bot keeps with them alone."""
    match row.destination:
        case Person():
            return {"recipient": "direct message"}
        case Room(room_id):
            return {"room_id": room_id}


def _content_bytes(item: OutboxItem) -> int:
    """Roughly how much the homeserver was asked to take, for the log: a file's bytes, else the item's JSON."""
    if isinstance(item, FileUpload):
        return len(item.data)
    if isinstance(item, RoomMessage):
        return len(json.dumps(item.content))
    return len(json.dumps(dataclasses.asdict(item)))


class OutboxSender:
    def __init__(
        self,
        client: AsyncClient,
        db: Database,
        clock: Callable[[], float] = time.time,
        *,
        max_delay: float = DEFAULT_MAX_DELAY_SECONDS,
        ready: asyncio.Event | None = None,
        disk: DiskSpace | None = None,
    ) -> None:
        self._client = client
        self._disk = disk
        self._db = db
        self._clock = clock
        self._max_delay = max_delay
        # Set by the sync loop after its first sync: until then the client knows no room, and every message would
        # only be deferred (and counted against the tries a room the bot is not in gets).
        self._ready = ready
        self._wake = asyncio.Event()
        self._paused_until = 0.0
        self._direct_rooms = DirectRooms(client, db)
        # Rooms take turns: when each room (or direct-message recipient) was last served, as a running count.
        self._last_served: dict[Destination, int] = {}
        self._turns = 0

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        if self._ready is not None:
            await self._ready.wait()
        while True:
            await round_or_pause(self._disk, self._one_round, "sender")

    async def _one_round(self) -> None:
        self._wake.clear()
        now = self._clock()
        if now < self._paused_until:
            await asyncio.sleep(self._paused_until - now)
            return
        row = await self.next_row()
        if row is not None:
            await self.send(row)
            return
        async with self._db.transaction() as tx:
            wake_at = await tx.outbox.next_wake_time()
        timeout = None if wake_at is None else max(0.0, wake_at - self._clock())
        await wait_for_wakeup(self._wake, timeout)

    async def flush(self, deadline: float) -> int:
        """Send what is sendable until the outbox is empty or `deadline` passes; returns what is left."""
        try:
            return await self._flush(deadline)
        except DiskFullError:
            # Stopping on a full disk: what could not be recorded as sent goes again (same transaction ID) next start.
            async with self._db.transaction() as tx:
                return await tx.outbox.pending_count()

    async def _flush(self, deadline: float) -> int:
        while self._clock() < deadline and (self._ready is None or self._ready.is_set()):
            row = await self.next_row()
            async with self._db.transaction() as tx:
                left = await tx.outbox.pending_count()
            if row is None or self._clock() < self._paused_until:
                return left
            async with asyncio.timeout(max(0.1, deadline - self._clock())):
                await self.send(row)
        async with self._db.transaction() as tx:
            return await tx.outbox.pending_count()

    async def next_row(self) -> OutboxRow | None:
        """The message to send next: the head of the room served least recently.

        Each room's messages leave in order (a reply split in parts stays in order), but rooms take turns, so a
        room with a long queue (a flood answered) does not hold up a message for another room."""
        async with self._db.transaction() as tx:
            heads = await tx.outbox.sendable_heads(self._clock())
        if not heads:
            return None
        return min(heads, key=lambda head: (self._last_served.get(head.destination, -1), head.seq))

    async def send(self, row: OutboxRow) -> None:
        """Try to deliver one message and record the outcome."""
        self._turns += 1
        self._last_served[row.destination] = self._turns
        match row.destination:
            case Room(room_id):
                pass
            case Person(user_id):  # addressed to a person: the direct room the bot keeps with them
                try:
                    room_id = RoomId(await self._direct_rooms.ready_room_for(user_id))
                except DirectRoomUnavailable as reason:
                    limit = None if reason.passing else MAX_UNKNOWN_ROOM_ATTEMPTS
                    await self._retry_later(row, str(reason), give_up_after=limit)
                    return
                except (*NETWORK_ERRORS, LocalProtocolError) as error:
                    await self._retry_later(row, f"{type(error).__name__}: {error}"[:300], give_up_after=None)
                    return
        if room_id not in self._client.rooms:
            await self._retry_later(row, "room not synced yet", give_up_after=MAX_UNKNOWN_ROOM_ATTEMPTS)
            return
        try:
            response = await self._deliver(room_id, row)
        except _UploadFailed as failure:
            response = failure.response
        except MediaDeletionFailed as error:
            await self._retry_later(row, str(error)[:300], give_up_after=None)
            return
        except _NothingToEdit as nothing:
            if nothing.pending:
                await self._retry_later(row, str(nothing), give_up_after=None)
                return
            async with self._db.transaction() as tx:
                await tx.outbox.mark_failed(row.txn_id, str(nothing))
            return
        except (*NETWORK_ERRORS, SendRetryError, LocalProtocolError, GroupEncryptionError) as error:
            await self._retry_later(row, f"{type(error).__name__}: {error}"[:300], give_up_after=None)
            return
        if isinstance(response, (RoomSendResponse, RoomRedactResponse)):
            async with self._db.transaction() as tx:
                await tx.outbox.mark_sent(row.txn_id, response.event_id, self._clock())
            log.info("message sent", extra={**_recipient(row), "event_id": response.event_id})
            return
        if isinstance(response, UploadError):
            if response.status_code == "M_TOO_LARGE":
                await self._give_up_too_large(row, "upload")
                return
            await self._retry_later(
                row,
                f"upload: {describe_response(response)}",
                give_up_after=None if is_passing_fault(response) else MAX_UNFAMILIAR_ERROR_ATTEMPTS,
                detail=str(response.message),
            )
            return
        assert isinstance(response, (RoomSendError, RoomRedactError))
        await self._handle_error(row, response)

    async def _deliver(
        self, room_id: str, row: OutboxRow
    ) -> RoomSendResponse | RoomSendError | RoomRedactResponse | RoomRedactError:
        """Make the one request an outbox row stands for, under the row's transaction ID."""
        match row.item:
            case Redaction(event_id, reason):
                # Redactions are never encrypted (the server must see what they remove); the transaction ID makes a
                # retry return the redaction already made.
                return await self._client.room_redact(room_id, event_id, reason, tx_id=row.txn_id)
            case RoomMessage(content):
                event_type = "m.room.message"
            case Reaction(target_event_id, key):
                event_type, content = "m.reaction", reaction_content(target_event_id, key)
            case FileUpload() as upload:
                event_type, content = "m.room.message", await self._upload_file(room_id, upload)
            case MediaDeletion(mxc_uris, language):
                event_type, content = "m.room.message", await self._delete_media(mxc_uris, language)
            case Edit(of_txn, new_content):
                event_type, content = "m.room.message", edit_content(await self._sent_event_id(of_txn), new_content)
        return await send_room_event(self._client, room_id, event_type, content, row.txn_id)

    async def _sent_event_id(self, txn_id: str) -> EventId:
        """The event ID the message sent under `txn_id` got, which an edit of it names."""
        async with self._db.transaction() as tx:
            event_id = await tx.outbox.sent_event_id(txn_id)
            if event_id is None:
                raise _NothingToEdit(pending=await tx.outbox.is_pending(txn_id))
        return event_id

    async def _upload_file(self, room_id: str, upload: FileUpload) -> dict[str, Any]:
        """Upload a queued file (encrypted in an encrypted room) and return the `m.file` message to send.

        A retry may upload the file again; the message itself keeps its transaction ID, so it is posted once."""
        data = upload.data
        encrypt = bool(self._client.rooms[room_id].encrypted and self._client.olm is not None)
        response, keys = await self._client.upload(
            lambda *_: data,
            content_type=upload.mimetype,
            filename=upload.filename,
            encrypt=encrypt,
            filesize=len(data),
        )
        if not isinstance(response, UploadResponse):
            raise _UploadFailed(response)
        if upload.dialogue_id is not None:
            # Remembered at once, even if posting the message fails: the file is in the media store either way.
            async with self._db.transaction() as tx:
                await tx.media.record(upload.dialogue_id, response.content_uri, self._clock())
        content: dict[str, Any] = {
            "msgtype": "m.file",
            "body": upload.filename,
            "filename": upload.filename,
            "info": {"mimetype": upload.mimetype, "size": len(data)},
            "m.mentions": {},
        }
        if encrypt:
            content["file"] = {"url": response.content_uri, "mimetype": upload.mimetype, **(keys or {})}
        else:
            content["url"] = response.content_uri
        return content

    async def _delete_media(self, mxc_uris: tuple[str, ...], language: str | None) -> dict[str, Any]:
        """Delete a purged dialogue's uploads and return the notice that says how it went.

        A retry asks again; a file already deleted counts as deleted, so the notice is right either way."""
        deleted: list[str] = []
        kept: list[str] = []
        for uri in mxc_uris:
            (deleted if await delete_upload(self._client, uri) else kept).append(uri)
        async with self._db.transaction() as tx:
            await tx.media.forget(deleted)
        log.info("purged dialogue's uploads", extra={"deleted": len(deleted), "kept": len(kept)})
        return notice_content(Reply.plain(deletion_notice(deleted, kept, language)))

    async def _handle_error(self, row: OutboxRow, response: ErrorResponse) -> None:
        errcode = response.status_code
        if errcode == "M_LIMIT_EXCEEDED":
            # The limit is per account, so every room waits; the message keeps its place and its attempt count.
            retry_after = (response.retry_after_ms or 1000) / 1000
            self._paused_until = self._clock() + retry_after
            log.info("rate limited by the homeserver", extra={"retry_after_s": round(retry_after, 2)})
            return
        if errcode == "M_TOO_LARGE":
            await self._give_up_too_large(row, "event")
            return
        if errcode in PERMANENT_ERRCODES:
            async with self._db.transaction() as tx:
                await tx.outbox.mark_failed(row.txn_id, f"{errcode}: {response.message}"[:300])
            log.warning("message could not be sent", extra={**_recipient(row), "errcode": errcode})
            return
        passing = is_passing_fault(response) or errcode in SESSION_REJECTED_ERRCODES
        await self._retry_later(
            row,
            describe_response(response),
            give_up_after=None if passing else MAX_UNFAMILIAR_ERROR_ATTEMPTS,
            detail=str(response.message),
        )

    async def _give_up_too_large(self, row: OutboxRow, what: str) -> None:
        """The homeserver refused the message as too large: say so where it should have gone, never drop it silently.

        Replies are split into parts that fit before they are queued (handlers/reply_parts.py), so this is a bug or a
        homeserver with a smaller limit; the operator finds the details under the reference."""
        reference = new_error_reference()
        size = _content_bytes(row.item)
        async with self._db.transaction() as tx:
            await tx.outbox.mark_failed(row.txn_id, f"M_TOO_LARGE ({what}, {size} bytes of content), ref {reference}")
            language = await _destination_language(tx, row.destination)
            notice = Reply.plain(bot_text(language, TOO_LARGE_NOTICE, reference=reference))
            await tx.outbox.enqueue(row.destination, RoomMessage(notice_content(notice)), self._clock())
        log.error(
            "message too large for the homeserver; room told",
            extra={"ref": reference, **_recipient(row), "what": what, "content_bytes": size},
        )

    async def _retry_later(self, row: OutboxRow, reason: str, *, give_up_after: int | None, detail: str = "") -> None:
        """Try `row` again after a back-off; `give_up_after` tries in all, or for ever when None (a passing fault).

        `reason` goes to the log and the row; `detail` (the server's message, which may name someone) only to the row.

        The row keeps its place at the head of its room, so nothing overtakes it. A long outage is logged at the
        1st, 2nd, 4th, 8th … try, not at every one."""
        attempts = row.attempts + 1
        stored = f"{reason}: {detail}"[:300] if detail else reason[:300]
        async with self._db.transaction() as tx:
            if give_up_after is not None and attempts >= give_up_after:
                await tx.outbox.mark_failed(row.txn_id, stored)
                log.error("message given up", extra={**_recipient(row), "reason": reason, "attempt": attempts})
                return
            delay = backoff_delay(attempts, self._max_delay)
            await tx.outbox.defer(row.txn_id, self._clock() + delay, stored)
        if worth_logging(attempts):
            log.warning(
                "message send failed; retrying",
                extra={**_recipient(row), "reason": reason, "attempt": attempts, "retry_in_s": round(delay, 1)},
            )
