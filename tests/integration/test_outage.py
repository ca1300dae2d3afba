"""Homeserver outages against a real Synapse: stopped and restarted, behind a proxy that answers 502 or never answers.

This module has its own Synapse (the `synapse` fixture below overrides the session's), so stopping it disturbs no
other test. The bot reaches it through a FaultProxy where a test needs to shape the fault; the test users always
talk to Synapse directly.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import closing

import pytest

from bot import exit_codes
from demo.events import is_reply_from, replied_to
from devserver.bot_process import BotProcess
from devserver.synapse import SynapseServer
from tests.integration.helpers import invite_bot_and_wait
from tests.support.fault_proxy import FaultProxy, Mode

pytestmark = pytest.mark.integration

# Short waits so an outage longer than the old give-up window (15 tries, about 9 minutes) takes seconds.
FAST_RETRIES = {"matrix": {"retry_max_seconds": 1.0, "request_timeout_seconds": 5.0}}
# Generous: two cores are shared by many workers, and Synapse takes a while to start on them.
SLOW = 180


@pytest.fixture(scope="module")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """A Synapse of this module's own, so that stopping it leaves the other tests' homeserver alone."""
    server = SynapseServer(tmp_path_factory.mktemp("synapse-outage"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
async def proxy(synapse: SynapseServer) -> AsyncIterator[FaultProxy]:
    fault_proxy = FaultProxy(synapse.url)
    await fault_proxy.start()
    try:
        yield fault_proxy
    finally:
        await fault_proxy.close()


@pytest.fixture
def synapse_restarted_after(synapse: SynapseServer) -> Iterator[SynapseServer]:
    """The module's Synapse, started again after the test whatever happened, for the tests that follow."""
    try:
        yield synapse
    finally:
        synapse.start()


async def until(condition: Callable[[], bool], what: str, timeout: float = SLOW) -> None:  # noqa: ASYNC109
    """Wait for a condition only a file shows (the bot's log, its database), checking a few times a second."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - a file changes without an event to await
            await asyncio.sleep(0.2)  # polling a file, not waiting out time: the condition decides
    assert condition(), what


def logged_attempts(bot: BotProcess, message: str, since: int = 0) -> list[int]:
    """The `attempt=` numbers of the bot's log lines with `message`, after character `since` of the log."""
    pattern = re.compile(rf'msg="{re.escape(message)}".*? attempt=(\d+)')
    return [int(match.group(1)) for match in pattern.finditer(bot.log_text()[since:])]


def pending_replies(bot: BotProcess) -> int:
    with closing(sqlite3.connect(f"file:{bot.data_dir / 'bot.db'}?mode=ro", uri=True)) as db:
        return int(db.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0])


async def test_replies_queued_through_an_outage_longer_than_the_old_give_up_window_arrive_once_in_order(
    make_user, bot_factory, proxy, synapse_restarted_after
):
    synapse = synapse_restarted_after
    bot = await bot_factory(
        extra_config={**FAST_RETRIES, "matrix": {**FAST_RETRIES["matrix"], "homeserver": proxy.url}}
    )
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=False)
    await invite_bot_and_wait(moderator, room, bot.user_id)
    warm_up = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, warm_up), timeout=SLOW)

    # The bot reads the commands but cannot answer yet, so its replies are queued when the homeserver goes away.
    proxy.bad_gateway("/send/")
    sent = [await moderator.send_text(room, f"!dialogue ping {number}") for number in range(10)]
    await until(lambda: pending_replies(bot) == 10, "all ten replies queued")

    # The outage: Synapse really stopped, and the bot's port refuses connections as a stopped homeserver's would.
    before_outage = len(bot.log_text())
    tries_before = max(logged_attempts(bot, "message send failed; retrying"), default=1)
    await proxy.refuse()
    await asyncio.to_thread(synapse.stop)
    await proxy.forward()  # forwards to a Synapse that is down: every connection is dropped
    # Logged at tries 1, 2, 4, 8 …: a try logged at least 16 tries after the last one before the outage proves the
    # outage alone lasted longer than the 15 tries after which messages used to be given up.
    beyond = 1 << (tries_before * 2 + 16).bit_length()
    await until(
        lambda: max(logged_attempts(bot, "message send failed; retrying", before_outage), default=0) >= beyond,
        f"try {beyond} of the first reply during the outage",
    )
    assert bot.is_running()
    assert pending_replies(bot) == 10, "nothing may be given up during the outage"

    await asyncio.to_thread(synapse.start)

    await moderator.wait_for_count(
        room, lambda event: event.sender == bot.user_id and replied_to(event) in set(sent), 10, timeout=SLOW
    )
    sentinel = await moderator.send_text(room, "!dialogue ping sentinel")
    await moderator.wait_for(room, is_reply_from(bot.user_id, sentinel), timeout=SLOW)
    replies = [replied_to(event) for event in moderator.events(room) if event.sender == bot.user_id]
    in_order = [event_id for event_id in replies if event_id in set(sent)]
    assert in_order == sent, "each reply once, in the order of the commands"
    assert "message given up" not in bot.log_text()
    assert await bot.stop() == exit_codes.OK


async def test_a_bot_started_while_synapse_is_stopped_waits_logs_each_try_and_serves_once_it_is_up(
    make_user, bot_factory, synapse_restarted_after
):
    synapse = synapse_restarted_after
    bot = await bot_factory(start=False, extra_config=FAST_RETRIES)
    await asyncio.to_thread(synapse.stop)

    await bot.start()
    await until(lambda: len(logged_attempts(bot, "homeserver unavailable at start; retrying")) >= 3, "three tries")
    assert bot.is_running(), f"exit {bot.returncode}\n{bot.log_tail()}"
    assert "ConnectionRefused" in bot.log_text() or "Cannot connect" in bot.log_text()

    await asyncio.to_thread(synapse.start)
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=True)
    await invite_bot_and_wait(moderator, room, bot.user_id)
    ping = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, ping), timeout=SLOW)
    assert "homeserver answered" in bot.log_text()
    assert await bot.stop() == exit_codes.OK


async def test_a_bot_started_behind_a_proxy_answering_502_waits_and_serves_once_the_homeserver_answers(
    make_user, bot_factory, proxy
):
    bot = await bot_factory(start=False, extra_config={"matrix": {**FAST_RETRIES["matrix"], "homeserver": proxy.url}})
    proxy.bad_gateway()

    await bot.start()
    await proxy.wait_for_hits(Mode.BAD_GATEWAY, 3, timeout=SLOW)
    await until(lambda: len(logged_attempts(bot, "homeserver unavailable at start; retrying")) >= 3, "three tries")
    assert bot.is_running(), f"exit {bot.returncode}\n{bot.log_tail()}"
    assert "HTTP 502" in bot.log_text()

    await proxy.forward()
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=False)
    await invite_bot_and_wait(moderator, room, bot.user_id)
    ping = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, ping), timeout=SLOW)
    assert await bot.stop() == exit_codes.OK


async def test_sigterm_stops_a_bot_that_is_waiting_for_the_homeserver_at_once_and_cleanly(bot_factory, proxy):
    bot = await bot_factory(start=False, extra_config={"matrix": {"homeserver": proxy.url}})
    proxy.bad_gateway()
    await bot.start()
    await until(lambda: len(logged_attempts(bot, "homeserver unavailable at start; retrying")) >= 1, "a first try")

    assert await bot.stop(timeout=15) == exit_codes.OK
    assert "stop requested before the homeserver answered" in bot.log_text()


def assert_advice_keeps_the_device(log: str) -> None:
    """The exit message says what to check first; resetting the session comes last, as what it is."""
    (line,) = [line for line in log.splitlines() if "cannot continue" in line]
    assert "rejected the bot's session" in line or "no longer accepts the bot's session" in line, line
    assert "Check whether" in line and "revoked" in line, line
    assert line.index("Check whether") < line.index("reset-session"), line
    assert "last resort" in line and "NEW device" in line, line


async def test_a_session_revoked_while_the_bot_was_stopped_exits_4_without_advising_a_reset_first(bot_factory, synapse):
    bot = await bot_factory(extra_config=FAST_RETRIES)
    await until(lambda: "started" in bot.log_text(), "the bot started")
    assert await bot.stop() == exit_codes.OK
    await asyncio.to_thread(synapse.log_out_everywhere, bot.user_id, bot.password)

    await bot.start()

    assert await bot.wait_exit(SLOW) == exit_codes.LOGIN
    assert_advice_keeps_the_device(bot.log_text())


async def test_a_session_revoked_while_the_bot_runs_exits_4_without_advising_a_reset_first(bot_factory, synapse):
    bot = await bot_factory(extra_config=FAST_RETRIES)
    await until(lambda: "started" in bot.log_text(), "the bot started")

    await asyncio.to_thread(synapse.log_out_everywhere, bot.user_id, bot.password)

    assert await bot.wait_exit(SLOW) == exit_codes.LOGIN
    assert_advice_keeps_the_device(bot.log_text())


@pytest.mark.parametrize(
    ("blocked", "logged"),
    [("/sync", "sync did not answer within"), ("/keys/upload", "key upload failed; retrying")],
    ids=["first-sync", "key-upload"],
)
async def test_a_request_that_never_answers_is_abandoned_logged_and_retried_until_the_port_opens(
    make_user, bot_factory, proxy, blocked, logged
):
    bot = await bot_factory(start=False, extra_config={"matrix": {**FAST_RETRIES["matrix"], "homeserver": proxy.url}})
    proxy.blackhole(blocked)

    await bot.start()
    await until(lambda: logged in bot.log_text(), f"the line {logged!r}")
    await until(lambda: bot.log_text().count(logged) >= 2, "a second try, also abandoned")
    assert proxy.hits[Mode.BLACKHOLE] >= 2

    await proxy.forward()
    moderator = await make_user("mod")
    room = await moderator.create_room(encrypted=True)
    await invite_bot_and_wait(moderator, room, bot.user_id)
    ping = await moderator.send_text(room, "!dialogue ping")
    await moderator.wait_for(room, is_reply_from(bot.user_id, ping), timeout=SLOW)
    assert await bot.stop() == exit_codes.OK
