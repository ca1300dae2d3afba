"""The web view over HTTP (aiohttp's test client, a real database): nothing is served without a valid link, a link
is traded for a cookie at once, and every response forbids caching, referrers and scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from storage import Database
from tests.unit.fakes import make_settings
from tests.unit.test_processor import ROOM
from web.server import COOKIE, build_app
from web.tokens import LinkSigner

KEY = b"w" * 32
NOW = 1_796_083_200.0
TEXTS = (
    "Transfers through the territory of States parties must be challenged <script>alert(1)</script>.",
    "Transfers through the territory of States parties must be challenged firmly.",
    "Transfers through the territory of States parties must be challenged now.",
    "Survivors need sustained victim assistance funding & more.",
)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


async def seeded(db: Database, title: str = "Norms <b>and</b> practice", room: str = ROOM) -> int:
    async with db.transaction() as tx:
        await tx.rooms.set_joined(room, 0)
        dialogue = await tx.dialogues.create(room, title, b"s" * 32, NOW)
        challenge = await tx.challenges.add(dialogue.id, "Transfers", "What do transfers mean?")
        for index, text in enumerate(TEXTS):
            await tx.contributions.add(
                dialogue_id=dialogue.id,
                challenge_id=challenge.id,
                member_key=f"m{index}",
                text=text,
                channel="thread",
                event_id=f"$e{title}{index}",
                room_id=room,
                origin_ts=int(NOW * 1000),
                now=NOW,
            )
        return dialogue.id


@pytest.fixture
async def web(db: Database, tmp_path: Path):
    clock = Clock()
    client = TestClient(TestServer(build_app(db, make_settings(tmp_path), LinkSigner(KEY), clock)))
    await client.start_server()
    client.clock = clock  # type: ignore[attr-defined]
    yield client
    await client.close()


def link(dialogue_id: int, expires_at: float = NOW + 600) -> str:
    return f"/d/{dialogue_id}?t={LinkSigner(KEY).sign(dialogue_id, int(expires_at))}"


def assert_guarded(response) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe" not in csp


async def test_without_a_token_nothing_is_served(db, web) -> None:
    dialogue = await seeded(db)
    for path in (f"/d/{dialogue}", f"/d/{dialogue}/draft.md", f"/d/{dialogue}/draft.docx", f"/d/{dialogue}/draft.json"):
        response = await web.get(path)
        assert response.status == 403, path
        assert_guarded(response)
        assert "Transfers" not in await response.text()


async def test_a_forged_or_expired_token_or_one_for_another_dialogue_gets_403(db, web) -> None:
    first, second = await seeded(db), await seeded(db, "Other", "!other:test")
    forged = LinkSigner(b"x" * 32).sign(first, int(NOW + 600))
    for path in (f"/d/{first}?t={forged}", link(first, NOW - 1), link(second).replace(f"/d/{second}", f"/d/{first}")):
        response = await web.get(path, allow_redirects=False)
        assert response.status == 403, path
        assert_guarded(response)
        assert "set-cookie" not in response.headers


async def test_a_link_is_traded_for_a_cookie_and_the_token_leaves_the_address(db, web) -> None:
    dialogue = await seeded(db)
    response = await web.get(link(dialogue), allow_redirects=False)

    assert response.status == 303
    assert response.headers["Location"] == f"/d/{dialogue}"
    assert_guarded(response)
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["path"] == f"/d/{dialogue}" and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 600

    page = await web.get(f"/d/{dialogue}")
    assert page.status == 200
    assert_guarded(page)
    html = await page.text()
    assert "Transfers" in html and "Draft synopsis, prepared under the Chatham House Rule" in html


async def test_everything_in_the_page_is_escaped(db, web) -> None:
    dialogue = await seeded(db)
    await web.get(link(dialogue))
    html = await (await web.get(f"/d/{dialogue}")).text()

    assert "<script" not in html and "<b>and</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Norms &lt;b&gt;and&lt;/b&gt; practice" in html


async def test_the_downloads_are_the_draft_files(db, web) -> None:
    dialogue = await seeded(db)
    await web.get(link(dialogue))

    markdown = await web.get(f"/d/{dialogue}/draft.md")
    assert markdown.status == 200 and markdown.content_type == "text/markdown"
    assert markdown.headers["Content-Disposition"].startswith('attachment; filename="synopsis-norms-b-and-b-practice')
    assert "### Challenge 1: Transfers" in await markdown.text()
    structure = json.loads(await (await web.get(f"/d/{dialogue}/draft.json")).read())
    assert [section["title"] for section in structure["sections"]] == ["Transfers"]
    word = await web.get(f"/d/{dialogue}/draft.docx")
    assert word.status == 200 and (await word.read())[:2] == b"PK"
    assert (await web.get(f"/d/{dialogue}/draft.pdf")).status == 404
    assert (await web.get(f"/d/{dialogue}/adopted.md")).status == 404  # nothing adopted yet


async def test_the_cookie_stops_working_when_the_link_expires(db, web) -> None:
    dialogue = await seeded(db)
    await web.get(link(dialogue, NOW + 60))
    assert (await web.get(f"/d/{dialogue}")).status == 200

    web.clock.now = NOW + 60
    assert (await web.get(f"/d/{dialogue}")).status == 403
    assert (await web.get(f"/d/{dialogue}/draft.md")).status == 403


async def test_a_cookie_for_one_dialogue_does_not_open_another(db, web) -> None:
    first, second = await seeded(db), await seeded(db, "Other", "!other:test")
    token = LinkSigner(KEY).sign(first, int(NOW + 600))

    response = await web.get(f"/d/{second}", cookies={COOKIE: token})

    assert response.status == 403


async def test_unknown_addresses_get_a_guarded_404(web) -> None:
    for path in ("/", "/d/abc", "/d/01", "/etc/passwd", f"/d/99?t={LinkSigner(KEY).sign(99, int(NOW + 600))}"):
        response = await web.get(path)
        assert response.status in (403, 404), path
        assert_guarded(response)
    await web.get(f"/d/99?t={LinkSigner(KEY).sign(99, int(NOW + 600))}")
    assert (await web.get("/d/99")).status == 404  # a valid link to a dialogue that is not there (any more)


async def test_the_page_draws_participation_as_bands_and_no_bar_below_k(db, web) -> None:
    dialogue = await seeded(db)
    await web.get(link(dialogue))
    html = await (await web.get(f"/d/{dialogue}")).text()

    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2  # per challenge, per day
    assert html.count('<rect class="bar"') == 2 and html.count('data-band="a few"') == 2
    assert "Challenge 1: a few contributions" in html
    assert "style=" not in html  # the CSP allows no inline style


async def test_no_chart_is_drawn_when_fewer_than_k_people_contributed(db, web) -> None:
    async with db.transaction() as tx:
        await tx.rooms.set_joined(ROOM, 0)
        dialogue = await tx.dialogues.create(ROOM, "Small", b"s" * 32, NOW)
        challenge = await tx.challenges.add(dialogue.id, "Transfers", "?")
        for index in range(6):
            await tx.contributions.add(
                dialogue_id=dialogue.id,
                challenge_id=challenge.id,
                member_key=f"m{index % 2}",
                text=f"Point number {index} on transfers.",
                channel="thread",
                event_id=f"$small{index}",
                room_id=ROOM,
                origin_ts=int(NOW * 1000),
                now=NOW,
            )
    await web.get(link(dialogue.id))
    html = await (await web.get(f"/d/{dialogue.id}")).text()

    assert "<svg" not in html and "Annex: Participation" not in html


async def test_a_purged_dialogue_shows_only_its_adopted_files(db, web) -> None:
    dialogue = await seeded(db)
    async with db.transaction() as tx:
        await tx.synopses.adopt(dialogue, NOW, b"# adopted", b"PK-docx", b'{"adopted": true}')
        await tx.dialogues.end(dialogue, NOW)
        await tx.synopses.purge(dialogue, NOW)
    await web.get(link(dialogue))

    html = await (await web.get(f"/d/{dialogue}")).text()
    assert "only its adopted synopsis remains" in html and "Transfers through" not in html
    assert f'href="/d/{dialogue}/adopted.md"' in html and "draft.md" not in html
    assert await (await web.get(f"/d/{dialogue}/adopted.md")).read() == b"# adopted"
    assert (await web.get(f"/d/{dialogue}/draft.md")).status == 404
