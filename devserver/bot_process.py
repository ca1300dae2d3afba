"""Run the bot as a separate OS process, the way an operator would: `python -m bot run --config ...`.

The one way the integration tests and the demo start, stop and kill the bot: a fresh account on a throwaway
Synapse (devserver/synapse.py), its password file and config.toml, and the process in its own process group.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from config.toml_text import toml_dumps
from devserver.synapse import SynapseServer, spawn_process_group, tail

__all__ = ["BotProcess", "BotProcessError"]


class BotProcessError(AssertionError):
    """The bot process misbehaved (hung on SIGTERM, not started...). An AssertionError so it reads
    as a test failure, not a harness crash."""


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


class BotProcess:
    """One bot account and its config/data/log in `base_dir`; start/stop it as a child process."""

    def __init__(
        self,
        *,
        user_id: str,
        password: str,
        base_dir: Path,
        config: dict[str, Any],
    ) -> None:
        self.user_id = user_id
        self.password = password
        self.base_dir = base_dir
        self.config = config
        self.config_path = base_dir / "config.toml"
        self.password_path = base_dir / "password"
        self.data_dir = Path(config["bot"]["data_dir"])
        self.log_path = base_dir / "bot.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        # What precedes `run --config <path>`. Overridable so the harness can be exercised with a
        # stand-in program (or the bot run under coverage) without changing the contract.
        self.command_prefix: list[str] = [sys.executable, "-m", "bot"]

    @classmethod
    def create(
        cls,
        synapse: SynapseServer,
        base_dir: Path,
        *,
        encryption: bool = True,
        exempt_from_rate_limits: bool = True,
        allowed_inviters: Sequence[str] = ("localhost",),
        extra_config: Mapping[str, Any] | None = None,
        log_level: str = "INFO",
        admin: bool = False,
        localpart: str | None = None,
    ) -> BotProcess:
        """Register a fresh account (`localpart`, else `bot-<hex>`) and write its password file and config.toml.

        Blocking (HTTP to Synapse); from async code use the `bot_factory` fixture or
        `await asyncio.to_thread(BotProcess.create, ...)`. Does not start the process.
        """
        localpart = localpart or f"bot-{secrets.token_hex(3)}"
        password = secrets.token_urlsafe(18)
        base_dir.mkdir(parents=True, exist_ok=True)
        user_id = synapse.register(localpart, password, admin=admin)
        if exempt_from_rate_limits:
            synapse.exempt_from_rate_limits(user_id)

        password_path = base_dir / "password"
        # 0600 from the start (not chmod after writing): the bot may reasonably refuse looser modes.
        fd = os.open(password_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")

        data_dir = base_dir / "data"
        data_dir.mkdir(exist_ok=True)
        config: dict[str, Any] = {
            "matrix": {
                "homeserver": synapse.url,
                "user_id": user_id,
                "password_file": str(password_path),
                "encryption": encryption,
            },
            "bot": {
                "data_dir": str(data_dir),
                "allowed_inviters": list(allowed_inviters),
                "moderator_power_level": 50,
            },
            "privacy": {"k_threshold": 3},
            "logging": {"level": log_level},
        }
        if extra_config:
            config = _deep_merge(config, extra_config)
        bot = cls(user_id=user_id, password=password, base_dir=base_dir, config=config)
        bot.write_config()
        return bot

    def write_config(self) -> None:
        """(Re)write config.toml from `self.config`, e.g. after changing it between restarts."""
        self.config_path.write_text(toml_dumps(self.config))

    # -- process control ---------------------------------------------------------------------

    @property
    def command(self) -> list[str]:
        return [*self.command_prefix, "run", "--config", str(self.config_path)]

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def returncode(self) -> int | None:
        """Exit code once the process has exited (negative = killed by that signal), else None."""
        return self._proc.poll() if self._proc is not None else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # Tests are async: start/stop/kill/wait_exit are coroutines whose blocking waits run in a
    # thread, so the test users' sync loops keep running meanwhile. The *_sync twins are for
    # synchronous callers (a demo command, fixtures without a loop).

    async def start(self) -> None:
        """Spawn the bot. Returns at once; wait for a Matrix-visible sign (e.g. its join) if needed."""
        self.start_sync()

    async def stop(self, timeout: float = 20) -> int:  # noqa: ASYNC109 - SIGTERM grace period
        """SIGTERM the bot and wait for it; returns the exit code (see `stop_sync`)."""
        return await asyncio.to_thread(self.stop_sync, timeout)

    async def kill(self) -> None:
        """SIGKILL the bot's whole process group and reap it (a crash / power loss)."""
        await asyncio.to_thread(self.kill_sync)

    async def wait_exit(self, timeout: float = 30) -> int:  # noqa: ASYNC109 - exit deadline
        """Wait for the bot to exit by itself (e.g. on a fatal config error); returns the exit code."""
        return await asyncio.to_thread(self.wait_exit_sync, timeout)

    def start_sync(self) -> None:
        if self.is_running():
            raise BotProcessError(f"bot {self.user_id} is already running (pid {self.pid})")
        # The bot reads DIALOGUE_BOT_* overrides from the environment: a developer's shell must not
        # leak into the test's config. PYTEST_* is dropped so the bot can't tell it's under test.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DIALOGUE_BOT_"))}
        # Logs go to a file; unbuffered so the log is current when a test fails or the bot is killed.
        env["PYTHONUNBUFFERED"] = "1"
        self.starts += 1
        with open(self.log_path, "a", encoding="utf-8") as fh:
            fh.write(f"\n===== start #{self.starts} at {time.strftime('%H:%M:%S')}: {self.command}\n")
        self._proc = spawn_process_group(self.command, cwd=self.base_dir, log_file=self.log_path, env=env)

    def stop_sync(self, timeout: float = 20) -> int:
        """SIGTERM the bot and wait for it; returns the exit code.

        If it is still running after `timeout` s it is SIGKILLed and BotProcessError is raised: a bot
        that ignores SIGTERM is a bug (systemd/docker would kill it mid-write).
        """
        proc = self._require_proc()
        if proc.poll() is None:
            # SIGTERM to the bot itself only, as `kill <pid>` / docker stop would; it owns its children.
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._kill_group(proc)
                raise BotProcessError(
                    f"bot {self.user_id} did not exit within {timeout}s of SIGTERM; killed it.\n{self.log_tail()}"
                ) from None
        self._kill_group(proc)  # reap anything it left in its process group
        return proc.returncode

    def kill_sync(self) -> None:
        if self._proc is not None:
            self._kill_group(self._proc)

    def wait_exit_sync(self, timeout: float = 30) -> int:
        proc = self._require_proc()
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BotProcessError(f"bot {self.user_id} still running after {timeout}s\n{self.log_tail()}") from None

    def _require_proc(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            raise BotProcessError(f"bot {self.user_id} was never started")
        return self._proc

    @staticmethod
    def _kill_group(proc: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    # -- logs --------------------------------------------------------------------------------

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return f"--- {self.log_path} (last {lines} lines) ---\n{tail(self.log_path, lines)}"

    def __repr__(self) -> str:
        state = "running" if self.is_running() else f"exit={self.returncode}"
        return f"<BotProcess {self.user_id} {state}>"
