"""JSON encoding shared by the repositories that store Matrix event bodies."""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Half a surrogate pair: JSON may escape one (`\ud800`), Python decodes it, and UTF-8 (so SQLite) cannot hold it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(value: dict[str, Any]) -> str:
    """Compact, UTF-8-preserving JSON: these columns can be large, and nobody reads them by eye.

    What an event's sender controls (a decrypted payload) may hold what Python's JSON parser accepts and storage
    cannot: a lone surrogate becomes U+FFFD, and NaN or Infinity (which SQLite's JSON functions reject, so one such
    row would break every inbox query) becomes null."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text if text.isascii() else _LONE_SURROGATE.sub("\ufffd", text)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def loads(text: str | None) -> dict[str, Any] | None:
    """Parse a stored JSON object; NULL stays None (the body was deliberately dropped)."""
    if text is None:
        return None
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("stored JSON is not an object")
    return value
