"""The shape of the configuration, derived from the `Settings` model: its sections, every key, and which keys hold
a secret (never shown, in an error message or in the reference). A new section is a settings model added to
`Settings` (config/settings.py); everything here follows from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast, get_args

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from config.settings import Settings

SECTIONS: dict[str, type[BaseModel]] = {
    name: cast("type[BaseModel]", info.annotation) for name, info in Settings.model_fields.items()
}


def config_fields(model: type[BaseModel] = Settings) -> Iterator[tuple[str, str, FieldInfo]]:
    """Every (section, key, field) of the configuration, in the model's order."""
    for section, info in model.model_fields.items():
        section_model = cast("type[BaseModel]", info.annotation)
        for key, field in section_model.model_fields.items():
            yield section, key, field


def is_secret(field: FieldInfo) -> bool:
    """Whether the field holds a secret (a `SecretStr`, alone or in a union): no default or value is ever shown."""
    return _mentions(field.annotation, SecretStr)


def _mentions(annotation: Any, wanted: type) -> bool:
    return annotation is wanted or any(_mentions(arg, wanted) for arg in get_args(annotation))


# Every (section, key) whose value is a secret: the one list, taken from the model's `SecretStr` fields.
SECRET_KEYS: frozenset[tuple[str, str]] = frozenset(
    (section, key) for section, key, field in config_fields() if is_secret(field)
)
# The matrix section's secrets that may instead be read from a file, `<key>_file`, by that file key; a file's content
# becomes the secret.
SECRET_FILES: dict[str, str] = {
    f"{key}_file": key
    for section, key, field in config_fields()
    if section == "matrix" and is_secret(field) and f"{key}_file" in SECTIONS[section].model_fields
}
