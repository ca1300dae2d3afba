"""`dialogue-bot web-link` and `dialogue-bot serve`: the operator's link, and the web view run alone on the bot's data
directory as its own process, stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import base64
import signal
import sys
import time

import aiohttp
import pytest

from bot import exit_codes
from tests.integration.test_web_view import free_port
from tests.unit.test_access_drifts import cli, config, dialogue_in
from web.tokens import KEY_FILE, LinkSigner

pytestmark = pytest.mark.usefixtures("keep_process_state")


async def test_web_link_prints_a_link_the_data_directory_key_signed(db, tmp_path, capsys, monkeypatch) -> None:
    dialogue = await dialogue_in(db)

    assert await cli(tmp_path, "web-link", "--dialogue", str(dialogue)) == exit_codes.USAGE  # no web section yet
    assert "set web.base_url or web.listen" in capsys.readouterr().err
    monkeypatch.setenv("DIALOGUE_BOT_WEB__BASE_URL", "https://view.test/")
    assert await cli(tmp_path, "web-link", "--dialogue", str(dialogue)) == exit_codes.OK

    link = capsys.readouterr().out.strip()
    assert link.startswith(f"https://view.test/d/{dialogue}?t=")
    key = base64.urlsafe_b64decode((tmp_path / KEY_FILE).read_text().strip())
    grant = LinkSigner(key).verify(link.split("?t=")[1], time.time())
    assert grant is not None and grant.dialogue_id == dialogue
    assert 3590 < grant.expires_at - time.time() <= 3600
    assert await cli(tmp_path, "web-link", "--dialogue", "99") == exit_codes.USAGE


async def test_serve_runs_the_web_view_alone_until_sigterm(db, tmp_path) -> None:
    dialogue = await dialogue_in(db)
    port = free_port()
    path = config(tmp_path)
    path.write_text(path.read_text() + f'[web]\nlisten = "127.0.0.1:{port}"\n', encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", "--config", str(path), stderr=asyncio.subprocess.PIPE
    )
    try:
        # The server says when it listens; the test waits for that line, not for a time.
        line = await asyncio.wait_for(process.stderr.readuntil(b"web view listening"), timeout=30)
        assert b"web view listening" in line
        key = base64.urlsafe_b64decode((tmp_path / KEY_FILE).read_text().strip())
        token = LinkSigner(key).sign(dialogue, int(time.time()) + 600)
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            base = f"http://127.0.0.1:{port}"
            async with session.get(f"{base}/d/{dialogue}") as refused:
                assert refused.status == 403
            async with session.get(f"{base}/d/{dialogue}?t={token}") as page:
                assert page.status == 200 and str(page.url) == f"{base}/d/{dialogue}"
                assert "Norms" in await page.text()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=30) == exit_codes.OK
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
