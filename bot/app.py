"""The bot's one lifespan: start in order, stop in reverse.

Start: database and migrations, login (restoring the stored device), then the sync loop, the inbox processor and
the sender as owned background tasks (and the web view, web/, when `web.listen` is set). Stop (SIGINT, SIGTERM, or
a fatal error in any task): stop syncing, let the processor finish the event in hand, give the sender a few seconds
to flush (what is left stays in the durable outbox for the next start), close the client without logging out, close
the database.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nio import AsyncClient

from bot.attachments import AttachmentFetcher
from bot.disk_space import DiskSpace
from bot.errors import DatabaseError
from bot.processor import InboxProcessor
from bot.pruner import Pruner
from bot.room_state import RoomDirectory
from bot.scheduler import ScheduleRunner
from bot.sender import OutboxSender
from bot.session import open_client
from bot.slow_work_runner import SlowWorkRunner
from bot.sync_loop import SyncLoop
from bot.undecrypted import UndecryptedEvents
from config import Settings
from handlers.context import BotInfo
from handlers.registry import build_registry
from storage import Database, DatabaseCorruptError, SchemaTooNewError
from storage.backup import SECRETS_REMOVED_KEY
from storage.postgres_database import DESCRIPTION as POSTGRES_DESCRIPTION
from storage.postgres_database import PostgresDatabase

if TYPE_CHECKING:
    from web.draft import Compile
    from web.server import WebServer

log = logging.getLogger(__name__)

FLUSH_SECONDS_ON_STOP = 5.0
CANCEL_RETRY_SECONDS = 2.0
"""How long a background task may take to end after its cancellation before it is cancelled again."""


def bot_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dialogue-bot")
    except PackageNotFoundError:
        return "0+unknown"


def corrupt_database_error(path: Path | str, error: DatabaseCorruptError) -> DatabaseError:
    """What the operator reads, in one line, when the database is damaged: what, where, and what to do."""
    return DatabaseError(
        f"the database {path} is damaged ({error}). Stop the bot, move the data directory aside and restore the "
        "latest backup with `dialogue-bot restore BACKUP --config FILE`; see docs/operations.md, Corrupt database"
    )


def database_location(db: Database) -> Path | str:
    """How messages name the database: its file, or (PostgreSQL) the config key, never the DSN with its password."""
    return db.path if db.backend == "sqlite" else POSTGRES_DESCRIPTION


async def open_database(settings: Settings) -> Database:
    """The database `storage.backend` names: the SQLite file in `bot.data_dir`, or PostgreSQL (`storage.dsn`)."""
    path: Path | str = settings.bot.data_dir / "bot.db"
    try:
        if settings.storage.backend == "postgres" and settings.storage.dsn is not None:
            path = POSTGRES_DESCRIPTION
            return await PostgresDatabase.connect(settings.storage.dsn.get_secret_value())
        return await Database.open(settings.bot.data_dir / "bot.db")
    except SchemaTooNewError as error:
        raise DatabaseError(str(error)) from error
    except DatabaseCorruptError as error:
        raise corrupt_database_error(path, error) from error


async def _refuse_a_backup_without_its_secrets(db: Database) -> None:
    """A backup's bot.db has no dialogue secrets: running on it would give everyone new pseudonyms (edits, withdrawals
    and support would stop matching), so the bot stops until `dialogue-bot restore` puts them back."""
    async with db.transaction() as tx:
        marker = await tx.state.get(SECRETS_REMOVED_KEY)
    if marker is not None:
        raise DatabaseError(
            f"{database_location(db)} is a backup copy without its secrets; rebuild the data directory with "
            "`dialogue-bot restore`"
        )


class BotApp:
    """Owns the client, the database and the three background tasks."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._stop_requested = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def request_stop(self) -> None:
        self._stop_requested.set()

    async def run(self) -> None:
        db = await open_database(self._settings)
        try:
            await _refuse_a_backup_without_its_secrets(db)
            client = await self._unless_stopped(open_client(self._settings, db))
            if client is None:
                log.info("stop requested before the homeserver answered")
                return
            try:
                await self._serve(client, db)
            except DatabaseCorruptError as error:
                # Met while running: stop with exit 6 (no restart loop), as at start.
                raise corrupt_database_error(database_location(db), error) from error
            finally:
                # Close the HTTP session only: logging out would destroy the device and its encryption keys.
                await client.close()
        finally:
            await db.close()
            log.info("stopped")

    async def _unless_stopped(self, opening: Coroutine[Any, Any, AsyncClient]) -> AsyncClient | None:
        """Log in (which waits out an unreachable homeserver for as long as it takes), unless SIGINT or SIGTERM
        comes first: then the login is cancelled (it closes its HTTP session) and None is returned."""
        login = asyncio.ensure_future(opening)
        stop_waiter = asyncio.ensure_future(self._stop_requested.wait())
        try:
            await asyncio.wait([login, stop_waiter], return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop_waiter.cancel()
            if not login.done():
                login.cancel()
                await asyncio.wait([login])
        if login.cancelled():
            return None
        return login.result()

    async def _serve(self, client: AsyncClient, db: Database) -> None:
        settings = self._settings
        bot_info = BotInfo(
            user_id=client.user_id,
            version=bot_version(),
            started_at=time.time(),
            encryption_enabled=client.olm is not None,
        )
        rooms = RoomDirectory()
        disk = DiskSpace(db, settings.bot.data_dir)
        # The three parts wake each other; the lambdas let each be built before the one it wakes.
        undecrypted = UndecryptedEvents(
            client, db, settings, on_decrypted=lambda: processor.wake(), on_outbox_changed=lambda: sender.wake()
        )
        sync = SyncLoop(
            client, db, settings, rooms, on_new_events=lambda: processor.wake(), undecrypted=undecrypted, disk=disk
        )
        sender = OutboxSender(
            client, db, max_delay=settings.matrix.retry_max_seconds, ready=sync.first_sync_done, disk=disk
        )
        scheduler = ScheduleRunner(
            db,
            on_injected=lambda: processor.wake(),
            grace_seconds=settings.bot.startup_grace_minutes * 60,
            default_timezone=settings.bot.timezone,
            disk=disk,
        )
        # One compile worker (bot/compile_worker.py) for chat's compiles and the web view's drafts.
        slow_work = SlowWorkRunner(AttachmentFetcher(client))
        processor = InboxProcessor(
            client,
            db,
            settings,
            build_registry(),
            bot_info,
            rooms,
            on_outbox_changed=sender.wake,
            ready=sync.first_sync_done,
            on_agenda_may_have_changed=scheduler.rebuild,
            disk=disk,
            slow_work_runner=slow_work,
        )
        # Built (its key read) before any task starts, so a failure here leaves no task behind.
        web_server = await self._web_server(db, slow_work.compile)
        sync_task = self._spawn(sync.run(), "sync")
        processor_task = self._spawn(processor.run(), "processor")
        sender_task = self._spawn(sender.run(), "sender")
        pruner_task = self._spawn(Pruner(db, retention_days=settings.bot.retention_days, disk=disk).run(), "pruner")
        disk_task = self._spawn(disk.run(), "disk space")
        web_task = self._spawn(web_server.run(), "web view") if web_server is not None else None
        stop_waiter = asyncio.ensure_future(self._stop_requested.wait())
        try:
            # Inside the try: a scheduler that fails to start must still take the tasks above down in order.
            await scheduler.start()
            log.info(
                "started",
                extra={
                    "version": bot_info.version,
                    "device_id": client.device_id,
                    "encryption": bot_info.encryption_enabled,
                },
            )
            done, _ = await asyncio.wait([stop_waiter, *self._tasks], return_when=asyncio.FIRST_COMPLETED)
            failed = next((task for task in done if task is not stop_waiter), None)
            if failed is None:
                log.info("stopping")
        finally:
            stop_waiter.cancel()
            scheduler.shutdown()
            await self._cancel(sync_task)
            await self._cancel(processor_task)
            await self._cancel(sender_task)
            await self._cancel(pruner_task)
            await self._cancel(disk_task)
            if web_task is not None:
                await self._cancel(web_task)
            await slow_work.close()  # the processor closed it too, but a page view may have started another since
            if self._stop_requested.is_set() and not disk.paused:
                left = await sender.flush(time.time() + FLUSH_SECONDS_ON_STOP)
                if left:
                    log.info("outbox kept for the next start", extra={"pending": left})
        # A background task that ended on its own ended with an error (they loop forever otherwise).
        if failed is not None:
            failed.result()
            raise RuntimeError(f"background task {failed.get_name()} ended unexpectedly")

    async def _web_server(self, db: Database, compile: Compile) -> WebServer | None:
        """The web view (web/) when `web.listen` is set, to run as one more owned task (the bot stops if it cannot
        bind); None otherwise."""
        if self._settings.web.listen is None:
            return None
        from web.server import WebServer, build_app
        from web.tokens import LinkSigner, read_or_create_key

        key = await asyncio.to_thread(read_or_create_key, self._settings.bot.data_dir)
        app = build_app(db, self._settings, LinkSigner(key), compile=compile)
        return WebServer(app, self._settings.web.listen)

    def _spawn(self, coroutine: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.create_task(coroutine, name=name)
        self._tasks.append(task)
        return task

    @staticmethod
    async def _cancel(task: asyncio.Task[None]) -> None:
        """Cancel `task` and wait for it to end, cancelling again if it swallowed the first one.

        A library that catches CancelledError (or Python 3.11's wait_for, gh-86296) would otherwise leave the bot
        deaf to SIGTERM; the warning names the task and where it was, so the swallower can be found."""
        while not task.done():
            task.cancel()
            # asyncio.wait does not raise the task's CancelledError, so a cancellation of *this* task still propagates.
            await asyncio.wait([task], timeout=CANCEL_RETRY_SECONDS)
            if not task.done():
                where = [f"{frame.f_code.co_filename}:{frame.f_lineno}" for frame in task.get_stack(limit=8)]
                log.warning(
                    "task ignored its cancellation; cancelling again", extra={"task": task.get_name(), "at": where}
                )


async def run_bot(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM, both of which take the same clean path."""
    app = BotApp(settings)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, app.request_stop)
    try:
        await app.run()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
