"""Shared fixtures: one real Synapse per pytest run, real Matrix users, and the bot as a process.

Nothing here installs or downloads anything: Synapse and matrix-nio come from the venv.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from devserver.bot_process import BotProcess
from devserver.synapse import SynapseServer
from tests.support.matrix_user import TestUser

_FAILED_KEY = pytest.StashKey[bool]()

# The PostgreSQL server and the sqlite/postgres `storage_location` parametrisation (tests/support/postgres.py).
pytest_plugins = ["tests.support.postgres"]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    # Remember whether setup/call failed so fixtures can dump diagnostics on teardown.
    report = yield
    if report.failed:
        item.stash[_FAILED_KEY] = True
    return report


def _test_failed(request: pytest.FixtureRequest) -> bool:
    return request.node.stash.get(_FAILED_KEY, False)


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """One throwaway Synapse on 127.0.0.1 for the whole run (synchronous, so session scope is simple)."""
    server = SynapseServer(tmp_path_factory.mktemp("synapse"))
    try:
        server.start()
        yield server
    finally:
        # Also runs on failures/KeyboardInterrupt; SynapseServer additionally registers atexit and
        # PR_SET_PDEATHSIG so a killed pytest doesn't leave it behind.
        server.stop()


class MakeUser(Protocol):
    def __call__(self, name: str = "user", *, exempt: bool = True, auto_join: bool = True) -> Awaitable[TestUser]: ...


@pytest.fixture
async def make_user(synapse: SynapseServer, tmp_path: Path) -> AsyncIterator[MakeUser]:
    """Factory: `alice = await make_user("alice")` -> a logged-in, syncing E2EE TestUser."""
    users: list[TestUser] = []

    async def factory(name: str = "user", *, exempt: bool = True, auto_join: bool = True) -> TestUser:
        localpart = f"{name}-{secrets.token_hex(3)}"
        password = secrets.token_urlsafe(12)
        # Blocking urllib calls: keep them off the loop so other users' sync loops keep running.
        user_id = await asyncio.to_thread(synapse.register, localpart, password)
        if exempt:
            await asyncio.to_thread(synapse.exempt_from_rate_limits, user_id)
        user = await TestUser.create(
            synapse.url, user_id, password, tmp_path / "users" / localpart, auto_join=auto_join
        )
        users.append(user)
        return user

    yield factory
    # Close concurrently; one failing close must not leak the others' sessions.
    results = await asyncio.gather(*(u.close() for u in users), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise errors[0]


BotFactory = Callable[..., Awaitable[BotProcess]]


@pytest.fixture
async def bot_factory(
    synapse: SynapseServer, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[BotFactory]:
    """Factory: `bot = await bot_factory(encryption=False, ...)` -> a *running* BotProcess.

    Keyword arguments are those of `BotProcess.create`, plus `start=False` to only write the config.
    Every bot is SIGKILLed at teardown; if the test failed, the tail of each bot's log is printed
    (pytest shows it under "Captured stdout teardown").
    """
    bots: list[BotProcess] = []

    async def factory(*, start: bool = True, **kwargs: Any) -> BotProcess:
        base_dir = tmp_path / f"bot{len(bots)}"
        bot = await asyncio.to_thread(BotProcess.create, synapse, base_dir, **kwargs)
        bots.append(bot)
        if start:
            await bot.start()
        return bot

    try:
        yield factory
    finally:
        for bot in bots:
            await bot.kill()
        if _test_failed(request):
            for bot in bots:
                print(f"\n{bot!r} exit={bot.returncode}\n{bot.log_tail(80)}")
