"""The bot's command table, in one explicit list."""

from __future__ import annotations

from handlers import builtin
from handlers.commands import Command, CommandRegistry, Permission, rest_of_line


def build_registry() -> CommandRegistry:
    return CommandRegistry(
        [
            Command(
                name="help",
                arguments="[command]",
                summary="lists the commands, or explains one",
                handler=builtin.show_help,
                parse=builtin.parse_help_topic,
            ),
            Command(
                name="ping",
                summary="checks that the bot is listening",
                handler=builtin.ping,
                # Anything after `ping` is ignored, so a client's autocompletion cannot turn it into a usage error.
                parse=rest_of_line,
            ),
            Command(
                name="health",
                summary="shows the bot's version, uptime, encryption and queue sizes",
                handler=builtin.health,
                permission=Permission.MODERATOR,
            ),
        ]
    )
