"""Logging in once, then restoring the same device on every start.

The device is the bot's end-to-end encryption identity: logging out, or logging in again as a new device, would
throw away the keys participants shared with it. So the access token and device ID are stored after the first
password login and restored from then on, and the bot never logs out.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

from nio import AsyncClient, AsyncClientConfig, LoginResponse, WhoamiError, WhoamiResponse

from bot.backoff import backoff_delay
from bot.errors import (
    NETWORK_ERRORS,
    SESSION_REJECTED_ADVICE,
    LoginError,
    describe_response,
    is_passing_fault,
)
from bot.file_modes import PRIVATE_FILE, make_private_dir, secure_data_dir, write_private_file
from bot.server_state_client import ServerStateClient
from config import Settings
from storage import Database

log = logging.getLogger(__name__)

SESSION_KEY = "matrix.session"
# Inside bot.data_dir: nio's key store, and the key that encrypts it.
CRYPTO_DIR = "crypto"
PICKLE_KEY_FILE = "pickle.key"
_Response = TypeVar("_Response")


@dataclass(frozen=True, slots=True)
class StoredSession:
    user_id: str
    device_id: str
    access_token: str


def read_or_create_pickle_key(path: Path) -> str:
    """The key that encrypts the crypto store at rest: random, made once, readable only by the bot's user.

    Written atomically and fsynced: losing it, or keeping half of it, would make the crypto store unreadable."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(32)
        write_private_file(path, (key + "\n").encode())
        return key
    path.chmod(PRIVATE_FILE)  # a key restored or copied by hand may have come back with looser permissions
    return key


async def prepare_data_dir(data_dir: Path) -> Path:
    """Create the data directory and its crypto store folder, both 0700; return the crypto folder."""
    crypto_dir = data_dir / CRYPTO_DIR

    def make() -> None:
        make_private_dir(data_dir)
        make_private_dir(crypto_dir)

    await asyncio.to_thread(make)
    return crypto_dir


async def open_client(settings: Settings, db: Database) -> AsyncClient:
    """A logged-in client: the stored session if there is one, else the configured token, else a password login."""
    matrix = settings.matrix
    crypto_dir = await prepare_data_dir(settings.bot.data_dir)
    pickle_key = (
        await asyncio.to_thread(read_or_create_pickle_key, settings.bot.data_dir / PICKLE_KEY_FILE)
        if matrix.encryption
        else "unused"
    )
    client_config = AsyncClientConfig(
        encryption_enabled=matrix.encryption,
        store_sync_tokens=False,
        pickle_key=pickle_key,
        # Retries, rate limits and back-off are the bot's own policy (sync loop and sender), not nio's.
        max_limit_exceeded=0,
        max_timeouts=0,
        request_timeout=matrix.request_timeout_seconds,
    )
    stored = await _load_session(db)
    if stored is not None and stored.user_id != matrix.user_id:
        raise LoginError(
            f"The data directory {settings.bot.data_dir} holds a session for another account than "
            "matrix.user_id. Use a separate data directory for each bot account."
        )
    # Room state from the server only: a decrypted payload never changes power levels, members or anything else.
    client = ServerStateClient(
        matrix.homeserver,
        user=matrix.user_id,
        device_id=stored.device_id if stored else matrix.device_id,
        store_path=str(crypto_dir) if matrix.encryption else "",
        config=client_config,
    )
    try:
        if stored is not None:
            client.restore_login(stored.user_id, stored.device_id, stored.access_token)
            log.info("session restored", extra={"device_id": stored.device_id})
        elif matrix.access_token is not None and matrix.device_id:
            client.restore_login(matrix.user_id, matrix.device_id, matrix.access_token.get_secret_value())
            await _save_session(db, StoredSession(matrix.user_id, matrix.device_id, client.access_token))
            log.info("session from configured access token", extra={"device_id": matrix.device_id})
        elif matrix.password is not None:
            await _password_login(client, settings, db)
        else:
            raise LoginError("No credentials: set a password or an access token (see `dialogue-bot check-config`).")
        await _confirm_identity(client, settings)
        # nio has created its key store by now, with the umask's mode; make it (and anything else there) private.
        await asyncio.to_thread(secure_data_dir, settings.bot.data_dir)
    except BaseException:
        await client.close()
        raise
    return client


async def until_answered(
    step: str, request: Callable[[], Awaitable[_Response]], succeeded: type, max_delay: float
) -> _Response:
    """Make `request` until the homeserver answers it: a success, or a refusal that trying again will not change.

    Refused connections, timeouts, 5xx pages from a proxy, M_UNKNOWN and the like mean the homeserver is down or
    starting: the bot waits (doubling the pause up to `max_delay`) and logs every attempt, instead of exiting into
    a service manager that might not restart it. SIGINT and SIGTERM still stop it at once (the caller cancels)."""
    attempt = 0
    while True:
        attempt += 1
        try:
            response = await request()
        except NETWORK_ERRORS as error:  # not LocalProtocolError: nio refusing to send is a bug, not an outage
            reason = f"{type(error).__name__}: {error}"[:200]
        else:
            if isinstance(response, succeeded) or not is_passing_fault(response):
                if attempt > 1:
                    log.info("homeserver answered", extra={"step": step, "attempt": attempt})
                return response
            reason = describe_response(response)
        delay = backoff_delay(attempt, max_delay)
        log.warning(
            "homeserver unavailable at start; retrying",
            extra={"step": step, "attempt": attempt, "reason": reason, "retry_in_s": round(delay, 1)},
        )
        await asyncio.sleep(delay)


async def _password_login(client: AsyncClient, settings: Settings, db: Database) -> None:
    assert settings.matrix.password is not None
    password = settings.matrix.password.get_secret_value()
    response = await until_answered(
        "password login",
        lambda: client.login(password, device_name=settings.matrix.device_name),
        LoginResponse,
        settings.matrix.retry_max_seconds,
    )
    if not isinstance(response, LoginResponse):
        raise LoginError(
            f"The homeserver refused the password login ({describe_response(response)}: "
            f"{getattr(response, 'message', response)}). Check matrix.user_id and the password (changed? the "
            "account deactivated or locked?), then start the bot again."
        )
    await _save_session(db, StoredSession(response.user_id, response.device_id, response.access_token))
    log.info("logged in with password; session stored", extra={"device_id": response.device_id})


async def _confirm_identity(client: AsyncClient, settings: Settings) -> None:
    """Ask the homeserver who we are, so a revoked token fails now with a clear message, not later in sync."""
    response = await until_answered("session check", client.whoami, WhoamiResponse, settings.matrix.retry_max_seconds)
    if isinstance(response, WhoamiError):
        raise LoginError(
            f"The homeserver rejected the bot's session ({describe_response(response)}). {SESSION_REJECTED_ADVICE}"
        )
    assert isinstance(response, WhoamiResponse)
    if response.user_id != settings.matrix.user_id:
        raise LoginError(
            f"The access token belongs to another account than matrix.user_id ({settings.matrix.user_id})."
        )


async def _load_session(db: Database) -> StoredSession | None:
    async with db.transaction() as tx:
        raw = await tx.state.get(SESSION_KEY)
    if raw is None:
        return None
    return StoredSession(**json.loads(raw))


async def _save_session(db: Database, session: StoredSession) -> None:
    async with db.transaction() as tx:
        await tx.state.set(SESSION_KEY, json.dumps(asdict(session)))


async def forget_session(db: Database) -> bool:
    """Drop the stored session (for `reset-session`); returns whether there was one."""
    async with db.transaction() as tx:
        existed = await tx.state.get(SESSION_KEY) is not None
        await tx.state.delete(SESSION_KEY)
    return existed
