"""The web view in a real headless Chromium: the secretariat asks the bot for a link over a real Synapse, opens it,
reads the draft and downloads its files; without a valid link nothing is served, and nobody is named.

Chromium is Debian's (`apt-get install -y chromium`; `./dev test` installs it when missing), driven by playwright
with `executable_path`: playwright's own browser downloads are never used.
"""

from __future__ import annotations

import asyncio
import base64
import re
import socket
import time
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from demo.events import body_of, is_reply_from
from tests.integration.helpers import delegates, invite_bot_and_wait, link_backroom, start_dialogue
from tests.integration.test_dialogue import is_ack_of, is_prompt
from web.tokens import KEY_FILE, LinkSigner

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AFFILIATIONS = ("Ruritania", "Human Rights Watch", "Grand Duchy of Elbonia", "Republic of Tarvania")
CATEGORIES = ("State party", "civil society", "State party", "State party")
POINTS = (
    "Transfers through the territory of States parties must be challenged, as {name} of {affiliation} said.",
    "Transfers through the territory of States parties must be challenged; {user} agrees with {affiliation}.",
    "Transfers through the territory of States parties must be challenged firmly, says {affiliation}.",
    "Survivors need sustained victim assistance funding, {name} insists.",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def chromium() -> Path:
    """Debian's chromium; its absence fails the test with what to do, it never skips it."""
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: the browser test needs Debian's chromium (apt-get install -y chromium, which "
        "./dev test runs when it is root)"
    )
    return CHROMIUM


async def test_the_secretariat_reads_the_draft_in_a_browser_and_nothing_names_anyone(make_user, bot_factory, chromium):
    port = free_port()
    isu = await make_user("isu")
    bot = await bot_factory(extra_config={"bot": {"isu_users": [isu.user_id]}, "web": {"listen": f"127.0.0.1:{port}"}})
    moderator = await make_user("mod")
    people = await delegates(make_user, 4, "Zanzibar")
    room = await start_dialogue(moderator, bot.user_id, people)
    backroom = await link_backroom(moderator, bot.user_id, room, encrypted=True)

    async def in_backroom(text: str) -> str:
        asked = await moderator.send_text(backroom, text)
        return body_of(await moderator.wait_for(backroom, is_reply_from(bot.user_id, asked), description=text))

    for person, affiliation, category in zip(people, AFFILIATIONS, CATEGORIES, strict=True):
        await in_backroom(f"!dialogue roster set {person.user_id} {affiliation} ; {category}")
    await in_backroom("!dialogue challenge add New use and transfers ; What do transfers mean?")
    await moderator.send_text(room, "!dialogue open 1")
    prompt = await moderator.wait_for(room, is_prompt(bot.user_id, 1))
    for index, (person, point) in enumerate(zip(people, POINTS, strict=True)):
        other = people[(index + 1) % len(people)]
        text = point.format(
            name=f"Delegate Zanzibar-{(index + 1) % 4}", user=other.user_id, affiliation=AFFILIATIONS[index]
        )
        await person.wait_for(room, lambda event: event.event_id == prompt.event_id)
        sent = await person.send_thread_reply(room, prompt.event_id, text)
        await person.wait_for(room, is_ack_of(bot.user_id, sent))

    refused = await in_backroom("!dialogue web")
    assert refused.startswith("Only the secretariat"), refused

    # Asked in the dialogue room, the link goes by direct message, and the room only hears that it did.
    await moderator.invite(room, isu.user_id)
    await moderator.wait_for_membership(room, isu.user_id, "join")
    asked = await isu.send_text(room, "!dialogue web")
    told = body_of(await isu.wait_for(room, is_reply_from(bot.user_id, asked), timeout=60))
    assert told == "I sent you the link by direct message."
    direct, _link_message = await isu.wait_for_any_room(
        lambda e: e.sender == bot.user_id and f":{port}/d/1?t=" in body_of(e), timeout=60, description="the link"
    )
    assert direct != room
    assert not [e for e in moderator.events(room) if "?t=" in body_of(e)]

    dm = await isu.create_room(encrypted=True, is_direct=True)
    await invite_bot_and_wait(isu, dm, bot.user_id)
    asked = await isu.send_text(dm, "!dialogue web 1")
    answer = body_of(await isu.wait_for(dm, is_reply_from(bot.user_id, asked), timeout=60))
    found = re.search(rf"http://127\.0\.0\.1:{port}/d/1\?t=\S+", answer)
    assert found, answer
    link, base = found.group(0), f"http://127.0.0.1:{port}"
    key = base64.urlsafe_b64decode((await asyncio.to_thread((bot.data_dir / KEY_FILE).read_text)).strip())
    expired = f"{base}/d/1?t={LinkSigner(key).sign(1, int(time.time()) - 1)}"

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            stranger = await browser.new_context()
            page = await stranger.new_page()
            assert (await page.goto(f"{base}/d/1")).status == 403
            assert (await page.goto(f"{base}/d/1/draft.md")).status == 403
            assert (await page.goto(expired)).status == 403
            assert (await page.goto(f"{base}/d/1")).status == 403  # the expired link left no cookie behind
            assert (await page.goto(link.replace("/d/1?", "/d/2?"))).status == 403
            await stranger.close()

            secretariat = await browser.new_context(accept_downloads=True)
            page = await secretariat.new_page()
            console: list[str] = []
            page.on("console", lambda message: console.append(message.text))
            response = await page.goto(link)
            assert response.status == 200
            assert page.url == f"{base}/d/1"  # the token left the address bar at once
            assert response.headers["cache-control"] == "no-store"
            assert response.headers["referrer-policy"] == "no-referrer"
            assert "New use and transfers" in await page.inner_text("main")
            assert "Draft synopsis, prepared under the Chatham House Rule" in await page.inner_text("main")
            assert "Annex" in await page.inner_text("main")
            html = await response.text()
            bars = page.locator("svg.chart rect.bar")
            assert await bars.count() >= 1
            drawn = await bars.first.bounding_box()
            assert drawn is not None and drawn["width"] > 0  # the chart renders under the page's CSP
            assert await page.evaluate("getComputedStyle(document.body).maxWidth") == "768px"  # the style sheet
            assert not [line for line in console if "Content Security Policy" in line], console

            downloads: dict[str, bytes] = {}
            for fmt, label in (("md", "Draft, Markdown"), ("docx", "Draft, Word (DOCX)"), ("json", "Draft, JSON")):
                async with page.expect_download() as pending:
                    await page.get_by_role("link", name=label).click()
                download = await pending.value
                assert download.suggested_filename.endswith(f".{fmt}")
                downloads[fmt] = await asyncio.to_thread(Path(await download.path()).read_bytes)
            await secretariat.close()
        finally:
            await browser.close()

    assert "### Challenge 1: New use and transfers" in downloads["md"].decode()
    assert downloads["docx"][:2] == b"PK"
    assert b'"sections"' in downloads["json"]
    everything = "\n".join([html, downloads["md"].decode(), downloads["json"].decode()])
    for person in [*people, moderator, isu]:
        assert person.user_id not in everything
    assert "Zanzibar" not in everything
    for affiliation in AFFILIATIONS:
        assert affiliation not in everything
    assert "[affiliation]" in html  # the seeded names and States were there, and scrubbed before storage
    assert link.split("?t=", 1)[1] not in html


async def test_the_bot_stops_when_the_web_view_cannot_listen(bot_factory):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        bot = await bot_factory(extra_config={"web": {"listen": f"127.0.0.1:{port}"}})

        assert await bot.wait_exit(timeout=60) == 1
    assert "address already in use" in bot.log_text()
