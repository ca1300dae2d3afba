"""Doing the slow work handlers ask for (handlers/slow_work.py), outside any database transaction.

A download is network I/O, awaited on the event loop; a compile and render is CPU work, done in a child process of
its own (bot/compile_worker.py), so the event loop keeps syncing and sending meanwhile, and the synopsis stack it
loads is gone again when the child exits.
"""

from __future__ import annotations

from bot.attachments import AttachmentFetcher
from bot.compile_worker import CompileWorker
from bot.room_follow import ReplacementRooms
from bot.slow_work_gates import wait_at_gate
from handlers.slow_work import (
    CheckReplacement,
    CompiledSynopsis,
    CompileSynopsis,
    FetchAttachment,
    SlowRequest,
)


class SlowWorkRunner:
    def __init__(self, attachments: AttachmentFetcher, replacements: ReplacementRooms | None = None) -> None:
        self._attachments = attachments
        self._replacements = replacements or ReplacementRooms(attachments.client)
        self._compiler = CompileWorker()

    async def warm(self) -> None:
        """Start the compile's child process ahead of the first compile (see bot/compile_worker.py)."""
        await self._compiler.warm()

    async def close(self) -> None:
        """End the compile's child process, if one is alive (the bot is stopping)."""
        await self._compiler.close()

    async def compile(self, request: CompileSynopsis) -> CompiledSynopsis:
        """A compile in the same child process as chat's (the web view's drafts, web/draft.py)."""
        return await self._compiler.compile(request)

    async def __call__(self, request: SlowRequest) -> object:
        if isinstance(request, FetchAttachment):
            await wait_at_gate("download")
            return await self._attachments.fetch(request.room_id, request.event_id)
        if isinstance(request, CheckReplacement):
            return await self._replacements.check(request)
        await wait_at_gate("compile")
        return await self._compiler.compile(request)
