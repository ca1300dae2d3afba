"""The read-only web view over HTTP (aiohttp): one dialogue's draft per signed link, nothing without one.

A link (`/d/<dialogue>?t=<token>`, web/tokens.py) is exchanged on first visit for an HttpOnly cookie scoped to that
dialogue's path, and the browser is redirected to the bare address at once, so the token does not stay in the
address bar, the history or a Referer. Every later request (the page, its downloads) must carry that cookie; no
token, a forged or expired one, or one for another dialogue gets 403. Every response, refusals included, says
`Cache-Control: no-store`, `Referrer-Policy: no-referrer` and a CSP that allows no script and nothing from elsewhere.
The access log is off: a link's token is in its query string.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from config import Settings
from i18n import bot_marked
from storage import Database
from synopsis.render import FORMATS

from .draft import Compile, compile_in_thread, load_download, load_view
from .page import STYLE_SHEET, refusal_page, render_page
from .tokens import LinkSigner

log = logging.getLogger(__name__)

COOKIE = "dialogue_view"
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
}
NO_ACCESS = bot_marked("This link is not valid or has expired. Ask the bot for a new one with !dialogue web.")
NOT_FOUND = bot_marked("There is nothing here.")

Clock = Callable[[], float]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_SETTINGS: web.AppKey[Settings] = web.AppKey("settings", Settings)
_DB: web.AppKey[Database] = web.AppKey("db", Database)
_SIGNER: web.AppKey[LinkSigner] = web.AppKey("signer", LinkSigner)
_CLOCK: web.AppKey[Clock] = web.AppKey("clock")
_SECURE: web.AppKey[bool] = web.AppKey("secure", bool)
_COMPILE: web.AppKey[Compile] = web.AppKey("compile")


def _refused(status: int, reason: str) -> web.Response:
    return web.Response(status=status, text=refusal_page(reason), content_type="text/html", charset="utf-8")


def _dialogue_id(request: web.Request) -> int | None:
    raw = request.match_info["dialogue"]
    return int(raw) if raw.isdigit() and len(raw) <= 10 and not raw.startswith("0") else None


def _granted(request: web.Request, dialogue_id: int, token: str | None) -> int | None:
    """The expiry of a valid token for `dialogue_id`, else None."""
    if not token:
        return None
    grant = request.app[_SIGNER].verify(token, request.app[_CLOCK]())
    if grant is None or grant.dialogue_id != dialogue_id:
        return None
    return grant.expires_at


async def _page(request: web.Request) -> web.StreamResponse:
    dialogue_id = _dialogue_id(request)
    if dialogue_id is None:
        return _refused(404, NOT_FOUND)
    link_token = request.query.get("t")
    if link_token is not None:
        expires_at = _granted(request, dialogue_id, link_token)
        if expires_at is None:
            return _refused(403, NO_ACCESS)
        # Trade the link for a cookie and drop the token from the address the browser shows and keeps.
        redirect = web.HTTPSeeOther(location=f"/d/{dialogue_id}")
        redirect.set_cookie(
            COOKIE,
            link_token,
            max_age=max(1, int(expires_at - request.app[_CLOCK]())),
            path=f"/d/{dialogue_id}",
            httponly=True,
            secure=request.app[_SECURE],
            # Lax, not Strict: the link is opened from a chat client, another site, and the redirect that follows
            # is part of that cross-site navigation; Strict would drop the cookie on it.
            samesite="Lax",
        )
        raise redirect
    if _granted(request, dialogue_id, request.cookies.get(COOKIE)) is None:
        return _refused(403, NO_ACCESS)
    try:
        view = await load_view(request.app[_DB], request.app[_SETTINGS], dialogue_id, request.app[_COMPILE])
    except LookupError:
        return _refused(404, NOT_FOUND)
    html = await asyncio.to_thread(render_page, view)
    return web.Response(text=html, content_type="text/html", charset="utf-8")


async def _download(request: web.Request) -> web.StreamResponse:
    dialogue_id = _dialogue_id(request)
    if dialogue_id is None:
        return _refused(404, NOT_FOUND)
    if _granted(request, dialogue_id, request.cookies.get(COOKIE)) is None:
        return _refused(403, NO_ACCESS)
    kind, fmt = request.match_info["kind"], request.match_info["fmt"]
    if fmt not in FORMATS:
        return _refused(404, NOT_FOUND)
    try:
        download = await load_download(
            request.app[_DB], request.app[_SETTINGS], dialogue_id, fmt, kind == "adopted", request.app[_COMPILE]
        )
    except LookupError:
        download = None
    if download is None:
        return _refused(404, NOT_FOUND)
    return web.Response(
        body=download.data,
        content_type=download.mime_type,
        headers={"Content-Disposition": f'attachment; filename="{download.filename}"'},
    )


async def _style(_request: web.Request) -> web.StreamResponse:
    return web.Response(text=STYLE_SHEET, content_type="text/css", charset="utf-8")


async def _security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)


@web.middleware
async def _not_found_page(request: web.Request, handler: Handler) -> web.StreamResponse:
    # aiohttp's own 404/405 pages would do, but ours says nothing about the server and carries the same headers.
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status in (404, 405):
            return _refused(error.status, NOT_FOUND)
        raise


def build_app(
    db: Database,
    settings: Settings,
    signer: LinkSigner,
    clock: Clock = time.time,
    compile: Compile = compile_in_thread,
) -> web.Application:
    """The web view's application over `db`; `clock` decides when links expire (a test's own clock); `compile`
    compiles the draft (the running bot passes its compile worker's, so the synopsis stack stays out of its process)."""
    app = web.Application(middlewares=[_not_found_page])
    app[_DB] = db
    app[_SETTINGS] = settings
    app[_SIGNER] = signer
    app[_CLOCK] = clock
    app[_COMPILE] = compile
    app[_SECURE] = (settings.web.link_base() or "").startswith("https://")
    app.on_response_prepare.append(_security_headers)
    app.router.add_get("/style.css", _style)
    app.router.add_get("/d/{dialogue}", _page)
    app.router.add_get(r"/d/{dialogue}/{kind:draft|adopted}.{fmt}", _download)
    return app


def split_listen(listen: str) -> tuple[str, int]:
    """`"127.0.0.1:8080"` → `("127.0.0.1", 8080)`; `"[::1]:8080"` → `("::1", 8080)`."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


class WebServer:
    """The web view as an owned background task: `run()` serves until cancelled, then closes every connection."""

    def __init__(self, app: web.Application, listen: str) -> None:
        self._app = app
        self._host, self._port = split_listen(listen)
        self.started = asyncio.Event()
        self.port: int | None = None  # the bound port (the configured one, or the one the system chose for 0)

    async def run(self) -> None:
        # access_log=None: the first request of every visit carries the link's token in its query string.
        runner = web.AppRunner(self._app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
            self.port = runner.addresses[0][1] if runner.addresses else self._port
            log.info("web view listening", extra={"host": self._host, "port": self.port})
            self.started.set()
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
