"""A real PostgreSQL server for the tests, from the pgserver wheel, and the `backend` parametrisation.

One server per pytest run (like Synapse), started off the event loop; each test gets its own schema in it (a few
milliseconds to create, against a third of a second for a database), named in the DSN's `search_path`, so tests stay
independent and the bot's per-schema writer lock never couples two of them.

Loaded as a plugin by tests/conftest.py. Fixtures:

* ``postgres`` (session): the running server.
* ``postgres_dsn``: a DSN for a fresh, empty schema, dropped after the test.
* ``postgres_migrated_dsn``: a DSN for an empty schema at the latest version, reused (emptied) by later tests.
* ``storage_location`` (parametrised ``sqlite`` / ``postgres``): a SQLite file path or a PostgreSQL DSN; open it with
  :func:`open_database`. A storage test takes this instead of ``tmp_path / "bot.db"`` to run on both backends.
* ``bot_storage`` (parametrised the same way): the bot config for that backend, for integration tests; read such a
  bot's database with :class:`BotDatabase`.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import sqlite3
import tempfile
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import asyncpg
import pytest

from storage import Database

BACKENDS = ("sqlite", "postgres")


@dataclass(frozen=True)
class PostgresServer:
    """The test server: ``uri`` reaches its ``postgres`` database over a unix socket, as its superuser."""

    uri: str

    def dsn(self, schema: str) -> str:
        """A DSN whose connections work in ``schema`` (asyncpg passes unknown query keys on as server settings)."""
        parts = urlsplit(self.uri)
        setting = urlencode({"search_path": schema})
        query = f"{parts.query}&{setting}" if parts.query else setting
        return urlunsplit(parts._replace(query=query))


def start_server(folder: Path) -> tuple[PostgresServer, Any]:
    """Start PostgreSQL with its data in ``folder`` (blocking: about a second on first start)."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (as in CI containers) and falls back to /tmp: harmless.
        warnings.simplefilter("ignore")
        import pgserver  # imported here: only tests that use PostgreSQL pay for loading it

        server = pgserver.get_server(folder, cleanup_mode="stop")
    return PostgresServer(server.get_uri()), server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run (a synchronous fixture: started before any event loop runs).

    Its data goes in a folder of its own under the system's temp dir, not pytest's: run as root, pgserver hands the
    folder to an unprivileged user, who cannot reach into pytest's root-only tree to stop the server cleanly."""
    folder = Path(tempfile.mkdtemp(prefix="dialogue-bot-postgres-"))
    found, server = start_server(folder)
    try:
        yield found
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@asynccontextmanager
async def _admin(postgres: PostgresServer) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the server as its superuser, for creating, emptying and dropping schemas; closed after."""
    admin = await asyncpg.connect(postgres.uri)
    try:
        yield admin
    finally:
        await admin.close()


async def _new_schema(postgres: PostgresServer) -> str:
    """The name of a new, empty schema of its own."""
    schema = f"test_{secrets.token_hex(6)}"
    async with _admin(postgres) as admin:
        await admin.execute(f"CREATE SCHEMA {schema}")
    return schema


@pytest.fixture
async def postgres_dsn(postgres: PostgresServer) -> AsyncIterator[str]:
    """A DSN for a schema of its own, empty; dropped with everything in it after the test."""
    schema = await _new_schema(postgres)
    yield postgres.dsn(schema)
    async with _admin(postgres) as admin:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")


# Schemas already migrated to the latest version and emptied by the test that last used one: migrating a fresh
# schema (15 steps, each its own transaction) costs about a second on a loaded machine, emptying one a few ms.
_SPARE_SCHEMAS: list[str] = []


async def _emptied(admin: asyncpg.Connection, schema: str) -> bool:
    """Empty every table of ``schema`` but its schema version, restarting identities; False if it is not reusable
    (a test changed its version or its tables)."""
    from storage.migrations import latest_version

    version = await admin.fetchval(f"SELECT version FROM {schema}.schema_version WHERE id = 1")
    if version != latest_version():
        return False
    tables = await admin.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'schema_version'",
        schema,
    )
    await admin.execute(f"TRUNCATE {', '.join(f'{schema}.{row[0]}' for row in tables)} RESTART IDENTITY")
    return True


@pytest.fixture
async def postgres_migrated_dsn(postgres: PostgresServer) -> AsyncIterator[str]:
    """A DSN for a schema of its own, at the latest version and empty (as a freshly opened database is); emptied
    after the test for the next one, or dropped if the test left it otherwise."""
    schema = _SPARE_SCHEMAS.pop() if _SPARE_SCHEMAS else await _new_schema(postgres)
    yield postgres.dsn(schema)
    async with _admin(postgres) as admin:
        exists = await admin.fetchval("SELECT 1 FROM information_schema.tables WHERE table_schema = $1", schema)
        if exists and await _emptied(admin, schema):
            _SPARE_SCHEMAS.append(schema)
        else:
            await admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=BACKENDS)
def storage_location(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a test's database lives: a SQLite file, or (the ``postgres`` run) a PostgreSQL schema's DSN, empty and
    (unless it is the schema's first test) already migrated: tests of migrating itself take ``postgres_dsn``."""
    if request.param == "sqlite":
        return tmp_path / "bot.db"
    dsn: str = request.getfixturevalue("postgres_migrated_dsn")
    return dsn


async def open_database(location: Path | str) -> Database:
    """Open the bot's Database at a location from :func:`storage_location`, migrated to the latest schema."""
    if isinstance(location, Path):
        return await Database.open(location)
    from storage.postgres_database import PostgresDatabase

    return await PostgresDatabase.connect(location)


@pytest.fixture(params=BACKENDS)
def bot_storage(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Extra bot config for each backend: nothing (the SQLite file in its data_dir), or PostgreSQL in a fresh schema.

    Give it to ``bot_factory(extra_config=...)`` to run an integration test once per backend."""
    if request.param == "sqlite":
        return {}
    dsn: str = request.getfixturevalue("postgres_dsn")
    return {"storage": {"backend": "postgres", "dsn": dsn}}


class BotDatabase:
    """A look into a bot's database from the test, whichever backend its config names, as it runs or after a kill.

    SQLite is read through a read-only connection in a worker thread; PostgreSQL through one connection of the
    test's own. ``rows`` takes the repositories' ``?`` SQL on both. Use as ``async with BotDatabase(bot) as db``."""

    def __init__(self, data_dir: Path, config: dict[str, Any]) -> None:
        storage = config.get("storage", {})
        self._dsn: str | None = storage.get("dsn") if storage.get("backend") == "postgres" else None
        self._path = data_dir / "bot.db"
        self._conn: asyncpg.Connection | None = None

    async def __aenter__(self) -> BotDatabase:
        if self._dsn is not None:
            self._conn = await asyncpg.connect(self._dsn)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._conn is not None:
            await self._conn.close()

    async def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Every row of a read-only query, as plain tuples."""
        if self._conn is not None:
            from storage.postgres import numbered_placeholders

            return [tuple(record) for record in await self._conn.fetch(numbered_placeholders(sql), *params)]
        return await asyncio.to_thread(self._sqlite_rows, sql, params)

    def _sqlite_rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(f"file:{self._path}?mode=ro", uri=True, timeout=30)) as db:
            return [tuple(row) for row in db.execute(sql, params)]
