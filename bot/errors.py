"""Errors that end the bot, each with its own exit code and a message that says what to do."""

from __future__ import annotations

import secrets

import aiohttp

from bot import exit_codes

# Failures of the connection to the homeserver that are worth retrying after a pause.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (aiohttp.ClientError, OSError, TimeoutError)
# The errcodes with which a homeserver says the bot's access token is no good (revoked, device deleted).
SESSION_REJECTED_ERRCODES = frozenset({"M_UNKNOWN_TOKEN", "M_MISSING_TOKEN"})

# What an operator reads when the homeserver rejects the stored session. Never "reset the session" first: that makes
# a new device, and the old one's keys (every room key participants shared with the bot) are of no use any more.
SESSION_REJECTED_ADVICE = (
    "Check whether the bot's access token was revoked, its device signed out or deleted (in another client or the "
    "homeserver's admin tools), or the account deactivated; a restored old backup can also hold a stale login. "
    "Fix that and start the bot again: it keeps its device and its encryption keys. Only as a last resort, if the "
    "device is gone for good, `dialogue-bot reset-session` and a password login make a NEW device, which cannot "
    "read any earlier encrypted message (participants must share their room keys with it again)."
)


def http_status(response: object) -> int | None:
    """The HTTP status behind a nio response, if nio kept it."""
    status = getattr(getattr(response, "transport_response", None), "status", None)
    return status if isinstance(status, int) else None


def is_passing_fault(response: object) -> bool:
    """Whether an error answer is the homeserver, or a proxy in front of it, failing for now (any 5xx, 408, 429)
    rather than refusing the request (any other 4xx: a rejected token, a wrong password, a wrong URL)."""
    errcode = getattr(response, "status_code", None)
    status = http_status(response)
    if status is None:  # nio kept no HTTP status: judge by the errcode alone
        return errcode in (None, "M_UNKNOWN", "M_LIMIT_EXCEEDED")
    return status >= 500 or status in (408, 429) or errcode == "M_LIMIT_EXCEEDED"


def describe_response(response: object) -> str:
    """A short description of an error answer for the log: its errcode and HTTP status. Not the server's message,
    which may name a user or a room."""
    status = http_status(response)
    errcode = str(getattr(response, "status_code", None) or "no errcode")
    return errcode if status is None else f"{errcode} (HTTP {status})"


def new_error_reference() -> str:
    """A short code a participant can quote to the operator, who finds it in the log."""
    return secrets.token_hex(3).upper()


class BotError(Exception):
    """Base of the errors that stop the bot. `exit_code` is what the process exits with."""

    exit_code = exit_codes.UNEXPECTED


class LoginError(BotError):
    """The homeserver did not accept the bot's credentials or stored session."""

    exit_code = exit_codes.LOGIN


class DatabaseError(BotError):
    """The bot's database cannot be used (for instance, written by a newer release)."""

    exit_code = exit_codes.DATABASE
