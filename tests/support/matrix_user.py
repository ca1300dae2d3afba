"""The real Matrix user the tests drive the bot with: the same E2EE client the demo uses (demo/client.py)."""

from __future__ import annotations

from demo.client import DemoUser, MatrixRequestError
from demo.events import is_membership, is_text

__all__ = ["MatrixRequestError", "TestUser", "is_membership", "is_text"]


class TestUser(DemoUser):
    # Not a test class, despite the name (keeps pytest from trying to collect it).
    __test__ = False
