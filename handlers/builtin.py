"""Commands every room has, whatever the dialogue: help, ping and health."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from handlers.commands import CommandCall, UsageError, help_for, help_overview
from handlers.replies import Reply
from i18n import bot_text
from scheduling import format_duration

if TYPE_CHECKING:
    from storage import Transaction


async def show_help(call: CommandCall[str | None], tx: Transaction) -> Reply:
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


async def ping(call: CommandCall[str], tx: Transaction) -> Reply:
    return Reply.plain(bot_text(call.language, "pong"))


async def health(call: CommandCall[None], tx: Transaction) -> Reply:
    inbox = await tx.inbox.counts()
    outbox_pending = await tx.outbox.pending_count()
    language = call.language
    uptime = _uptime(call.now - call.bot.started_at, language)
    if not call.bot.encryption_enabled:
        crypto = bot_text(language, "end-to-end encryption off")
    elif call.room.encrypted:
        crypto = bot_text(language, "end-to-end encryption on, this room is encrypted")
    else:
        crypto = bot_text(language, "end-to-end encryption on")
    lines = [
        bot_text(language, "dialogue-bot {version}, up {uptime}", version=call.bot.version, uptime=uptime),
        crypto,
        bot_text(
            language,
            "inbox: {pending} waiting, {awaiting_key} awaiting keys, {quarantined} quarantined",
            pending=inbox["pending"],
            awaiting_key=inbox["awaiting_key"],
            quarantined=inbox["quarantined"],
        ),
        bot_text(language, "outbox: {pending} waiting to be sent", pending=outbox_pending),
    ]
    return Reply.plain("\n".join(lines))


def _uptime(seconds: float, language: str | None) -> str:
    """The two largest units of the time up: "2d 3h" in English, written out in another language."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        english, kept = f"{days}d {hours}h", timedelta(days=days, hours=hours)
    elif hours:
        english, kept = f"{hours}h {minutes}m", timedelta(hours=hours, minutes=minutes)
    elif minutes:
        english, kept = f"{minutes}m {secs}s", timedelta(minutes=minutes, seconds=secs)
    else:
        english, kept = f"{secs}s", timedelta(seconds=secs)
    if language is None or language == "en":
        return english
    return format_duration(kept, language)
