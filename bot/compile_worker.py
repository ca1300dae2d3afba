"""Compiling and rendering a synopsis in a child process, which exits once it has been idle for a while.

The synopsis stack (numpy, scipy, scikit-learn, rapidfuzz, and the embedding models guided or cross-lingual themes
load) takes over 100 MB once imported, and a Python process does not give that back: a bot that compiled once in its
own process kept it for the rest of its life. The child is started with `spawn`, not `fork`, so it shares nothing
with the bot (no copy of its event loop, its database connection or its Olm account) and imports only what the
compile needs; when it exits, all of it is gone.

Importing that stack takes one to four seconds on two busy cores, longer than a compile of a few dozen
contributions, so the child is started ahead of need (`warm`, when the processor starts) and imports it at once,
then serves compiles one after another; after `IDLE_SECONDS` without one it exits by itself, and the next compile
starts a new one. Moderators compile in bursts (`themes`, then `merge` or `move`, then `synopsis`), which one child
serves. The CPU work no longer shares the bot's interpreter lock, so the event loop does not lag meanwhile.

If the bot dies, the kernel kills the child with it (PR_SET_PDEATHSIG); if a compile is cancelled (the bot is
stopping), the child is killed at once rather than finishing a document nobody will send.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import signal
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from handlers.slow_work import CompiledSynopsis, CompileSynopsis

IDLE_SECONDS = 120.0
"""How long the child waits for another compile before it exits and gives its memory back."""

_PR_SET_PDEATHSIG = 1


class CompileWorkerDied(RuntimeError):
    """The child exited without an answer (killed, or out of memory)."""


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _child(connection: Connection, idle_seconds: float) -> None:
    """The child's whole life: import the stack, then compile each request sent until idle for `idle_seconds`."""
    _die_with_parent()
    # The heavy imports happen here, in the child only, before the first request arrives.
    import synopsis.compile
    import synopsis.render  # noqa: F401
    from handlers.slow_work import compile_and_render

    while connection.poll(idle_seconds):
        try:
            request = connection.recv()
        except EOFError:
            return  # the bot closed its end: it is stopping
        try:
            answer: tuple[bool, object] = (True, compile_and_render(request))
        except Exception as error:  # handed to the bot, which treats it as the handler's failure
            answer = (False, error)
        connection.send(answer)


class _Child:
    def __init__(self, idle_seconds: float) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe(duplex=True)
        self.process: BaseProcess = context.Process(
            target=_child, args=(theirs, idle_seconds), name="synopsis-compile", daemon=True
        )
        self.process.start()
        theirs.close()  # only the child holds its end now, so its death ends our wait with EOFError

    def ask(self, request: CompileSynopsis) -> tuple[bool, object]:
        """Blocking: send `request` and wait for the answer; EOFError or BrokenPipeError once the child is gone."""
        self.connection.send(request)
        answer = self.connection.recv()
        assert isinstance(answer, tuple)
        return answer

    def kill(self) -> None:
        """Blocking: end the child now and reap it."""
        self.process.kill()
        self.process.join()
        self.connection.close()


class CompileWorker:
    """One child process at a time, compiling one request at a time."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self._idle_seconds = idle_seconds
        self._child: _Child | None = None
        self._lock = asyncio.Lock()
        self.asking = False  # a request is with the child (for tests)

    @property
    def child_pid(self) -> int | None:
        """The live child's process ID, None when there is none."""
        child = self._child
        return child.process.pid if child is not None and child.process.is_alive() else None

    async def wait_child_exit(self) -> None:
        """Return once the child, if any, has exited (on its idle timeout: for tests)."""
        if self._child is not None:
            await asyncio.to_thread(self._child.process.join)

    async def close(self) -> None:
        """Kill the child now, whatever it is doing."""
        child, self._child = self._child, None
        if child is not None:
            await asyncio.to_thread(child.kill)

    async def warm(self) -> None:
        """Start a child now (it imports the synopsis stack meanwhile), unless one is alive."""
        async with self._lock:
            await self._live_child()

    async def compile(self, request: CompileSynopsis) -> CompiledSynopsis:
        """Compile and render `request` in the child; raises what the compile raised there."""
        async with self._lock:
            ok, result = await self._ask(request)
        if not ok:
            assert isinstance(result, BaseException)
            raise result
        # What the child sends back when it succeeded (see _ask).
        return cast("CompiledSynopsis", result)

    async def _ask(self, request: CompileSynopsis) -> tuple[bool, object]:
        # A child found alive may exit on its idle timeout just as the request goes out: then once more, with a new
        # child (a compile is pure, so asking again is safe). A new child that dies too is a real failure.
        for attempt in range(2):
            child = await self._live_child()
            self.asking = True
            try:
                return await asyncio.to_thread(child.ask, request)
            except (EOFError, BrokenPipeError, ConnectionResetError):
                self._child = None
                await asyncio.to_thread(child.kill)
                if attempt:
                    raise CompileWorkerDied(
                        f"the compile's process exited with code {child.process.exitcode}"
                    ) from None
            except BaseException:
                # Cancelled (the bot is stopping): the child's work is of no use any more. Killing it closes its end
                # of the pipe, which ends the thread still waiting in `ask`.
                self._child = None
                await asyncio.shield(asyncio.to_thread(child.kill))
                raise
            finally:
                self.asking = False
        raise AssertionError("unreachable")

    async def _live_child(self) -> _Child:
        child = self._child
        if child is not None and child.process.is_alive():
            return child
        if child is not None:
            await asyncio.to_thread(child.kill)  # reap the one that exited
        self._child = await asyncio.to_thread(_Child, self._idle_seconds)
        return self._child
