"""Writing TOML (the standard library only reads it): the configuration files the demo and the tests write, and the
defaults the configuration reference shows."""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def toml_value(value: Any) -> str:
    """One value as TOML: booleans, numbers, strings and paths, lists and inline tables of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"TOML cannot represent {value!r} portably")
        return repr(value)
    if isinstance(value, str | Path):
        # A JSON string is a valid TOML basic string as long as we don't ask for \u escapes of
        # non-ASCII text (surrogate pairs are illegal in TOML), hence ensure_ascii=False.
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML: {value!r}")


def toml_key(key: str) -> str:
    """A key, bare where TOML allows it, else quoted."""
    bare = key.replace("-", "").replace("_", "")
    return key if bare.isascii() and bare.isalnum() else json.dumps(key, ensure_ascii=False)


def toml_dumps(data: Mapping[str, Any]) -> str:
    """Minimal TOML writer (stdlib has only a reader): scalars, lists, nested tables."""
    lines: list[str] = []

    def emit_table(prefix: list[str], table: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in table.items() if not isinstance(v, Mapping)}
        tables = {k: v for k, v in table.items() if isinstance(v, Mapping)}
        if prefix and (scalars or not tables):
            lines.append(f"[{'.'.join(toml_key(p) for p in prefix)}]")
        for key, value in scalars.items():
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
        if scalars:
            lines.append("")
        for key, sub in tables.items():
            emit_table([*prefix, key], sub)

    emit_table([], data)
    text = "\n".join(lines).rstrip() + "\n"
    if tomllib.loads(text) != json.loads(json.dumps(data, default=str)):
        raise ValueError(f"TOML round-trip mismatch for {data!r}")
    return text
