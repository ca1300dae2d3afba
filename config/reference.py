"""The configuration reference for the README, generated from the `Settings` model.

Every key's meaning is its field's `description` and its default is the model's own, so the README cannot drift from
what the bot actually accepts. `dialogue-bot config-reference --update-readme README.md` rewrites the table, and a unit
test fails while the README's copy differs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from config.environment import ENV_PREFIX
from config.keys import config_fields, is_secret
from config.settings import Settings
from config.toml_text import toml_value

REQUIRED = "**required**"
UNSET = "unset"


def env_name(section: str, key: str) -> str:
    """The environment variable that overrides `section.key`."""
    return f"{ENV_PREFIX}{section.upper()}__{key.upper()}"


def default_text(field: FieldInfo) -> str:
    """The field's default as it would be written in the TOML file, `unset`, or `**required**`."""
    if is_secret(field):
        return UNSET
    if field.is_required():
        return REQUIRED
    value = field.get_default(call_default_factory=True)
    if value is None or value is PydanticUndefined:
        return UNSET
    return f"`{shown_value(value)}`"


def shown_value(value: Any) -> str:
    """A default as the reference shows it: as TOML, with a relative path written as one ("./data")."""
    if isinstance(value, Path):
        text = value.as_posix()
        # Path("./data") prints as "data"; the explicit "./" says it is relative (to the config file's folder).
        return json.dumps(text if value.is_absolute() or text.startswith(".") else f"./{text}")
    return toml_value(value)


def meaning_text(model: type[BaseModel], section: str, key: str, field: FieldInfo) -> str:
    """The field's description, plus for a secret where to put it instead of the config file."""
    if not field.description:
        raise ValueError(f"{section}.{key} has no description in config/settings.py")
    meaning = " ".join(field.description.split())
    if is_secret(field):
        section_fields = cast("type[BaseModel]", model.model_fields[section].annotation).model_fields
        file_key = f"{key}_file"
        where = f"`{env_name(section, key)}`"
        if file_key in section_fields:
            where += f" or `{section}.{file_key}`"
        meaning += f" A secret: give it through {where}, not in the config file."
    return meaning.replace("|", "\\|")


def config_reference_markdown(model: type[BaseModel] = Settings) -> str:
    """A Markdown table: one row per key (`section.key`), its default, and what it means."""
    rows = ["| key | default | meaning |", "|---|---|---|"]
    for section, key, field in config_fields(model):
        rows.append(f"| `{section}.{key}` | {default_text(field)} | {meaning_text(model, section, key, field)} |")
    return "\n".join(rows) + "\n"
