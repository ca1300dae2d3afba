"""Commands every room has, whatever the dialogue: help, ping and health."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.commands import CommandCall, UsageError, help_for, help_overview
from handlers.replies import Reply
from i18n import bot_text

if TYPE_CHECKING:
    from storage import Transaction


async def show_help(call: CommandCall, tx: Transaction) -> Reply:
    prefix = call.prefix
    if call.args is None:
        return help_overview(call.registry, prefix, call.settings.bot.command_aliases, call.language)
    command = call.registry.get(call.args)
    if command is None:
        raise UsageError(bot_text(call.language, "no command called '{name}'", name=call.args))
    return help_for(command, prefix, call.language)


def parse_help_topic(raw: str) -> str | None:
    topic = " ".join(raw.split())
    return topic or None


async def ping(call: CommandCall, tx: Transaction) -> Reply:
    return Reply.plain("pong")


async def health(call: CommandCall, tx: Transaction) -> Reply:
    inbox = await tx.inbox.counts()
    outbox_pending = await tx.outbox.pending_count()
    uptime = _format_duration(call.now - call.bot.started_at)
    if not call.bot.encryption_enabled:
        crypto = "end-to-end encryption off"
    else:
        crypto = "end-to-end encryption on" + (", this room is encrypted" if call.room.encrypted else "")
    lines = [
        f"dialogue-bot {call.bot.version}, up {uptime}",
        crypto,
        f"inbox: {inbox['pending']} waiting, {inbox['awaiting_key']} awaiting keys, {inbox['quarantined']} quarantined",
        f"outbox: {outbox_pending} waiting to be sent",
    ]
    return Reply.plain("\n".join(lines))


def _format_duration(seconds: float) -> str:
    total = max(0, int(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"
