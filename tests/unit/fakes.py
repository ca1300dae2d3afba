"""Fakes at the Matrix boundary for unit tests: a client that records what it was asked to send."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nio import MatrixRoom, RoomRedactResponse, RoomSendError, RoomSendResponse

from config import Settings

BOT_ID = "@bot:test"


def make_settings(data_dir: Path, **bot: Any) -> Settings:
    return Settings.model_validate(
        {
            "matrix": {"homeserver": "http://127.0.0.1:1", "user_id": BOT_ID, "password": "secret"},
            "bot": {"data_dir": data_dir, **bot},
        }
    )


@dataclass
class RecordingClient:
    """Stands in for nio's AsyncClient: rooms it 'knows', and a scripted answer to each send."""

    user_id: str = BOT_ID
    rooms: dict[str, MatrixRoom] = field(default_factory=dict)
    sent: list[tuple[str, str, dict[str, Any], str]] = field(default_factory=list)
    redacted: list[tuple[str, str, str | None, str]] = field(default_factory=list)
    answers: list[Any] = field(default_factory=list)
    olm: Any = None

    def add_room(self, room_id: str) -> MatrixRoom:
        room = MatrixRoom(room_id, self.user_id)
        self.rooms[room_id] = room
        return room

    async def room_send(
        self, room_id: str, message_type: str, content: dict[str, Any], tx_id: str, ignore_unverified_devices: bool
    ) -> Any:
        self.sent.append((room_id, message_type, content, tx_id))
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, BaseException):
                raise answer
            return answer
        return RoomSendResponse(f"$event{len(self.sent)}", room_id)

    async def room_redact(self, room_id: str, event_id: str, reason: str | None = None, tx_id: str = "") -> Any:
        self.redacted.append((room_id, event_id, reason, tx_id))
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, BaseException):
                raise answer
            return answer
        return RoomRedactResponse(f"$redaction{len(self.redacted)}", room_id)


def rate_limited(retry_after_ms: int) -> RoomSendError:
    return RoomSendError("Too Many Requests", "M_LIMIT_EXCEEDED", retry_after_ms)
