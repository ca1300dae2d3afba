"""Structured logs: one line per event, as `key=value` text or JSON.

Callers pass facts through `extra={...}`; only those facts and the message appear. What may be logged at INFO is
decided at the call sites: never a message body, a display name or a sender's Matrix ID (see docs/privacy.md). The
handler's `RedactIdentitiesFilter` (bot/log_redaction.py) removes Matrix IDs that slip through anyway, from our lines
and from matrix-nio's.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any, TextIO

from bot.log_redaction import STANDARD_ATTRIBUTES, WHOLE_EVENT_LOGGERS, RedactIdentitiesFilter


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in vars(record).items() if key not in STANDARD_ATTRIBUTES}


def _timestamp(record: logging.LogRecord) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


class KeyValueFormatter(logging.Formatter):
    """`2026-11-28T10:00:00.123Z INFO bot.sync msg="sync saved" events=3`."""

    def format(self, record: logging.LogRecord) -> str:
        parts = [_timestamp(record), record.levelname, record.name, f"msg={json.dumps(record.getMessage())}"]
        for key, value in _fields(record).items():
            parts.append(f"{key}={_render(value)}")
        line = " ".join(parts)
        traceback = _traceback(self, record)
        return f"{line}\n{traceback}" if traceback else line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            **{key: _jsonable(value) for key, value in _fields(record).items()},
        }
        traceback = _traceback(self, record)
        if traceback:
            payload["traceback"] = traceback
        return json.dumps(payload, ensure_ascii=False)


def _traceback(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    # The redaction filter renders (and redacts) a traceback into `exc_text` and drops `exc_info`.
    if record.exc_info:
        return formatter.formatException(record.exc_info)
    return record.exc_text or ""


def _render(value: Any) -> str:
    text = str(value)
    if not text or any(ch.isspace() or ch in '"=' for ch in text):
        return json.dumps(text, ensure_ascii=False)
    return text


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def configure_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Send every log line to `stream` (stderr by default) in the chosen format."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else KeyValueFormatter())
    handler.addFilter(RedactIdentitiesFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # matrix-nio and the HTTP stack log request details (and, at DEBUG, event bodies): keep them quiet unless
    # the operator asked for DEBUG, where they may help.
    library_level = logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    for name in ("nio", "aiohttp", "peewee", "apscheduler"):
        logging.getLogger(name).setLevel(library_level)
    # nio's schema-validation warnings print the whole offending event, body and sender included (the handler's
    # filter also relabels them DEBUG, for when the operator has DEBUG on).
    for name in WHOLE_EVENT_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if level.upper() == "DEBUG" else logging.CRITICAL)
