"""The running bot compiles a synopsis in a child process, so the synopsis stack never loads in its own.

scipy and scikit-learn (with the numpy they sit on) take about 100 MB once imported, and a Python process never
gives that back: the bot's own process must answer `synopsis` without ever mapping them (bot/compile_worker.py).
numpy alone it does load, for language detection (synopsis/language.py), so numpy is not looked for.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import time
from pathlib import Path

import aiohttp
import pytest

from tests.integration.test_dialogue import run_dialogue
from tests.integration.test_synopsis import download, is_file_from
from web.tokens import KEY_FILE, LinkSigner

pytestmark = pytest.mark.integration

SYNOPSIS_STACK = ("/scipy/", "/sklearn/", "/scipy.libs/", "/scikit_learn.libs/")


def synopsis_stack_mapped(pid: int) -> list[str]:
    """The files of the synopsis stack mapped into process `pid` (its native libraries, once imported)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return sorted({line.split()[-1] for line in maps.splitlines() if any(part in line for part in SYNOPSIS_STACK)})


async def test_a_synopsis_is_compiled_without_the_synopsis_stack_in_the_bots_own_process(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=2)
    alice, bob = d.participants
    first = await alice.send_thread_reply(d.room, d.root, "Transfers through States parties must be challenged.")
    second = await bob.send_thread_reply(d.room, d.root, "Survivors need sustained victim assistance.")
    await d.acknowledged(alice, first)
    await d.acknowledged(bob, second)
    backroom = await d.backroom_id()
    assert d.bot.pid is not None
    assert synopsis_stack_mapped(d.bot.pid) == []  # not even at start

    await d.moderator.send_text(backroom, "!dialogue synopsis md")
    synopsis = await d.moderator.wait_for(backroom, is_file_from(d.bot.user_id), timeout=120)
    markdown = (await download(d.moderator, synopsis)).decode()

    assert "Transfers through States parties must be challenged" in markdown
    assert synopsis_stack_mapped(d.bot.pid) == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_the_web_view_compiles_its_draft_without_the_synopsis_stack_in_the_bots_own_process(
    make_user, bot_factory
):
    port = _free_port()
    d = await run_dialogue(
        make_user, bot_factory, encrypted=False, participants=2, extra_config={"web": {"listen": f"127.0.0.1:{port}"}}
    )
    alice, bob = d.participants
    first = await alice.send_thread_reply(d.room, d.root, "Transfers through States parties must be challenged.")
    second = await bob.send_thread_reply(d.room, d.root, "Survivors need sustained victim assistance.")
    await d.acknowledged(alice, first)
    await d.acknowledged(bob, second)
    assert d.bot.pid is not None
    assert synopsis_stack_mapped(d.bot.pid) == []

    key = base64.urlsafe_b64decode((await asyncio.to_thread((d.bot.data_dir / KEY_FILE).read_text)).strip())
    link = f"http://127.0.0.1:{port}/d/1?t={LinkSigner(key).sign(1, int(time.time()) + 600)}"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(link, timeout=aiohttp.ClientTimeout(total=120)) as page:
            assert page.status == 200
            html = await page.text()
        async with browser.get(f"http://127.0.0.1:{port}/d/1/draft.md") as draft:
            assert draft.status == 200
            markdown = await draft.text()

    assert "Transfers through States parties must be challenged" in html
    assert "Survivors need sustained victim assistance" in markdown
    assert synopsis_stack_mapped(d.bot.pid) == []
