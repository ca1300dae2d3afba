"""`dialogue-bot serve` (the web view alone, on the bot's data directory) and `dialogue-bot web-link` (a link to it,
for the operator, who holds the data directory anyway)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time

from bot import exit_codes
from config import Settings
from storage import Database

from .server import WebServer, build_app
from .tokens import LinkSigner, read_or_create_key


async def run_web_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import open_database

    db = await open_database(settings)
    try:
        key = await asyncio.to_thread(read_or_create_key, settings.bot.data_dir)
        if args.command == "web-link":
            return await _print_link(db, settings, key, args.dialogue)
        listen = args.listen or settings.web.listen
        if listen is None:
            print("dialogue-bot: set web.listen (or give --listen HOST:PORT)", file=sys.stderr)
            return exit_codes.USAGE
        from bot.compile_worker import CompileWorker

        # Drafts compile in a child process, as in the bot, so a long-running `serve` gives the synopsis stack back
        # once idle.
        compiler = CompileWorker()
        try:
            app = build_app(db, settings, LinkSigner(key), compile=compiler.compile)
            await _serve_until_signal(WebServer(app, listen))
        finally:
            await compiler.close()
        return exit_codes.OK
    finally:
        await db.close()


async def _print_link(db: Database, settings: Settings, key: bytes, dialogue_id: int) -> int:
    from handlers.web_commands import link_for

    async with db.transaction() as tx:
        dialogue = await tx.dialogues.get(dialogue_id)
    if dialogue is None:
        print(f"dialogue-bot: no dialogue {dialogue_id} (see `dialogue-bot dialogues`)", file=sys.stderr)
        return exit_codes.USAGE
    base = settings.web.link_base()
    if base is None:
        print("dialogue-bot: set web.base_url or web.listen, which links start with", file=sys.stderr)
        return exit_codes.USAGE
    token = LinkSigner(key).sign(dialogue_id, int(time.time()) + settings.web.link_minutes * 60)
    print(link_for(base, dialogue_id, token))
    return exit_codes.OK


async def _serve_until_signal(server: WebServer) -> None:
    """Serve until SIGINT or SIGTERM, then close every connection."""
    task = asyncio.create_task(server.run(), name="web view")
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
