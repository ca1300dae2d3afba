"""Command-line access to the bot's database for the secretariat, without a homeserver: list dialogues, write a
synopsis, end a dialogue, adopt its draft, purge an ended one (also one whose room the bot was removed from).

The same code as the chat commands compiles and renders the document, and the same rules (handlers/access.py)
decide what may be done to which dialogue: a refusal prints its reason and exits with `exit_codes.REFUSED`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable

from bot import exit_codes
from bot.app import open_database
from bot.progress_bar import finish, stage_printer
from config import Settings
from handlers.access import Action, Operator, Refusal, cli_commands, decide, dialogue_facts, pull_action
from handlers.dialogue_commands import end_dialogue
from handlers.synopsis_commands import ADOPTED_FORMATS, record_adoption
from handlers.synopsis_input import compile_off_loop, synopsis_input_for
from storage import Database, Dialogue, Transaction
from synopsis.progress import LOADING, RENDERING, Progress, no_progress
from synopsis.render import render

Confirm = Callable[[int], Awaitable[bool]]

_ACTIONS = {"adopt": Action.ADOPT, "end": Action.END, "purge": Action.PURGE}


async def run_offline_command(settings: Settings, args: argparse.Namespace, confirm: Confirm | None = None) -> int:
    """Run `args.command`; `confirm(dialogue_id)` asks before a purge (None: do not ask, as with --yes)."""
    db = await open_database(settings)
    try:
        if args.command == "dialogues":
            async with db.transaction() as tx:
                await _list(tx)
            return exit_codes.OK
        if args.command == "synopsis":
            return await _synopsis(db, settings, args)
        if args.command == "purge" and confirm is not None:
            # The rules first, so nobody is asked to confirm what would be refused; no transaction is open while
            # the operator thinks, and the purge below checks the rules again.
            async with db.transaction() as tx:
                refused = await _refusal(tx, args.dialogue, Action.PURGE)
            if refused is not None:
                return refused
            if not await confirm(args.dialogue):
                print("nothing deleted")
                return exit_codes.OK
        async with db.transaction() as tx:
            refused = await _refusal(tx, args.dialogue, _ACTIONS[args.command])
            if refused is not None:
                return refused
            dialogue = await tx.dialogues.get(args.dialogue)
            assert dialogue is not None
            if args.command == "adopt":
                return await _adopt(tx, settings, dialogue)
            if args.command == "end":
                return await _end(tx, dialogue)
            return await _purge(tx, dialogue.id)
    finally:
        await db.close()


async def ask_on_terminal(dialogue_id: int) -> bool:
    """The purge's question, read in a worker thread (input() would block the event loop)."""
    question = f"Delete dialogue {dialogue_id}'s contributions, support, roster and secret for good? [y/N] "
    answer = await asyncio.to_thread(input, question)
    return answer.strip().casefold() in ("y", "yes")


async def _list(tx: Transaction) -> None:
    for dialogue in await tx.dialogues.all():
        purged = " purged" if await tx.synopses.purged_at(dialogue.id) is not None else ""
        print(f"{dialogue.id}\t{dialogue.state}{purged}\t{dialogue.title}")


async def _refusal(tx: Transaction, dialogue_id: int, action: Action | None) -> int | None:
    """The exit code when the dialogue does not exist or the rules refuse `action` (None: what pulling means for
    this dialogue), after saying why on stderr; None when allowed."""
    dialogue = await tx.dialogues.get(dialogue_id)
    if dialogue is None:
        print(f"dialogue-bot: no dialogue {dialogue_id} (see `dialogue-bot dialogues`)", file=sys.stderr)
        return exit_codes.USAGE
    facts = await dialogue_facts(tx, dialogue)
    decision = decide(Operator(), facts, action or pull_action(facts), cli_commands)
    if isinstance(decision, Refusal):
        print(f"dialogue-bot: {decision.reason}", file=sys.stderr)
        return exit_codes.REFUSED
    return None


async def _synopsis(db: Database, settings: Settings, args: argparse.Namespace) -> int:
    if args.output is None and args.format == "docx":
        print("dialogue-bot: DOCX is binary; give -o FILE", file=sys.stderr)
        return exit_codes.USAGE
    language: str | None = getattr(args, "language", None)
    if args.adopted and language is not None:
        print(
            "dialogue-bot: the adopted synopsis stays as it was adopted; --language applies to a draft",
            file=sys.stderr,
        )
        return exit_codes.USAGE
    progress = stage_printer() if args.output is not None else no_progress
    try:
        async with db.transaction() as tx:
            refused = await _refusal(tx, args.dialogue, Action.PULL_ADOPTED if args.adopted else None)
            if refused is not None:
                return refused
            dialogue = await tx.dialogues.get(args.dialogue)
            assert dialogue is not None
            facts = await dialogue_facts(tx, dialogue)
            if args.adopted or pull_action(facts) is Action.PULL_ADOPTED:
                adopted = await tx.synopses.adopted(dialogue.id)
                assert adopted is not None  # the rules allow pulling it only once there is one
                if language is not None:
                    print(
                        f"dialogue-bot: dialogue {dialogue.id} has an adopted synopsis, written out as it was "
                        "adopted; --language applies to a draft",
                        file=sys.stderr,
                    )
                data = adopted.rendered(args.format)
            else:
                data = await compile_and_render(tx, settings, dialogue, args.format, progress, language)
    finally:
        finish(progress)
    if args.output is not None:
        args.output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return exit_codes.OK


async def compile_and_render(
    tx: Transaction,
    settings: Settings,
    dialogue: Dialogue,
    fmt: str,
    progress: Progress = no_progress,
    language: str | None = None,
) -> bytes:
    """The draft in `fmt` and in `language` (None: English), telling `progress` each stage: loading, grouping per
    challenge, rendering."""
    progress(LOADING, 0, 0)
    data_input = await synopsis_input_for(tx, dialogue, settings, language=language)
    synopsis = await compile_off_loop(data_input, settings.synopsis, progress)
    progress(RENDERING, 0, 0)
    return await asyncio.to_thread(render, synopsis, fmt)


async def _adopt(tx: Transaction, settings: Settings, dialogue: Dialogue) -> int:
    """Store the current draft as the adopted synopsis, as `!dialogue adopt` does in chat (for a dialogue whose room
    the bot can no longer speak in, before `purge`). The caller has applied the rules."""
    data_input = await synopsis_input_for(tx, dialogue, settings)
    synopsis = await compile_off_loop(data_input, settings.synopsis)
    rendered = {fmt: render(synopsis, fmt) for fmt in ADOPTED_FORMATS}
    await record_adoption(tx, dialogue.id, rendered, time.time())
    print(f"adopted: the current draft of dialogue {dialogue.id} is stored as its adopted synopsis")
    return exit_codes.OK


async def _end(tx: Transaction, dialogue: Dialogue) -> int:
    """End an active dialogue, as `!dialogue end` does (its open challenges' threads are told when the bot is next
    running and still in the room). The caller has applied the rules."""
    await end_dialogue(tx, dialogue, time.time())
    print(f"ended: dialogue {dialogue.id} takes no more contributions")
    return exit_codes.OK


async def _purge(tx: Transaction, dialogue_id: int) -> int:
    """The caller has applied the rules and asked for confirmation."""
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
