"""Errors that end the bot, each with its own exit code and a message that says what to do."""

from __future__ import annotations

import secrets

import aiohttp

from bot import exit_codes

# Failures of the connection to the homeserver that are worth retrying after a pause.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (aiohttp.ClientError, OSError, TimeoutError)


def new_error_reference() -> str:
    """A short code a participant can quote to the operator, who finds it in the log."""
    return secrets.token_hex(3).upper()


class BotError(Exception):
    """Base of the errors that stop the bot. `exit_code` is what the process exits with."""

    exit_code = exit_codes.UNEXPECTED


class LoginError(BotError):
    """The homeserver did not accept the bot's credentials or stored session."""

    exit_code = exit_codes.LOGIN


class HomeserverUnreachable(BotError):
    """The homeserver could not be reached at start-up."""

    exit_code = exit_codes.HOMESERVER_UNREACHABLE


class DatabaseError(BotError):
    """The bot's database cannot be used (for instance, written by a newer release)."""

    exit_code = exit_codes.DATABASE
