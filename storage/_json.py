"""JSON encoding shared by the repositories that store Matrix event bodies."""

from __future__ import annotations

import json
from typing import Any


def dumps(value: dict[str, Any]) -> str:
    """Compact, UTF-8-preserving JSON: these columns can be large, and nobody reads them by eye."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | None) -> dict[str, Any] | None:
    """Parse a stored JSON object; NULL stays None (the body was deliberately dropped)."""
    if text is None:
        return None
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("stored JSON is not an object")
    return value
