"""`dialogue-bot quarantine`: list the events the bot gave up on, by reference only, and requeue them.

Works while the bot runs (SQLite lets the two processes share the file): the bot's processor looks at the inbox at
least every `bot.processor.IDLE_RECHECK_SECONDS`, so a requeued event is handled within that without a restart.
A listing never shows a sender, a body or a Matrix ID: only the inbox number, the error reference the room was given
(which the log's traceback also carries), when the event arrived, how often it was tried and the room's number.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from bot import exit_codes
from bot.app import open_database
from bot.processor import IDLE_RECHECK_SECONDS
from config import Settings
from storage.inbox import QuarantinedEvent


def describe(event: QuarantinedEvent) -> str:
    """One line of the listing, tab-separated."""
    arrived = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(event.received_at))
    room = "-" if event.room_number is None else str(event.room_number)
    return f"{event.seq}\t{event.error_ref or '-'}\t{arrived}\t{event.attempts}\t{room}"


HEADER = "inbox\treference\tarrived (UTC)\ttries\troom"


def matching(events: Sequence[QuarantinedEvent], reference: str) -> list[QuarantinedEvent]:
    """The quarantined events `reference` names: an error reference (any case) or an inbox number."""
    wanted = reference.strip().upper()
    return [event for event in events if event.error_ref.upper() == wanted or str(event.seq) == wanted]


async def run_quarantine_command(settings: Settings, args: argparse.Namespace) -> int:
    action = getattr(args, "quarantine_action", None)
    if action == "requeue" and (args.ref is None) == (not args.all):
        print(
            "dialogue-bot: quarantine requeue takes one REF (see `dialogue-bot quarantine`) or --all", file=sys.stderr
        )
        return exit_codes.USAGE
    db = await open_database(settings)
    try:
        async with db.transaction() as tx:
            events = await tx.inbox.quarantined()
            if action != "requeue":
                if not events:
                    print("no quarantined events")
                    return exit_codes.OK
                print(HEADER)
                for event in events:
                    print(describe(event))
                return exit_codes.OK
            chosen = events if args.all else matching(events, args.ref)
            if not args.all and len(chosen) != 1:
                problem = "no quarantined event" if not chosen else f"{len(chosen)} quarantined events"
                print(
                    f"dialogue-bot: {problem} with reference {args.ref} (see `dialogue-bot quarantine`)",
                    file=sys.stderr,
                )
                return exit_codes.USAGE
            requeued = await tx.inbox.requeue_quarantined_seqs(event.seq for event in chosen)
    finally:
        await db.close()
    print(
        f"requeued {requeued} event(s); a running bot handles them within {IDLE_RECHECK_SECONDS:.0f} s, "
        "a stopped one at its next start"
    )
    return exit_codes.OK
