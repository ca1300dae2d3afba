"""A reverse proxy between the bot and the test Synapse that can fail on command, the way real outages look.

Modes, for every request or only for those whose path contains one of the given fragments:
- forward: pass the request to Synapse and its answer back (a stopped Synapse: the client's connection is dropped);
- bad gateway: answer 502 with an HTML page, as nginx does while the homeserver behind it is down;
- blackhole: accept the request and never answer (a firewall that drops packets, a hung server);
- refuse (all requests): stop listening and drop open connections, so connecting fails with "connection refused".

It runs in the test's event loop; the bot, a separate process, is pointed at `proxy.url`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

import aiohttp
from aiohttp import web

__all__ = ["FaultProxy", "Mode"]

# Hop-by-hop headers (RFC 9110) and those aiohttp recomputes: never copied across the proxy.
_NOT_FORWARDED = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "host",
        "content-length",
        # aiohttp hands the body over decompressed, so the encoding header would lie.
        "content-encoding",
    }
)
_BAD_GATEWAY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


class Mode(Enum):
    FORWARD = "forward"
    BAD_GATEWAY = "bad gateway"
    BLACKHOLE = "blackhole"


@dataclass(frozen=True)
class _Rule:
    mode: Mode
    paths: tuple[str, ...]  # empty: every request

    def applies_to(self, path: str) -> bool:
        return not self.paths or any(fragment in path for fragment in self.paths)


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self._upstream = upstream.rstrip("/")
        self._rule = _Rule(Mode.FORWARD, ())
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.SockSite | None = None
        self._session: aiohttp.ClientSession | None = None
        # Counts per mode of the requests that met it, so a test can wait until the fault was really hit.
        self.hits: dict[Mode, int] = dict.fromkeys(Mode, 0)
        self._hit = asyncio.Condition()

    @property
    def url(self) -> str:
        assert self._port is not None, "proxy not started"
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
        app = web.Application(client_max_size=1024**3)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # handler_cancellation: a blackholed request's handler ends when the client gives up on it.
        self._runner = web.AppRunner(app, handle_signals=False, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        await self._listen()

    async def close(self) -> None:
        await self._stop_listening()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    # -- faults ------------------------------------------------------------------------------

    async def forward(self) -> None:
        """Pass everything through again (and listen again after `refuse`)."""
        self._rule = _Rule(Mode.FORWARD, ())
        if self._site is None:
            await self._listen()

    def bad_gateway(self, *paths: str) -> None:
        """Answer 502 to every request, or to those whose path contains one of `paths`."""
        self._rule = _Rule(Mode.BAD_GATEWAY, tuple(paths))

    def blackhole(self, *paths: str) -> None:
        """Never answer any request, or those whose path contains one of `paths`."""
        self._rule = _Rule(Mode.BLACKHOLE, tuple(paths))

    async def refuse(self) -> None:
        """Stop listening on the port and drop open connections: connecting now fails with ECONNREFUSED."""
        await self._stop_listening()

    async def wait_for_hits(self, mode: Mode, count: int, timeout: float) -> None:  # noqa: ASYNC109
        """Wait until `count` requests in all have met `mode`."""
        async with asyncio.timeout(timeout), self._hit:
            await self._hit.wait_for(lambda: self.hits[mode] >= count)

    # -- the proxy ---------------------------------------------------------------------------

    async def _listen(self) -> None:
        assert self._runner is not None
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._port or 0))
        self._port = sock.getsockname()[1]
        self._site = web.SockSite(self._runner, sock)
        await self._site.start()

    async def _stop_listening(self) -> None:
        site, self._site = self._site, None
        if site is not None:
            await site.stop()
        # Keep-alive connections would otherwise still reach Synapse: a refused port has none.
        server = self._runner.server if self._runner is not None else None
        for connection in list(getattr(server, "connections", [])):
            connection.force_close()
            if connection.transport is not None:
                connection.transport.abort()

    async def _count(self, mode: Mode) -> None:
        async with self._hit:
            self.hits[mode] += 1
            self._hit.notify_all()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        rule = self._rule
        mode = rule.mode if rule.applies_to(request.path) else Mode.FORWARD
        await self._count(mode)
        if mode is Mode.BAD_GATEWAY:
            return web.Response(status=502, text=_BAD_GATEWAY_PAGE, content_type="text/html")
        if mode is Mode.BLACKHOLE:
            await asyncio.Event().wait()  # until the client hangs up (the handler is cancelled then)
        return await self._forward(request)

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        try:
            async with self._session.request(
                request.method,
                self._upstream + request.path_qs,
                headers=_copyable(request.headers.items()),
                data=body or None,
                allow_redirects=False,
            ) as upstream:
                payload = await upstream.read()
                return web.Response(status=upstream.status, body=payload, headers=_copyable(upstream.headers.items()))
        except aiohttp.ClientConnectionError:
            # Synapse is down: what the client would see without a proxy is a failed connection, not an answer.
            if request.transport is not None:
                with contextlib.suppress(Exception):
                    request.transport.abort()
            return web.Response(status=502)  # never delivered: the connection is gone


def _copyable(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name: value for name, value in headers if name.lower() not in _NOT_FORWARDED}
