"""A real Matrix user (matrix-nio AsyncClient with E2EE): the demo drives the bot with it, and so do the tests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

import nio
from nio import Api, AsyncClient, AsyncClientConfig

from demo.events import EventPredicate

log = logging.getLogger(__name__)

__all__ = ["DemoUser", "MatrixRequestError"]

_R = TypeVar("_R")

# A generous timeline limit so a burst of bot messages between two syncs never turns into a
# "limited" timeline with a gap (Synapse's default limit is 10); tests would then miss events.
_SYNC_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 500}}}
_LONG_POLL_MS = 30_000
_MEGOLM = "m.megolm.v1.aes-sha2"


class MatrixRequestError(RuntimeError):
    """A client-server API call made by a DemoUser failed."""

    def __init__(self, what: str, response: Any) -> None:
        self.response = response
        self.status_code: str | None = getattr(response, "status_code", None)
        message = getattr(response, "message", None)
        super().__init__(f"{what} failed: {self.status_code} {message or response!r}")


def _describe(event: nio.Event) -> str:
    kind = type(event).__name__
    body = getattr(event, "body", None)
    if isinstance(event, nio.RoomMemberEvent):
        return f"{kind}({event.state_key} -> {event.membership})"
    if isinstance(event, nio.UnknownEvent):
        return f"{kind}({event.type} from {event.sender})"
    if body is not None:
        short = body if len(body) <= 80 else body[:77] + "..."
        return f"{kind}({event.sender}: {short!r})"
    return f"{kind}(from {getattr(event, 'sender', '?')})"


class DemoUser:
    """A logged-in matrix-nio client with its own crypto store and a background sync loop.

    Every timeline event of every joined room is recorded (decrypted where possible) so tests can
    `wait_for` what the bot does. Create with `await DemoUser.create(...)`; always `await close()`.
    """

    def __init__(self, client: AsyncClient, password: str, *, auto_join: bool) -> None:
        self.client = client
        self.user_id: str = client.user_id
        self.password = password
        self.auto_join = auto_join
        self._timelines: dict[str, list[nio.Event]] = {}
        self._cond = asyncio.Condition()
        self._sync_task: asyncio.Task[None] | None = None
        self._joining: set[str] = set()
        self._send_lock = asyncio.Lock()
        self.last_sync_error: str | None = None
        # Errors from background work (auto-join, key upload...), surfaced in timeout messages.
        self.background_errors: list[str] = []

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    async def create(
        cls,
        homeserver: str,
        user_id: str,
        password: str,
        store_dir: Path,
        *,
        auto_join: bool = True,
        device_name: str = "harness",
    ) -> DemoUser:
        """Log in, upload device keys, start syncing, and return after the first sync."""
        await asyncio.to_thread(store_dir.mkdir, parents=True, exist_ok=True)
        config = AsyncClientConfig(
            encryption_enabled=True,
            store_sync_tokens=False,
            # Never retry 429s silently: a test must see M_LIMIT_EXCEEDED (exempt users never get
            # one), and an unbounded retry would turn a failure into a hang.
            max_limit_exceeded=0,
            max_timeouts=3,
            request_timeout=30,
        )
        client = AsyncClient(homeserver, user_id, store_path=str(store_dir), config=config)
        try:
            resp = await client.login(password, device_name=device_name)
            if not isinstance(resp, nio.LoginResponse):
                raise MatrixRequestError(f"login as {user_id}", resp)
            if client.should_upload_keys:
                upload = await client.keys_upload()
                if not isinstance(upload, nio.KeysUploadResponse):
                    raise MatrixRequestError("keys_upload", upload)
            user = cls(client, password, auto_join=auto_join)
            await user._start_sync()
        except BaseException:
            await client.close()
            raise
        return user

    async def close(self) -> None:
        """Stop the sync loop and close the HTTP session."""
        task, self._sync_task = self._sync_task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                # Only swallow the cancellation we caused; if *we* are being cancelled, propagate.
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise
            except Exception:  # the loop already died; its error was recorded
                log.debug("sync loop of %s had failed", self.user_id, exc_info=True)
        await self.client.close()

    async def _start_sync(self) -> None:
        first_sync = asyncio.Event()
        self._sync_task = asyncio.create_task(self._sync_loop(first_sync), name=f"sync {self.user_id}")
        waiter = asyncio.create_task(first_sync.wait())
        done, _ = await asyncio.wait({waiter, self._sync_task}, timeout=60, return_when="FIRST_COMPLETED")
        if waiter not in done:
            waiter.cancel()
            if self._sync_task in done:
                self._sync_task.result()  # re-raise the loop's error
            raise TimeoutError(f"first sync of {self.user_id} did not finish: {self.last_sync_error}")

    # -- sync loop ---------------------------------------------------------------------------

    async def _sync_loop(self, first_sync: asyncio.Event) -> None:
        """What nio's sync_forever does, plus recording timelines and auto-joining."""
        first = True
        while True:
            try:
                resp = await self.client.sync(
                    timeout=0 if first else _LONG_POLL_MS,
                    sync_filter=_SYNC_FILTER,
                    set_presence="online",
                )
            except nio.LocalProtocolError:
                raise  # programming error (e.g. logged out): retrying won't help
            except Exception as err:  # connection errors after nio's own retries
                self.last_sync_error = repr(err)
                await asyncio.sleep(0.5)  # back-off before retrying a failed sync, not a test wait
                continue
            if not isinstance(resp, nio.SyncResponse):
                self.last_sync_error = f"{resp.status_code}: {resp.message}"
                await asyncio.sleep(0.5)
                continue
            self.last_sync_error = None
            self._record(resp, first)
            try:
                await self._maintain_keys()
                if self.auto_join:
                    await self._join_invites(resp)
            except Exception as err:
                # Keep syncing: a failed key upload or join is retried/visible, a dead loop is not.
                log.debug("%s: sync housekeeping failed: %r", self.user_id, err)
                self.background_errors.append(f"housekeeping: {err!r}")
            first = False
            first_sync.set()
            async with self._cond:
                self._cond.notify_all()

    def _record(self, resp: nio.SyncResponse, first: bool) -> None:
        for room_id, info in resp.rooms.join.items():
            timeline = self._timelines.setdefault(room_id, [])
            if info.timeline.limited and not first and timeline:
                log.debug("%s: timeline gap in %s (limited sync); events may be missing", self.user_id, room_id)
            # nio already replaced decryptable MegolmEvents in place during receive_response.
            timeline.extend(info.timeline.events)
        self._retry_decryption()

    def _retry_decryption(self) -> None:
        """Decrypt events whose room key arrived after the event itself (a later to-device message)."""
        for room_id, timeline in self._timelines.items():
            for index, event in enumerate(timeline):
                if not isinstance(event, nio.MegolmEvent):
                    continue
                event.room_id = event.room_id or room_id
                try:
                    decrypted = self.client.decrypt_event(event)
                except nio.EncryptionError:
                    continue
                timeline[index] = decrypted

    async def _maintain_keys(self) -> None:
        calls: list[tuple[str, Callable[[], Any]]] = []
        if self.client.should_upload_keys:
            calls.append(("keys_upload", self.client.keys_upload))
        if self.client.should_query_keys:
            calls.append(("keys_query", self.client.keys_query))
        if self.client.should_claim_keys:
            users = self.client.get_users_for_key_claiming()
            calls.append(("keys_claim", lambda: self.client.keys_claim(users)))
        for name, call in calls:
            try:
                resp = await call()
            except nio.LocalProtocolError:
                continue  # raced with a send that already did it
            if isinstance(resp, nio.ErrorResponse):
                self.background_errors.append(f"{name}: {resp.status_code} {resp.message}")
        for resp in await self.client.send_to_device_messages():
            if isinstance(resp, nio.ErrorResponse):
                self.background_errors.append(f"to_device: {resp.status_code} {resp.message}")

    async def _join_invites(self, resp: nio.SyncResponse) -> None:
        # A room we left may invite us again (nio keeps left rooms in client.rooms, so track it here).
        self._joining.difference_update(resp.rooms.leave)
        for room_id in resp.rooms.invite:
            if room_id in self._joining:
                continue
            self._joining.add(room_id)
            result = await self.client.join(room_id)
            if not isinstance(result, nio.JoinResponse):
                self._joining.discard(room_id)
                self.background_errors.append(f"auto-join {room_id}: {result.status_code} {result.message}")

    # -- waiting -----------------------------------------------------------------------------

    async def _wait_until(
        self,
        check: Callable[[], _R | None],
        timeout: float,  # noqa: ASYNC109 - a deadline per wait is the API tests want
        what: Callable[[], str],
    ) -> _R:
        """Wait (on the sync condition, no polling) until `check()` returns something truthy."""
        try:
            async with asyncio.timeout(timeout), self._cond:
                while True:
                    result = check()
                    if result:
                        return result
                    if self._sync_task is None:
                        raise RuntimeError(f"{self.user_id} is closed")
                    if self._sync_task.done():
                        self._sync_task.result()  # re-raise the loop's crash instead of timing out
                        raise RuntimeError(f"sync loop of {self.user_id} stopped")
                    await self._cond.wait()
        except TimeoutError:
            raise TimeoutError(f"{self.user_id}: timed out after {timeout}s waiting for {what()}") from None

    def _context(self, room_id: str, last: int = 8) -> str:
        events = self._timelines.get(room_id, [])
        recent = "; ".join(_describe(e) for e in events[-last:]) or "(no events)"
        extra = ""
        if self.last_sync_error:
            extra += f"\n  last sync error: {self.last_sync_error}"
        if self.background_errors:
            extra += f"\n  background errors: {self.background_errors[-5:]}"
        return f"\n  last {last} events in {room_id}: {recent}{extra}"

    @staticmethod
    def _matches(predicate: EventPredicate, event: nio.Event) -> bool:
        # Predicates are usually lambdas like `lambda e: e.body == "x"`; an event of another type
        # (no .body) simply doesn't match rather than blowing up the wait.
        try:
            return bool(predicate(event))
        except (AttributeError, KeyError, TypeError):
            return False

    async def wait_for(
        self,
        room_id: str,
        predicate: EventPredicate,
        *,
        timeout: float = 30,  # noqa: ASYNC109 - per-call deadline is part of the harness API
        description: str = "",
        since: int = 0,
    ) -> nio.Event:
        """First timeline event in `room_id` (index >= `since`) satisfying `predicate`."""
        found = await self.wait_for_count(room_id, predicate, 1, timeout=timeout, description=description, since=since)
        return found[0]

    async def wait_for_count(
        self,
        room_id: str,
        predicate: EventPredicate,
        count: int,
        timeout: float = 60,  # noqa: ASYNC109
        *,
        description: str = "",
        since: int = 0,
    ) -> list[nio.Event]:
        """At least `count` matching timeline events (all matches so far are returned)."""

        def check() -> list[nio.Event] | None:
            events = self._timelines.get(room_id, [])[since:]
            matches = [e for e in events if self._matches(predicate, e)]
            return matches if len(matches) >= count else None

        def what() -> str:
            events = self._timelines.get(room_id, [])[since:]
            got = sum(1 for e in events if self._matches(predicate, e))
            label = description or getattr(predicate, "__name__", "event")
            return f"{count}x {label!r} in {room_id} (got {got}){self._context(room_id)}"

        return await self._wait_until(check, timeout, what)

    async def wait_for_any_room(
        self,
        predicate: EventPredicate,
        *,
        timeout: float = 30,  # noqa: ASYNC109 - a deadline per wait is the API tests want
        description: str = "",
    ) -> tuple[str, nio.Event]:
        """Like wait_for, in whichever room the matching event arrives (e.g. a direct room someone else created)."""

        def check() -> tuple[str, nio.Event] | None:
            for room_id in list(self._timelines):
                for event in self._timelines[room_id]:
                    if self._matches(predicate, event):
                        return room_id, event
            return None

        return await self._wait_until(check, timeout, lambda: description or "a matching event in any room")

    def events(self, room_id: str) -> list[nio.Event]:
        """Snapshot of the recorded timeline of `room_id` (use len() of it as `since` later)."""
        return list(self._timelines.get(room_id, []))

    async def wait_for_membership(
        self,
        room_id: str,
        user_id: str,
        membership: str = "join",
        timeout: float = 30,  # noqa: ASYNC109
    ) -> None:
        """Until this client sees `user_id` with `membership` in `room_id`.

        Checks nio's room state as well as the timeline: a membership that predates our own join
        arrives as state, not as a timeline event.
        """

        def check() -> bool:
            room = self.client.rooms.get(room_id)
            if room is not None:
                if membership == "join" and user_id in room.users and user_id not in room.invited_users:
                    return True
                if membership == "invite" and user_id in room.invited_users:
                    return True
            for event in reversed(self._timelines.get(room_id, [])):
                if isinstance(event, nio.RoomMemberEvent) and event.state_key == user_id:
                    return event.membership == membership
            return False

        await self._wait_until(
            check, timeout, lambda: f"{user_id} to be {membership!r} in {room_id}{self._context(room_id)}"
        )

    async def _wait_room_known(
        self,
        room_id: str,
        *,
        encrypted: bool = False,
        timeout: float = 30,  # noqa: ASYNC109
    ) -> nio.MatrixRoom:
        """nio can only send into rooms it has synced; wait for that (and for the encryption state)."""

        def check() -> nio.MatrixRoom | None:
            room = self.client.rooms.get(room_id)
            if room is None or (encrypted and not room.encrypted):
                return None
            return room

        return await self._wait_until(check, timeout, lambda: f"room {room_id} to appear in sync")

    # -- room management ---------------------------------------------------------------------

    async def create_room(
        self,
        *,
        encrypted: bool,
        invite: Sequence[str] = (),
        name: str | None = None,
        is_direct: bool = False,
        power_levels: dict[str, Any] | None = None,
    ) -> str:
        """Create a private room (server default room version); returns its ID once synced."""
        initial_state = (
            [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": _MEGOLM}}] if encrypted else []
        )
        resp = await self.client.room_create(
            name=name,
            invite=list(invite),
            is_direct=is_direct,
            initial_state=initial_state,
            power_level_override=power_levels,
        )
        if not isinstance(resp, nio.RoomCreateResponse):
            raise MatrixRequestError("room_create", resp)
        await self._wait_room_known(resp.room_id, encrypted=encrypted)
        return str(resp.room_id)

    async def invite(self, room_id: str, user_id: str) -> None:
        resp = await self.client.room_invite(room_id, user_id)
        if not isinstance(resp, nio.RoomInviteResponse):
            raise MatrixRequestError(f"invite {user_id} to {room_id}", resp)

    async def join(self, room_id: str) -> None:
        resp = await self.client.join(room_id)
        if not isinstance(resp, nio.JoinResponse):
            raise MatrixRequestError(f"join {room_id}", resp)
        await self._wait_room_known(room_id)

    async def leave(self, room_id: str) -> None:
        resp = await self.client.room_leave(room_id)
        if not isinstance(resp, nio.RoomLeaveResponse):
            raise MatrixRequestError(f"leave {room_id}", resp)

    # -- sending -----------------------------------------------------------------------------

    async def _prepare_encrypted(self, room_id: str) -> None:
        """Make sure the next megolm session reaches every device currently in the room.

        nio's room_send only refreshes members/keys when it has never synced the member list, and it
        keeps using an already-shared session. If someone joined (or added a device) since, and our
        sync or key query hasn't caught up, they would silently get no room key. So: fetch members
        from the server, query outdated device lists, and drop the outbound session if it misses a
        known device so room_send shares a fresh one.
        """
        members = await self.client.joined_members(room_id)
        if not isinstance(members, nio.JoinedMembersResponse):
            raise MatrixRequestError(f"joined_members {room_id}", members)
        for _ in range(3):
            if not self.client.should_query_keys:
                break
            query = await self.client.keys_query()
            if not isinstance(query, nio.KeysQueryResponse):
                raise MatrixRequestError("keys_query", query)

        olm = self.client.olm
        assert olm is not None
        session = olm.outbound_group_sessions.get(room_id)
        if session is None or not session.shared:
            return
        room = self.client.rooms[room_id]
        covered = session.users_shared_with | session.users_ignored
        for member in room.users:
            for device in olm.device_store.active_user_devices(member):
                if member == self.user_id and device.id == self.client.device_id:
                    continue
                if (member, device.id) not in covered and not olm.is_device_blacklisted(device):
                    log.debug("%s: re-keying %s for new device %s/%s", self.user_id, room_id, member, device.id)
                    self.client.invalidate_outbound_session(room_id)
                    return

    async def room_send_raw(
        self, room_id: str, event_type: str, content: dict[str, Any]
    ) -> nio.RoomSendResponse | nio.RoomSendError:
        """nio's room_send (encrypting in encrypted rooms), returning the raw response."""
        async with self._send_lock:
            room = await self._wait_room_known(room_id)
            if room.encrypted:
                await self._prepare_encrypted(room_id)
            # Trust on first use: test users never verify each other's devices.
            return await self.client.room_send(room_id, event_type, content, ignore_unverified_devices=True)

    async def send_event(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        """Send any room event; raises MatrixRequestError on failure. Returns the event ID."""
        resp = await self.room_send_raw(room_id, event_type, content)
        if not isinstance(resp, nio.RoomSendResponse):
            raise MatrixRequestError(f"send {event_type} to {room_id}", resp)
        return str(resp.event_id)

    async def send_text(
        self,
        room_id: str,
        body: str,
        *,
        msgtype: str = "m.text",
        extra_content: dict[str, Any] | None = None,
        formatted_body: str | None = None,
    ) -> str:
        content: dict[str, Any] = {"msgtype": msgtype, "body": body}
        if formatted_body is not None:
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = formatted_body
        if extra_content:
            content.update(extra_content)
        return await self.send_event(room_id, "m.room.message", content)

    async def send_reaction(self, room_id: str, event_id: str, key: str, *, encrypt: bool = True) -> str:
        """React to an event. Encrypted in encrypted rooms by default, as Element does.

        nio's room_send never encrypts m.reaction (an old spec gap), so with `encrypt=True` we
        encrypt ourselves; `encrypt=False` reproduces what nio-based clients send.
        """
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        room = await self._wait_room_known(room_id)
        if not (encrypt and room.encrypted):
            return await self.send_event(room_id, "m.reaction", content)
        async with self._send_lock:
            await self._prepare_encrypted(room_id)
            olm = self.client.olm
            assert olm is not None
            if olm.should_share_group_session(room_id):
                shared = await self.client.share_group_session(room_id, ignore_unverified_devices=True)
                if not isinstance(shared, nio.ShareGroupSessionResponse):
                    raise MatrixRequestError("share_group_session", shared)
            event_type, encrypted = self.client.encrypt(room_id, "m.reaction", content)
            method, path, data = Api.room_send(self.client.access_token, room_id, event_type, encrypted, uuid4())
            # AsyncClient has no public "send already-encrypted content"; _send is what room_send uses.
            resp = await self.client._send(nio.RoomSendResponse, method, path, data, (room_id,))
        if not isinstance(resp, nio.RoomSendResponse):
            raise MatrixRequestError(f"send m.reaction to {room_id}", resp)
        return str(resp.event_id)

    async def redact(self, room_id: str, event_id: str, reason: str | None = None) -> str:
        resp = await self.client.room_redact(room_id, event_id, reason=reason)
        if not isinstance(resp, nio.RoomRedactResponse):
            raise MatrixRequestError(f"redact {event_id}", resp)
        return str(resp.event_id)

    async def edit(self, room_id: str, event_id: str, new_body: str) -> str:
        content = {
            "msgtype": "m.text",
            "body": f"* {new_body}",
            "m.new_content": {"msgtype": "m.text", "body": new_body},
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
        }
        return await self.send_event(room_id, "m.room.message", content)

    async def send_thread_reply(self, room_id: str, root_event_id: str, body: str) -> str:
        content = {
            "msgtype": "m.text",
            "body": body,
            "m.relates_to": {
                "rel_type": "m.thread",
                "event_id": root_event_id,
                # Fallback for clients without thread support, as Element sends it.
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": root_event_id},
            },
        }
        return await self.send_event(room_id, "m.room.message", content)

    def __repr__(self) -> str:
        return f"<DemoUser {self.user_id}>"
