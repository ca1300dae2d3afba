"""Signed, expiring links to one dialogue's web view.

A token says which dialogue it opens and until when, signed with HMAC-SHA256 under a random key kept in the data
directory (`web.key`, 0600). It names nobody: whoever holds it sees that dialogue's draft until it expires, so the
bot sends it only to an ISU user, by direct message. Deleting `web.key` (the bot makes a new one) revokes every link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.file_modes import PRIVATE_FILE, write_private_file

KEY_FILE = "web.key"
KEY_BYTES = 32
_VERSION = "v1"
# "v1.<dialogue>.<expiry>.<signature>": short enough for a chat message, only URL-safe characters.
_TOKEN_RE = re.compile(r"v1\.([1-9][0-9]{0,9})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})")


@dataclass(frozen=True, slots=True)
class Grant:
    """What a valid token allows: viewing `dialogue_id` until `expires_at` (unix seconds)."""

    dialogue_id: int
    expires_at: int


class LinkSigner:
    """Signs and checks tokens under one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < KEY_BYTES:
            raise ValueError("the link key must be at least 32 bytes")
        self._key = key

    def _signature(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def sign(self, dialogue_id: int, expires_at: int) -> str:
        """A token opening `dialogue_id` until `expires_at`."""
        payload = f"{_VERSION}.{dialogue_id}.{expires_at}"
        return f"{payload}.{self._signature(payload)}"

    def verify(self, token: str, now: float) -> Grant | None:
        """The grant `token` carries, or None when it is malformed, forged, altered or expired."""
        match = _TOKEN_RE.fullmatch(token)
        if match is None:
            return None
        dialogue, expiry, signature = match.groups()
        expected = self._signature(f"{_VERSION}.{dialogue}.{expiry}")
        # Constant time: a byte-by-byte comparison would let someone find a valid signature by timing guesses.
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii")):
            return None
        if int(expiry) <= now:
            return None
        return Grant(int(dialogue), int(expiry))


def read_or_create_key(data_dir: Path) -> bytes:
    """The link key in `data_dir`, made (random, 0600, written atomically) the first time. Blocking: call it in a
    worker thread."""
    path = data_dir / KEY_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = secrets.token_bytes(KEY_BYTES)
        write_private_file(path, base64.urlsafe_b64encode(key) + b"\n")
        return key
    path.chmod(PRIVATE_FILE)  # a key copied back by hand may have come with looser permissions
    return base64.urlsafe_b64decode(text)
