"""Doing the slow work handlers ask for (handlers/slow_work.py), outside any database transaction.

A download is network I/O, awaited on the event loop; a compile and render is CPU work, done in a worker thread so
the event loop keeps syncing and sending meanwhile.
"""

from __future__ import annotations

import asyncio

from bot.attachments import AttachmentFetcher
from bot.room_follow import ReplacementRooms
from bot.slow_work_gates import pass_gate, wait_at_gate
from handlers.slow_work import (
    CheckReplacement,
    CompiledSynopsis,
    CompileSynopsis,
    FetchAttachment,
    SlowRequest,
    compile_and_render,
)


class SlowWorkRunner:
    def __init__(self, attachments: AttachmentFetcher, replacements: ReplacementRooms | None = None) -> None:
        self._attachments = attachments
        self._replacements = replacements or ReplacementRooms(attachments.client)

    async def __call__(self, request: SlowRequest) -> object:
        if isinstance(request, FetchAttachment):
            await wait_at_gate("download")
            return await self._attachments.fetch(request.room_id, request.event_id)
        if isinstance(request, CheckReplacement):
            return await self._replacements.check(request)
        return await asyncio.to_thread(_compile, request)


def _compile(request: CompileSynopsis) -> CompiledSynopsis:
    pass_gate("compile")
    return compile_and_render(request)
