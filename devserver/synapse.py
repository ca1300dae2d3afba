"""A throwaway Synapse homeserver on loopback, for the integration tests and the demo.

Synchronous and stdlib-only (plus PyYAML, which Synapse itself depends on), so it can be driven
from a plain pytest fixture or a CLI command without an event loop.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import hashlib
import hmac
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

log = logging.getLogger(__name__)

__all__ = ["SynapseError", "SynapseServer", "find_free_port"]

# Every rate limiter except rc_message gets this: tests register/login/join/invite far faster than a
# human would, and those limits are not what we are testing.  rc_message is deliberately left at
# Synapse's default (0.2/s, burst 10) so the bot is exercised against the limiter it meets in
# production; test users are exempted per user via the admin API instead.
_UNLIMITED: dict[str, float] = {"per_second": 100_000, "burst_count": 1_000_000}
_RELAXED_RATE_LIMITS: dict[str, Any] = {
    "rc_registration": _UNLIMITED,
    "rc_registration_token_validity": _UNLIMITED,
    "rc_login": {"address": _UNLIMITED, "account": _UNLIMITED, "failed_attempts": _UNLIMITED},
    "rc_joins": {"local": _UNLIMITED, "remote": _UNLIMITED},
    "rc_joins_per_room": _UNLIMITED,
    "rc_invites": {"per_room": _UNLIMITED, "per_user": _UNLIMITED, "per_issuer": _UNLIMITED},
    "rc_third_party_invite": _UNLIMITED,
    "rc_3pid_validation": _UNLIMITED,
    "rc_key_requests": _UNLIMITED,
    "rc_admin_redaction": _UNLIMITED,
    "rc_room_creation": _UNLIMITED,
    "rc_reports": _UNLIMITED,
    "rc_media_create": _UNLIMITED,
    "rc_presence": {"per_user": _UNLIMITED},
    "rc_delayed_event_mgmt": _UNLIMITED,
    "rc_user_directory": _UNLIMITED,
    "rc_profile": _UNLIMITED,
}

_ADMIN_LOCALPART = "devserver-admin"


class SynapseError(RuntimeError):
    """Synapse failed to start, or an admin/client API call failed."""


def find_free_port() -> int:
    """Ask the kernel for a free loopback port.

    There is a small window in which another process could grab it; `SynapseServer.start` retries
    with a new port if Synapse reports the address in use.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """preexec_fn: have the kernel SIGTERM the child if the parent dies (even by SIGKILL).

    Only used when spawning from the main thread: PR_SET_PDEATHSIG fires when the *thread* that
    forked exits, so spawning from a worker thread would kill the child when that thread ends.
    """
    pr_set_pdeathsig = 1
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def spawn_process_group(
    args: list[str], *, cwd: Path, log_file: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start `args` in its own session/process group with stdout+stderr appended to `log_file`.

    Shared with the bot runner (devserver/bot_process.py) so both get the same "no orphans" guarantees.
    """
    on_main_thread = threading.current_thread() is threading.main_thread()
    use_pdeathsig = on_main_thread and sys.platform.startswith("linux")
    with open(log_file, "ab") as out:
        return subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Own process group: a Ctrl-C in the terminal doesn't hit it half-way through a test,
            # and stop() can signal the whole group.
            start_new_session=True,
            preexec_fn=_die_with_parent if use_pdeathsig else None,
        )


def terminate_process_group(proc: subprocess.Popen[bytes], timeout: float = 10) -> int:
    """SIGTERM the group, wait up to `timeout`, then SIGKILL. Returns the exit code."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log.warning("process %d ignored SIGTERM for %.0fs, sending SIGKILL", proc.pid, timeout)
    # Also SIGKILL after a clean exit: reaps any grandchildren left in the group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.wait()


def tail(path: Path, lines: int = 40) -> str:
    """Last `lines` lines of a text file (empty string if it doesn't exist)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ""
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


class SynapseServer:
    """One Synapse process bound to 127.0.0.1, with its state in `base_dir`.

    The config is generated once per `base_dir` and re-patched on every start (the port may change),
    so a demo can reuse a directory across runs while tests use a fresh temp dir. `stop()` then `start()` on the
    same object restarts it on the same port with the same data: an outage as clients see it.
    """

    def __init__(self, base_dir: Path, server_name: str = "localhost", port: int | None = None) -> None:
        self.base_dir = Path(base_dir).resolve()
        self.server_name = server_name
        self._requested_port = port
        self.port: int | None = port
        self.config_path = self.base_dir / "homeserver.yaml"
        self.log_path = self.base_dir / "homeserver.log"
        # Synapse's own stdout/stderr: errors before logging is configured (bad config, port in use).
        self.stdout_path = self.base_dir / "synapse.stdout.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._bound_port: int | None = None
        self._shared_secret: str | None = None
        self._admin_token: str | None = None
        self._lock = threading.Lock()
        # Seconds spent in the last generate/start, for reporting.
        self.timings: dict[str, float] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self.port is None:
            raise SynapseError("server not started: no port assigned yet")
        return f"http://127.0.0.1:{self.port}"

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 60) -> None:
        """Generate (once) and patch the config, start Synapse and wait until the client API answers."""
        if self.is_running():
            return
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if not self.config_path.exists():
            t0 = time.monotonic()
            self._generate_config()
            self.timings["generate"] = time.monotonic() - t0

        # A restart keeps the port the clients know; only a first start may pick another if its port was taken.
        fixed_port = self._requested_port or self._bound_port
        attempts = 1 if fixed_port is not None else 3
        for attempt in range(1, attempts + 1):
            self.port = fixed_port or find_free_port()
            self._patch_config()
            t0 = time.monotonic()
            try:
                self._spawn_and_wait(timeout)
            except _PortInUse:
                if attempt == attempts:
                    raise SynapseError(f"port {self.port} in use\n{self._log_tails()}") from None
                log.warning("port %s was taken before Synapse could bind it; retrying", self.port)
                continue
            self.timings["start"] = time.monotonic() - t0
            self._bound_port = self.port
            return

    def stop(self) -> None:
        """SIGTERM, wait, SIGKILL after 10 s. Idempotent."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)
        terminate_process_group(proc, timeout=10)
        self._admin_token = None

    def __enter__(self) -> SynapseServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- config ------------------------------------------------------------------------------

    def _generate_config(self) -> None:
        cmd = [
            sys.executable,
            "-m",
            "synapse.app.homeserver",
            "--server-name",
            self.server_name,
            "--config-path",
            str(self.config_path),
            "--generate-config",
            "--report-stats=no",
            "--data-directory",
            str(self.base_dir),
        ]
        # cwd=base_dir: the generated log config points at a cwd-relative homeserver.log.
        result = subprocess.run(cmd, cwd=self.base_dir, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not self.config_path.exists():
            raise SynapseError(
                f"synapse --generate-config failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )

    def _patch_config(self) -> None:
        config: dict[str, Any] = yaml.safe_load(self.config_path.read_text()) or {}
        config["listeners"] = [
            {
                "port": self.port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client", "federation"], "compress": False}],
            }
        ]
        config["database"] = {
            "name": "sqlite3",
            "args": {"database": str(self.base_dir / "homeserver.db")},
        }
        # No federation with the outside world: the machine is offline and tests must not leak.
        config["trusted_key_servers"] = []
        config["suppress_key_server_warning"] = True
        config["report_stats"] = False
        config["enable_registration"] = False
        if not config.get("registration_shared_secret"):
            config["registration_shared_secret"] = secrets.token_urlsafe(32)
        self._shared_secret = str(config["registration_shared_secret"])
        # bcrypt at the default 12 rounds costs ~0.3 s per register/login on this box; the password
        # hashes of throwaway users don't need to resist offline attacks.
        config["bcrypt_rounds"] = 4
        config.update(_RELAXED_RATE_LIMITS)
        # Make sure nothing (e.g. a stale value in a reused dir) overrides the default rc_message.
        for key in ("rc_message", "rc_messages_per_second", "rc_message_burst_count"):
            config.pop(key, None)
        config["log_config"] = str(self._write_log_config())
        config["pid_file"] = str(self.base_dir / "homeserver.pid")
        self.config_path.write_text(yaml.safe_dump(config, sort_keys=False))

    def _write_log_config(self) -> Path:
        path = self.base_dir / "log.config.yaml"
        log_config = {
            "version": 1,
            "formatters": {
                "precise": {"format": "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s"}
            },
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "precise",
                    "filename": str(self.log_path),
                    "encoding": "utf8",
                }
            },
            "loggers": {"synapse.storage.SQL": {"level": "WARNING"}},
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }
        path.write_text(yaml.safe_dump(log_config, sort_keys=False))
        return path

    # -- process -----------------------------------------------------------------------------

    def _spawn_and_wait(self, timeout: float) -> None:
        stdout_offset = self.stdout_path.stat().st_size if self.stdout_path.exists() else 0
        cmd = [sys.executable, "-m", "synapse.app.homeserver", "--config-path", str(self.config_path)]
        self._proc = spawn_process_group(cmd, cwd=self.base_dir, log_file=self.stdout_path)
        # Belt and braces for Ctrl-C / crashes where fixture teardown doesn't run.
        atexit.register(self.stop)

        deadline = time.monotonic() + timeout
        versions_url = f"{self.url}/_matrix/client/versions"
        while True:
            if self._proc.poll() is not None:
                code = self._proc.returncode
                self._proc = None
                new_output = self.stdout_path.read_bytes()[stdout_offset:].decode("utf-8", "replace")
                if "Address already in use" in new_output and self._requested_port is None and self._bound_port is None:
                    raise _PortInUse
                raise SynapseError(f"Synapse exited during start-up with code {code}\n{self._log_tails()}")
            try:
                with urllib.request.urlopen(versions_url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise SynapseError(f"Synapse did not answer {versions_url} within {timeout}s\n{self._log_tails()}")
            # Polling a process start-up, not a test condition: a short fixed wait is fine here.
            time.sleep(0.1)

    def _log_tails(self) -> str:
        return (
            f"--- {self.stdout_path} (tail) ---\n{tail(self.stdout_path)}\n"
            f"--- {self.log_path} (tail) ---\n{tail(self.log_path)}"
        )

    # -- HTTP helpers ------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")
            raise SynapseError(f"{method} {path} -> HTTP {err.code}: {detail}") from None
        return json.loads(raw) if raw else {}

    # -- admin API ---------------------------------------------------------------------------

    def register(self, localpart: str, password: str, admin: bool = False) -> str:
        """Register a user through the shared-secret admin API; returns the full user ID."""
        if self._shared_secret is None:
            raise SynapseError("server not started")
        nonce = self._request("GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(self._shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([nonce.encode(), localpart.encode(), password.encode()]))
        mac.update(b"\x00admin" if admin else b"\x00notadmin")
        result = self._request(
            "POST",
            "/_synapse/admin/v1/register",
            {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            },
        )
        return str(result["user_id"])

    def login(self, user_id: str, password: str) -> str:
        """Password login (new device); returns the access token."""
        result = self._request(
            "POST",
            "/_matrix/client/v3/login",
            {
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": user_id},
                "password": password,
                "initial_device_display_name": "devserver admin",
            },
        )
        return str(result["access_token"])

    def log_out_everywhere(self, user_id: str, password: str) -> None:
        """Revoke every access token of `user_id` (as "sign out all sessions" in a client does)."""
        token = self.login(user_id, password)
        self._request("POST", "/_matrix/client/v3/logout/all", {}, token=token)

    def admin_token(self) -> str:
        """Access token of a server admin, created on first use and cached."""
        with self._lock:
            if self._admin_token is None:
                if self._shared_secret is None:
                    raise SynapseError("server not started")
                # Derived from the per-directory secret so a reused demo dir can log in again.
                password = hmac.new(self._shared_secret.encode(), b"admin-password", hashlib.sha256).hexdigest()
                user_id = f"@{_ADMIN_LOCALPART}:{self.server_name}"
                try:
                    user_id = self.register(_ADMIN_LOCALPART, password, admin=True)
                except SynapseError as err:
                    if "M_USER_IN_USE" not in str(err):
                        raise
                self._admin_token = self.login(user_id, password)
            return self._admin_token

    def exempt_from_rate_limits(self, user_id: str) -> None:
        """Per-user override of rc_message (and the other per-user limiters) to "unlimited"."""
        quoted = urllib.parse.quote(user_id, safe="")
        self._request(
            "POST",
            f"/_synapse/admin/v1/users/{quoted}/override_ratelimit",
            {"messages_per_second": 0, "burst_count": 0},
            token=self.admin_token(),
        )


class _PortInUse(Exception):
    pass
