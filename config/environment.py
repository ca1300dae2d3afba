"""DIALOGUE_BOT_<SECTION>__<KEY> variables merged over the file: which variable set which key, and what is wrong with
the ones that cannot be used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from config.keys import SECTIONS
from config.loaded import Loaded
from config.spelling import closest

ENV_PREFIX = "DIALOGUE_BOT_"
CONFIG_PATH_ENV = ENV_PREFIX + "CONFIG"


# Keys that take a list or a table are given as JSON in the environment.
_JSON_EXAMPLES = {
    "command_aliases": '["!dg"]',
    "isu_users": '["@isu-officer:example.org"]',
    "allowed_inviters": '["@mod:example.org", "example.org"]',
    "synonyms": '{"landmine": ["anti-personnel mine", "APM"]}',
}


def apply_environment(raw: dict[str, Any], environ: Mapping[str, str], loaded: Loaded) -> dict[tuple[str, str], str]:
    """Merge DIALOGUE_BOT_<SECTION>__<KEY> variables into `raw`; return which variable set which key."""
    sources: dict[tuple[str, str], str] = {}
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith(ENV_PREFIX) or upper == CONFIG_PATH_ENV:
            continue
        rest = upper[len(ENV_PREFIX) :]
        if "__" not in rest:
            _hint_single_underscore(name, rest, loaded)
            continue
        section, _, key = (part.lower() for part in rest.partition("__"))
        value = environ[name]
        if section not in SECTIONS:
            guess = closest(section, SECTIONS)
            hint = f" (did you mean {ENV_PREFIX}{guess.upper()}__{key.upper()}?)" if guess else ""
            loaded.add(f"{section}: unknown section in environment variable {name}{hint}")
            continue
        fields = SECTIONS[section].model_fields
        if key not in fields:
            guess = closest(key, fields)
            hint = f" (did you mean {ENV_PREFIX}{section.upper()}__{guess.upper()}?)" if guess else ""
            loaded.add(f"{section}.{key}: unknown key in environment variable {name}{hint}")
            continue
        # An empty variable means "unset" (the usual `FOO=` in compose files), not "empty string".
        if value == "":
            continue
        if (section, key) in sources:
            if environ[sources[section, key]] != value:
                loaded.add(
                    f"{section}.{key}: set differently by {sources[section, key]} and {name} — keep one",
                )
            continue
        shape = _json_shape(SECTIONS[section], key)
        if shape is not None:
            expected, described = shape
            parsed = _parse_json(value, expected)
            if parsed is None:
                example = _JSON_EXAMPLES.get(key, '["…"]')
                loaded.add(f"{section}.{key}: {name} must be {described}, e.g. {name}='{example}'")
                continue
            raw[section][key] = parsed
        else:
            raw[section][key] = value
        sources[section, key] = name
    return sources


def _hint_single_underscore(name: str, rest: str, loaded: Loaded) -> None:
    # DIALOGUE_BOT_MATRIX_PASSWORD is an easy slip and would otherwise surface only as
    # a baffling "no credentials".
    for section, model in SECTIONS.items():
        head = section.upper() + "_"
        key = rest[len(head) :].lower()
        if rest.startswith(head) and key in model.model_fields:
            loaded.add(
                f"{section}.{key}: environment variable {name} is ignored — use two underscores "
                f"between section and key: {ENV_PREFIX}{section.upper()}__{key.upper()}",
            )
            return


def env_lookup(environ: Mapping[str, str], name: str) -> str | None:
    # Matching is case-insensitive so that DIALOGUE_BOT_* behaves the same on every platform.
    for key, value in environ.items():
        if key.upper() == name and value != "":
            return value
    return None


def _json_shape(model: type[BaseModel], key: str) -> tuple[type[dict[str, Any]] | type[list[Any]], str] | None:
    """For a key that the environment gives as JSON: the JSON type it takes and how to name it; None for text."""
    annotation = model.model_fields[key].annotation
    if get_origin(annotation) is dict:
        return dict, "a JSON object"
    if get_origin(annotation) in (tuple, list) or any(get_origin(arg) in (tuple, list) for arg in get_args(annotation)):
        return list, "a JSON list of strings"
    return None


def _parse_json(value: str, expected: type[dict[str, Any]] | type[list[Any]]) -> Any:
    """`value` parsed as JSON if it is of the `expected` type, else None."""
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, expected) else None
