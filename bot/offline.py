"""Command-line access to the bot's database for the secretariat, without a homeserver: list dialogues, write a
synopsis, end a dialogue, adopt its draft, purge an ended one (also one whose room the bot was removed from).
The same code as the chat commands compiles and renders the document."""

from __future__ import annotations

import argparse
import sys
import time

from bot import exit_codes
from bot.app import open_database
from config import Settings
from handlers.dialogue_commands import end_dialogue
from handlers.synopsis_commands import ADOPTED_FORMATS, record_adoption
from handlers.synopsis_input import compile_off_loop, gather_synopsis_input
from storage import Dialogue, Transaction
from synopsis.render import render


async def run_offline_command(settings: Settings, args: argparse.Namespace) -> int:
    db = await open_database(settings)
    try:
        async with db.transaction() as tx:
            if args.command == "dialogues":
                for dialogue in await tx.dialogues.all():
                    purged = " purged" if await tx.synopses.purged_at(dialogue.id) is not None else ""
                    print(f"{dialogue.id}\t{dialogue.state}{purged}\t{dialogue.title}")
                return exit_codes.OK
            dialogue = await tx.dialogues.get(args.dialogue)
            if dialogue is None:
                print(f"dialogue-bot: no dialogue {args.dialogue} (see `dialogue-bot dialogues`)", file=sys.stderr)
                return exit_codes.USAGE
            if args.command == "adopt":
                return await _adopt(tx, settings, dialogue)
            if args.command == "end":
                return await _end(tx, dialogue)
            if args.command == "synopsis":
                adopted = await tx.synopses.adopted(dialogue.id)
                if await tx.synopses.purged_at(dialogue.id) is not None and adopted is not None:
                    data = adopted.rendered(args.format)
                else:
                    data_input = await gather_synopsis_input(
                        tx, dialogue, settings.bot.timezone, settings.privacy.k_threshold, settings.privacy.categories()
                    )
                    data = render(await compile_off_loop(data_input, settings.synopsis), args.format)
            else:
                return await _purge(tx, dialogue.id, dialogue.state)
    finally:
        await db.close()
    if args.output is not None:
        args.output.write_bytes(data)
    elif args.format == "docx":
        print("dialogue-bot: DOCX is binary; give -o FILE", file=sys.stderr)
        return exit_codes.USAGE
    else:
        sys.stdout.buffer.write(data)
    return exit_codes.OK


async def _adopt(tx: Transaction, settings: Settings, dialogue: Dialogue) -> int:
    """Store the current draft as the adopted synopsis, as `!dialogue adopt` does in chat (for a dialogue whose room
    the bot can no longer speak in, before `purge`)."""
    if await tx.synopses.purged_at(dialogue.id) is not None:
        print("dialogue-bot: this dialogue was purged: only its adopted synopsis remains", file=sys.stderr)
        return exit_codes.USAGE
    privacy = settings.privacy
    data_input = await gather_synopsis_input(
        tx, dialogue, settings.bot.timezone, privacy.k_threshold, privacy.categories()
    )
    synopsis = await compile_off_loop(data_input, settings.synopsis)
    rendered = {fmt: render(synopsis, fmt) for fmt in ADOPTED_FORMATS}
    await record_adoption(tx, dialogue.id, rendered, time.time())
    print(f"adopted: the current draft of dialogue {dialogue.id} is stored as its adopted synopsis")
    return exit_codes.OK


async def _end(tx: Transaction, dialogue: Dialogue) -> int:
    """End an active dialogue, as `!dialogue end` does (its open challenges' threads are told when the bot is next
    running and still in the room)."""
    if dialogue.state != "active":
        print(f"dialogue {dialogue.id} has ended already")
        return exit_codes.OK
    await end_dialogue(tx, dialogue, time.time())
    print(f"ended: dialogue {dialogue.id} takes no more contributions")
    return exit_codes.OK


async def _purge(tx: Transaction, dialogue_id: int, state: str) -> int:
    """The caller has asked for confirmation already (input() would block the event loop here)."""
    if state != "ended" or await tx.synopses.adopted(dialogue_id) is None:
        print("dialogue-bot: only an ended dialogue with an adopted synopsis can be purged", file=sys.stderr)
        return exit_codes.USAGE
    if await tx.synopses.purged_at(dialogue_id) is not None:
        print("already purged")
        return exit_codes.OK
    await tx.synopses.purge(dialogue_id, time.time())
    print("purged: only the adopted synopsis and an audit record remain")
    uploads = await tx.media.for_dialogue(dialogue_id)
    if uploads:
        # The offline command has no homeserver connection; the chat command has the bot delete them.
        print(
            f"{len(uploads)} synopsis file(s) the bot uploaded stay in the homeserver's media store until its admin "
            "deletes them (DELETE /_synapse/admin/v1/media/<server>/<media id>):"
        )
        for uri in uploads:
            print(f"  {uri}")
    return exit_codes.OK
