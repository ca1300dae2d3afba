"""Turning a megolm event into what the inbox stores: the server's envelope around the sender's payload.

The envelope (`m.room.encrypted`) is built by the homeserver: its event ID, sender, timestamp, room and `unsigned`
are facts. The payload inside is whatever the sender's client chose to encrypt: only its `type` and `content` mean
anything, and everything else in it (`room_id`, `sender`, `state_key`, `redacts`, `unsigned` …) is ignored. A
payload naming another room than the one the server delivered it in is a forgery (a sender replaying their message
elsewhere, or steering the bot's answer into a room they are not in): it is dropped, not handled.

The source says nothing about having been encrypted: the inbox records that in its own column (`was_encrypted`),
which the sync loop sets for exactly the events this module decrypted.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nio import AsyncClient, MegolmEvent
from nio.exceptions import EncryptionError

log = logging.getLogger(__name__)

# The only envelope fields a decrypted event keeps (with the room, which comes from where the server delivered it).
_ENVELOPE_FIELDS = ("event_id", "sender", "origin_server_ts")


@dataclass(frozen=True, slots=True)
class Decryption:
    """What became of one megolm event: a decrypted source for the inbox, no key yet, or dropped as forged or
    malformed."""

    source: dict[str, Any] | None = None
    awaiting_key: bool = False

    @property
    def dropped(self) -> bool:
        return self.source is None and not self.awaiting_key


def inbox_source(envelope: Mapping[str, Any], payload: Mapping[str, Any], room_id: str) -> dict[str, Any] | None:
    """The inbox source of a decrypted event, or None if the payload must be dropped.

    `envelope` is the encrypted event as the server sent it, `payload` the decrypted plaintext, `room_id` the room
    the server delivered the event in. The result has the payload's type and content and the envelope's everything
    else; no `state_key` and no top-level `redacts`, which a message event never has.
    """
    event_type = payload.get("type")
    content = payload.get("content")
    if not isinstance(event_type, str) or not event_type or not isinstance(content, dict):
        return None
    if payload.get("room_id") != room_id:
        return None
    source: dict[str, Any] = {name: envelope[name] for name in _ENVELOPE_FIELDS if name in envelope}
    source.update(type=event_type, content=dict(content), room_id=room_id)
    unsigned = envelope.get("unsigned")
    if isinstance(unsigned, dict):
        source["unsigned"] = dict(unsigned)
    return source


def decrypt_for_inbox(client: AsyncClient, envelope: MegolmEvent, room_id: str) -> Decryption:
    """Decrypt `envelope`, delivered by the server in `room_id`, into an inbox source."""
    envelope.room_id = room_id
    try:
        decrypted = client.decrypt_event(envelope)
    except EncryptionError:
        return Decryption(awaiting_key=True)
    payload = getattr(decrypted, "source", None)
    source = inbox_source(envelope.source, payload if isinstance(payload, dict) else {}, room_id)
    if source is None:
        # Neither the payload nor who sent it goes into the log; the event ID is enough to look the event up.
        log.warning(
            "dropped an encrypted event whose payload names another room or is malformed",
            extra={"event_id": envelope.event_id},
        )
        log.debug("dropped encrypted event's room", extra={"event_id": envelope.event_id, "room_id": room_id})
        return Decryption()
    return Decryption(source=source)
