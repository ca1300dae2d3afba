"""Turn a TOML file plus the environment into `Settings`, or into a list of problems a person can fix.

Order of precedence, highest first: environment variables, the TOML file, the model defaults.
The merge is done by hand rather than with pydantic-settings because every problem must name
the key (and, for overrides, the variable) it came from, and relative paths must resolve
against different folders depending on where they were written.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from config.credentials import check_credentials, prefer_env_credentials, read_secret_files
from config.environment import CONFIG_PATH_ENV, apply_environment, env_lookup
from config.errors import ConfigError
from config.keys import SECTIONS
from config.loaded import Loaded
from config.placeholders import check_placeholders
from config.settings import BotSettings, Settings
from config.validation_errors import report_validation_errors

DEFAULT_CONFIG_PATH = Path("config.toml")
EXAMPLE_CONFIG_PATH = Path(__file__).with_name("example.toml")

# Paths written in the file are relative to the file, those from the environment to the working directory.
_PATH_KEYS = {("bot", "data_dir"), ("matrix", "password_file"), ("matrix", "access_token_file")}


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read, merge and validate the configuration; raise `ConfigError` listing every problem.

    `path` defaults to $DIALOGUE_BOT_CONFIG, then `config.toml` in the working directory.
    A missing file is fine when the environment alone supplies everything required.
    """
    loaded = _load(path, os.environ if environ is None else environ)
    if loaded.problems or loaded.settings is None:
        raise ConfigError(loaded.sorted_problems(), loaded.path if loaded.file_found else None)
    return loaded.settings


def check_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> list[str]:
    """Every problem `load_settings` would raise, plus whether the bot could actually start here:
    that `bot.data_dir` exists and is writable, or could be created. Empty when all is well.

    Nothing is created or changed, so it is safe to run against a production config.
    """
    loaded = _load(path, os.environ if environ is None else environ)
    if loaded.data_dir is not None:
        for text in _data_dir_problems(loaded.data_dir):
            loaded.add(text)
    return loaded.sorted_problems()


def resolve_config_path(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The absolute path `load_settings` would read, without reading it."""
    env = os.environ if environ is None else environ
    if path is None:
        from_env = env_lookup(env, CONFIG_PATH_ENV)
        path = Path(from_env) if from_env else DEFAULT_CONFIG_PATH
    return path.expanduser().absolute()


# --- the pipeline ----------------------------------------------------------------------------


def _load(path: Path | None, environ: Mapping[str, str]) -> Loaded:
    loaded = Loaded(path=resolve_config_path(path, environ))
    raw = _read_file(loaded)
    env_sources = apply_environment(raw, environ, loaded)
    if loaded.file_unusable:
        # Everything below would report the file's keys as missing, burying the one real problem.
        return loaded
    prefer_env_credentials(raw["matrix"], env_sources)
    _resolve_paths(raw, env_sources, config_dir=loaded.path.parent)
    secret_file_failed = read_secret_files(raw["matrix"], loaded)
    lacks_required = check_credentials(raw["matrix"], loaded, secret_file_failed)

    try:
        loaded.settings = Settings.model_validate(raw)
        invalid_keys: set[tuple[str, str]] = set()
    except ValidationError as exc:
        invalid_keys = report_validation_errors(exc, env_sources, loaded)
    check_placeholders(raw, invalid_keys, loaded)

    data_dir = raw["bot"].get("data_dir")
    if isinstance(data_dir, Path) and ("bot", "data_dir") not in invalid_keys:
        loaded.data_dir = data_dir

    if not loaded.file_found:
        lacks_required = lacks_required or any(key not in raw["matrix"] for key in ("homeserver", "user_id"))
        # Running from the environment alone is allowed, so a missing file only matters
        # when the environment did not make up for it.
        if lacks_required:
            # The default data_dir hangs off a file that is not there; checking it would mislead.
            loaded.data_dir = None
            loaded.add(
                f"config file not found: {loaded.path} — copy config/example.toml there, or pass --config",
            )
    return loaded


def _read_file(loaded: Loaded) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    path = loaded.path
    if path.is_file():
        loaded.file_found = True
        try:
            # utf-8-sig: some Windows editors add a byte-order mark that TOML parsers reject.
            raw = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
        except OSError as exc:
            loaded.add(f"config file {path}: cannot be read — {exc.strerror or exc}")
            loaded.file_unusable = True
        except UnicodeDecodeError:
            loaded.add(f"config file {path}: is not UTF-8 text")
            loaded.file_unusable = True
        except tomllib.TOMLDecodeError as exc:
            loaded.add(f"config file {path}: is not valid TOML — {exc}")
            loaded.file_unusable = True
    elif path.exists():
        loaded.file_found = True
        loaded.add(f"config file {path}: is not a regular file")
        loaded.file_unusable = True

    for name in list(raw):
        if name in SECTIONS and not isinstance(raw[name], dict):
            loaded.add(f"{name}: must be a table — write it as a [{name}] header")
            del raw[name]
    # Every section present as a dict lets pydantic report missing keys one by one instead
    # of a single "matrix: required", and gives the steps below somewhere to write.
    for name in SECTIONS:
        raw.setdefault(name, {})
    return raw


def _resolve_paths(raw: dict[str, Any], env_sources: dict[tuple[str, str], str], config_dir: Path) -> None:
    # A path written in the file is relative to the file (so the config works from any working
    # directory); one given in the environment is relative to where the command runs, as in a shell.
    cwd = Path.cwd()
    raw["bot"].setdefault("data_dir", BotSettings.model_fields["data_dir"].default)
    for section, key in _PATH_KEYS:
        value = raw[section].get(key)
        if not isinstance(value, str | Path) or str(value).strip() == "":
            continue
        candidate = Path(value).expanduser()
        if not candidate.is_absolute():
            base = cwd if (section, key) in env_sources else config_dir
            candidate = base / candidate
        raw[section][key] = Path(os.path.normpath(candidate))


def _data_dir_problems(data_dir: Path) -> list[str]:
    # os.access rather than a trial write: checking must leave no trace on the system.
    try:
        if data_dir.exists():
            if not data_dir.is_dir():
                return [f"bot.data_dir: {data_dir} exists but is not a folder"]
            if not os.access(data_dir, os.W_OK | os.X_OK):
                return [
                    f"bot.data_dir: {data_dir} is not writable by this user — "
                    "fix its permissions or choose another folder"
                ]
            return []
        # The bot creates the folder on start, so what matters is the nearest folder that exists.
        parent = data_dir.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir():
            return [f"bot.data_dir: cannot create {data_dir} — {parent} is not a folder"]
        if not os.access(parent, os.W_OK | os.X_OK):
            return [
                f"bot.data_dir: cannot create {data_dir} — {parent} is not writable by this user; "
                "create the folder yourself or choose another one"
            ]
        return []
    except OSError as exc:
        return [f"bot.data_dir: cannot inspect {data_dir} — {exc.strerror or exc}"]
