"""A real PostgreSQL server for the tests, from the pgserver wheel, and the `backend` parametrisation.

One server per pytest run (like Synapse), started off the event loop; each test gets its own schema in it (a few
milliseconds to create, against a third of a second for a database), named in the DSN's `search_path`, so tests stay
independent and the bot's per-schema writer lock never couples two of them.

Loaded as a plugin by tests/conftest.py. Fixtures:

* ``postgres`` (session): the running server.
* ``postgres_dsn``: a DSN for a fresh, empty schema, dropped after the test.
* ``storage_location`` (parametrised ``sqlite`` / ``postgres``): a SQLite file path or a PostgreSQL DSN; open it with
  :func:`open_database`. A storage test takes this instead of ``tmp_path / "bot.db"`` to run on both backends.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
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
    import pgserver  # imported here: only tests that use PostgreSQL pay for loading it

    server = pgserver.get_server(folder, cleanup_mode="stop")
    return PostgresServer(server.get_uri()), server


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run (a synchronous fixture: started before any event loop runs)."""
    found, server = start_server(tmp_path_factory.mktemp("postgres"))
    try:
        yield found
    finally:
        server.cleanup()


@pytest.fixture
async def postgres_dsn(postgres: PostgresServer) -> AsyncIterator[str]:
    """A DSN for a schema of its own, empty; dropped with everything in it after the test."""
    schema = f"test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(postgres.uri)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
    finally:
        await admin.close()
    yield postgres.dsn(schema)
    admin = await asyncpg.connect(postgres.uri)
    try:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        await admin.close()


@pytest.fixture(params=BACKENDS)
def storage_location(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a test's database lives: a SQLite file, or (the ``postgres`` run) a fresh PostgreSQL schema's DSN."""
    if request.param == "sqlite":
        return tmp_path / "bot.db"
    dsn: str = request.getfixturevalue("postgres_dsn")
    return dsn


async def open_database(location: Path | str) -> Database:
    """Open the bot's Database at a location from :func:`storage_location`, migrated to the latest schema."""
    if isinstance(location, Path):
        return await Database.open(location)
    from storage.postgres_database import PostgresDatabase

    return await PostgresDatabase.connect(location)
