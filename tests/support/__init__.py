"""Test harness: real Matrix users (matrix-nio, E2EE) and the bot run as an OS process."""

from config.toml_text import toml_dumps
from devserver.bot_process import BotProcess, BotProcessError
from tests.support.matrix_user import MatrixRequestError, TestUser, is_membership, is_text

__all__ = [
    "BotProcess",
    "BotProcessError",
    "MatrixRequestError",
    "TestUser",
    "is_membership",
    "is_text",
    "toml_dumps",
]
