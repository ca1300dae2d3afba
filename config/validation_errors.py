"""Pydantic's validation errors turned into sentences that name the key (and the variable it came from)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from config.keys import SECRET_KEYS, SECTIONS
from config.loaded import Loaded
from config.spelling import suggest

_MISSING_HINTS = {
    ("matrix", "homeserver"): "your homeserver's URL, e.g. https://matrix.example.org "
    "(or set DIALOGUE_BOT_MATRIX__HOMESERVER)",
    ("matrix", "user_id"): "the bot account's Matrix ID, e.g. @dialogue-bot:example.org "
    "(or set DIALOGUE_BOT_MATRIX__USER_ID)",
}


def report_validation_errors(
    exc: ValidationError, env_sources: dict[tuple[str, str], str], loaded: Loaded
) -> set[tuple[str, str]]:
    """Add one problem per pydantic error; return the (section, key) pairs that had one."""
    invalid: set[tuple[str, str]] = set()
    for error in exc.errors():
        # Integer parts of the location are list indexes; the message names the offending
        # entry by value, which people find more easily than by position.
        loc = tuple(str(part) for part in error["loc"] if not isinstance(part, int))
        if "[key]" in loc:
            # A bad key of a table (a synonym head word): the message names it, so the location stops at the table.
            loc = loc[: loc.index("[key]") - 1]
        section = loc[0] if loc else ""
        key = loc[1] if len(loc) > 1 else ""
        invalid.add((section, key))
        text = f"{'.'.join(loc)}: {_describe(error, section, key)}"
        if (section, key) in env_sources:
            text += f" (from {env_sources[section, key]})"
        loaded.add(text)
    return invalid


def _describe(error: Any, section: str, key: str) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    # Never echo what was typed into a secret field, even when it is malformed.
    shown = "a value" if (section, key) in SECRET_KEYS else _show(error.get("input"))

    if kind == "missing":
        hint = _MISSING_HINTS.get((section, key))
        return f"required — {hint}" if hint else "required"
    if kind == "extra_forbidden":
        if not key:
            if not isinstance(error.get("input"), dict):
                # A plain key above the first [section] header: say where it belongs.
                owners = [name for name, model in SECTIONS.items() if section in model.model_fields]
                if owners:
                    return f"not inside a section — move it below the [{owners[0]}] header"
                return "unknown key outside any section"
            return "unknown section" + suggest(section, SECTIONS)
        return "unknown key" + suggest(key, SECTIONS[section].model_fields if section in SECTIONS else {})
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number, got {shown}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false, got {shown}"
    if kind == "string_type":
        return f"expected text (in quotes), got {shown}"
    if kind in ("tuple_type", "list_type"):
        return f'expected a list, e.g. ["…"], got {shown}'
    if kind == "path_type":
        return f"expected a path (text in quotes), got {shown}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {shown}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}, got {shown}"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}, got {shown}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be a table of keys"
    # Our own validators already speak to people (see config.settings); for anything else,
    # pydantic's message is still better than nothing.
    message = str(error["msg"])
    return message[:1].lower() + message[1:] if message.startswith("Input") else message


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # as written in TOML, not Python's True/False
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, Path):
        return f"'{value}'"
    return repr(value)
