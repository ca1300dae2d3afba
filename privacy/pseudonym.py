"""Per-dialogue pseudonyms for contributors.

The bot needs to count *distinct* contributors (for k-anonymous bands) and to group one person's contributions, but
it must never be able to say who that person is once the dialogue is over. So a contributor is stored only as a
keyed hash of their Matrix user ID under a secret that belongs to one dialogue:

- the same person in the same dialogue always gets the same key, so counting and grouping work;
- the same person in two dialogues gets unrelated keys, because each dialogue has its own secret;
- a plain (unkeyed) hash would be useless, since anyone can hash every member's user ID and compare;
- once the dialogue's secret is destroyed, nobody (including the operator) can link a stored key back to a person.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from dialogue.vocabulary import MemberKey

SECRET_BYTES = 32
"""Length of a dialogue secret: 256 bits, as long as the SHA-256 output, so the key is never the weak link."""

KEY_HEX_CHARS = 32
"""A contributor key is the first 32 hex characters (128 bits) of the HMAC: far beyond collision range for a room."""

_MIN_SECRET_BYTES = 16


def new_dialogue_secret() -> bytes:
    """Return a fresh random secret for one dialogue (32 bytes from the OS's CSPRNG).

    Keep it only as long as contributions still have to be attributed to the same (pseudonymous) contributor;
    deleting it is what makes the stored keys anonymous.
    """
    return secrets.token_bytes(SECRET_BYTES)


def contributor_key(secret: bytes, user_id: str) -> MemberKey:
    """Return the stable pseudonym of `user_id` within the dialogue that owns `secret`.

    HMAC-SHA256 over the NFC-normalised user ID, keeping its exact case: Matrix user IDs are compared
    case-sensitively, while NFC makes the key independent of how a client happened to compose the characters.
    The result is 32 lower-case hex characters.

    Raises ValueError for a secret shorter than 16 bytes, so an empty or truncated secret cannot silently produce
    keys that anyone could recompute.
    """
    if len(secret) < _MIN_SECRET_BYTES:
        raise ValueError(f"a dialogue secret must be at least {_MIN_SECRET_BYTES} bytes long")
    message = unicodedata.normalize("NFC", user_id).encode("utf-8")
    return MemberKey(hmac.new(secret, message, hashlib.sha256).hexdigest()[:KEY_HEX_CHARS])


def room_member_key(secret: bytes, room_id: str, user_id: str) -> MemberKey:
    """Return a pseudonym of `user_id` within one room, under a secret that is the bot's, not a dialogue's.

    For the few records made before the bot knows which dialogue an event belongs to (a redaction that arrives
    before the event it redacts). The room is part of what is hashed, so the same person's keys in two rooms are
    unrelated.
    """
    return contributor_key(secret, f"{room_id}\n{user_id}")


def matrix_id_reference(secret: bytes, kind: str, matrix_id: str) -> str:
    """Return the keyed stand-in for an event or room ID (``kind`` "event" or "room") within one dialogue.

    Stored instead of the raw ID, so that someone who can read both the database and the homeserver (where every
    event ID names its sender, and a direct room names its two members) cannot join a contribution back to its
    author; the bot, holding the dialogue's secret, can still find the contribution an edit, redaction or
    reaction points at. The kind is mixed in so that an event reference never equals a room reference or a
    contributor key of the same string. Once the secret is destroyed, a reference cannot be recomputed.

    Raises ValueError for a secret shorter than 16 bytes (an empty, destroyed secret in particular).
    """
    if len(secret) < _MIN_SECRET_BYTES:
        raise ValueError(f"a dialogue secret must be at least {_MIN_SECRET_BYTES} bytes long")
    if kind not in ("event", "room"):
        raise ValueError(f"unknown kind of Matrix ID reference: {kind!r}")
    message = f"{kind}\x00{matrix_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:KEY_HEX_CHARS]
