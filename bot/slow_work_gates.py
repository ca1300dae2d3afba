"""Pause points a test can hold open, so it can prove the bot keeps working while slow work is under way.

Only when the environment variable DIALOGUE_BOT_TEST_GATES names a folder, and a Unix socket `<gate>.sock` in it
accepts a connection, does the bot stop at that gate: it connects, then waits until the test sends a byte or closes
the connection (a test that dies therefore never leaves the bot stuck). With the variable unset, as in every real
deployment, a gate costs one dictionary lookup. The gates are "download" (a file a command needs) and "compile"
(a synopsis compile and render), each just before that work starts.
"""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

GATES_ENV = "DIALOGUE_BOT_TEST_GATES"


def _gate_path(name: str) -> Path | None:
    folder = os.environ.get(GATES_ENV)
    return Path(folder) / f"{name}.sock" if folder else None


def pass_gate(name: str) -> None:
    """Wait at gate `name` while a test holds it. Blocking: call it from a worker thread."""
    path = _gate_path(name)
    if path is None:
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        try:
            connection.connect(str(path))
        except OSError:
            return  # no test is holding this gate
        connection.recv(1)


async def wait_at_gate(name: str) -> None:
    """`pass_gate` for async code: waits in a worker thread, so the event loop keeps running."""
    if _gate_path(name) is not None:
        await asyncio.to_thread(pass_gate, name)
