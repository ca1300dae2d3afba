"""Turn a TOML file plus the environment into `Settings`, or into a list of problems a person can fix.

Order of precedence, highest first: environment variables, the TOML file, the model defaults.
The merge is done by hand rather than with pydantic-settings because every problem must name
the key (and, for overrides, the variable) it came from, and relative paths must resolve
against different folders depending on where they were written.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from config.errors import ConfigError
from config.settings import BotSettings, Settings, split_user_id

DEFAULT_CONFIG_PATH = Path("config.toml")
EXAMPLE_CONFIG_PATH = Path(__file__).with_name("example.toml")
ENV_PREFIX = "DIALOGUE_BOT_"
CONFIG_PATH_ENV = ENV_PREFIX + "CONFIG"

_SECTIONS: dict[str, type[BaseModel]] = {
    name: cast("type[BaseModel]", info.annotation) for name, info in Settings.model_fields.items()
}

# Direct secrets and the files that may hold them; a file's content becomes the secret.
_SECRET_FILES = {"password_file": "password", "access_token_file": "access_token"}
_CREDENTIAL_KEYS = ("password", "password_file", "access_token", "access_token_file")
_PATH_KEYS = {("bot", "data_dir"), ("matrix", "password_file"), ("matrix", "access_token_file")}
_SECRET_KEYS = {("matrix", "password"), ("matrix", "access_token"), ("storage", "dsn")}

# RFC 2606 reserves these for documentation; a live config pointing at them is an unfilled template.
_PLACEHOLDER_DOMAINS = ("example.org", "example.com", "example.net")

_NO_CREDENTIALS = (
    "matrix: no credentials — set DIALOGUE_BOT_MATRIX__PASSWORD, or matrix.password_file, "
    "or matrix.access_token_file with matrix.device_id"
)
# Keys that take a list or a table are given as JSON in the environment.
_JSON_EXAMPLES = {
    "command_aliases": '["!dg"]',
    "isu_users": '["@isu-officer:example.org"]',
    "allowed_inviters": '["@mod:example.org", "example.org"]',
    "synonyms": '{"landmine": ["anti-personnel mine", "APM"]}',
}
_MISSING_HINTS = {
    ("matrix", "homeserver"): "your homeserver's URL, e.g. https://matrix.example.org "
    "(or set DIALOGUE_BOT_MATRIX__HOMESERVER)",
    ("matrix", "user_id"): "the bot account's Matrix ID, e.g. @dialogue-bot:example.org "
    "(or set DIALOGUE_BOT_MATRIX__USER_ID)",
}
_PLACEHOLDER_HINTS = {
    ("matrix", "homeserver"): "set your homeserver's URL",
    ("matrix", "user_id"): "set the bot account's Matrix user ID",
    ("bot", "isu_users"): "list the secretariat's real Matrix user IDs",
    ("bot", "allowed_inviters"): "list your moderators' Matrix user IDs or your server's name",
}


@dataclass
class _Loaded:
    """Everything one pass over file and environment found, valid or not."""

    path: Path
    file_found: bool = False
    file_unusable: bool = False
    settings: Settings | None = None
    data_dir: Path | None = None
    problems: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.problems.append(text)

    def sorted_problems(self) -> list[str]:
        # Problems are found in pipeline order; people read them more easily in the order
        # of the file. The sort is stable, so one key's problems keep their discovery order.
        return sorted(self.problems, key=_problem_order)


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
        from_env = _env_lookup(env, CONFIG_PATH_ENV)
        path = Path(from_env) if from_env else DEFAULT_CONFIG_PATH
    return path.expanduser().absolute()


# --- the pipeline ----------------------------------------------------------------------------


def _load(path: Path | None, environ: Mapping[str, str]) -> _Loaded:
    loaded = _Loaded(path=resolve_config_path(path, environ))
    raw = _read_file(loaded)
    env_sources = _apply_environment(raw, environ, loaded)
    if loaded.file_unusable:
        # Everything below would report the file's keys as missing, burying the one real problem.
        return loaded
    _prefer_env_credentials(raw["matrix"], env_sources)
    _resolve_paths(raw, env_sources, config_dir=loaded.path.parent)
    secret_file_failed = _read_secret_files(raw["matrix"], loaded)
    lacks_required = _check_credentials(raw["matrix"], loaded, secret_file_failed)

    try:
        loaded.settings = Settings.model_validate(raw)
        invalid_keys: set[tuple[str, str]] = set()
    except ValidationError as exc:
        invalid_keys = _report_validation_errors(exc, env_sources, loaded)
    _check_placeholders(raw, invalid_keys, loaded)

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


def _read_file(loaded: _Loaded) -> dict[str, Any]:
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
        if name in _SECTIONS and not isinstance(raw[name], dict):
            loaded.add(f"{name}: must be a table — write it as a [{name}] header")
            del raw[name]
    # Every section present as a dict lets pydantic report missing keys one by one instead
    # of a single "matrix: required", and gives the steps below somewhere to write.
    for name in _SECTIONS:
        raw.setdefault(name, {})
    return raw


def _apply_environment(raw: dict[str, Any], environ: Mapping[str, str], loaded: _Loaded) -> dict[tuple[str, str], str]:
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
        if section not in _SECTIONS:
            guess = _closest(section, _SECTIONS)
            hint = f" (did you mean {ENV_PREFIX}{guess.upper()}__{key.upper()}?)" if guess else ""
            loaded.add(f"{section}: unknown section in environment variable {name}{hint}")
            continue
        fields = _SECTIONS[section].model_fields
        if key not in fields:
            guess = _closest(key, fields)
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
        shape = _json_shape(_SECTIONS[section], key)
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


def _hint_single_underscore(name: str, rest: str, loaded: _Loaded) -> None:
    # DIALOGUE_BOT_MATRIX_PASSWORD is an easy slip and would otherwise surface only as
    # a baffling "no credentials".
    for section, model in _SECTIONS.items():
        head = section.upper() + "_"
        key = rest[len(head) :].lower()
        if rest.startswith(head) and key in model.model_fields:
            loaded.add(
                f"{section}.{key}: environment variable {name} is ignored — use two underscores "
                f"between section and key: {ENV_PREFIX}{section.upper()}__{key.upper()}",
            )
            return


def _prefer_env_credentials(matrix: dict[str, Any], env_sources: dict[tuple[str, str], str]) -> None:
    # Credentials given in the environment replace the file's as a whole: someone exporting
    # a token for a one-off run must not be told it conflicts with the file's password_file.
    if not any(("matrix", key) in env_sources for key in _CREDENTIAL_KEYS):
        return
    for key in _CREDENTIAL_KEYS:
        if ("matrix", key) not in env_sources:
            matrix.pop(key, None)


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


def _read_secret_files(matrix: dict[str, Any], loaded: _Loaded) -> bool:
    """Put each secret file's stripped content into its field; True if any file could not be used."""
    failed = False
    for file_key, secret_key in _SECRET_FILES.items():
        path = matrix.get(file_key)
        if not isinstance(path, Path):
            continue
        if _is_set(matrix.get(secret_key)):
            loaded.add(
                f"matrix.{secret_key}: both matrix.{secret_key} and matrix.{file_key} are set — keep one",
            )
            failed = True
            continue
        try:
            # Strip: editors and `echo` leave a trailing newline that is not part of the secret.
            content = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            loaded.add(f"matrix.{file_key}: cannot read {path} — {exc.strerror or exc}")
            failed = True
            continue
        except UnicodeDecodeError:
            loaded.add(f"matrix.{file_key}: {path} is not UTF-8 text")
            failed = True
            continue
        if not content:
            loaded.add(f"matrix.{file_key}: {path} is empty")
            failed = True
            continue
        matrix[secret_key] = content
    return failed


def _check_credentials(matrix: dict[str, Any], loaded: _Loaded, secret_file_failed: bool) -> bool:
    """Report a missing, incomplete or ambiguous credential; True if the bot could not log in."""
    has_password = _is_set(matrix.get("password"))
    has_token = _is_set(matrix.get("access_token"))
    if has_password and has_token:
        loaded.add(
            "matrix: both a password and an access token are set — keep one "
            "(the password logs in once; the token needs matrix.device_id)",
        )
    elif has_token and not _is_set(matrix.get("device_id")):
        loaded.add(
            "matrix.device_id: required with an access token — the device ID the token was issued for",
        )
        return True
    elif not has_password and not has_token:
        # An unreadable secret file was already reported; "no credentials" would only confuse.
        if not secret_file_failed:
            loaded.add(_NO_CREDENTIALS)
        return True
    return False


def _check_placeholders(raw: dict[str, Any], invalid_keys: set[tuple[str, str]], loaded: _Loaded) -> None:
    homeserver = raw["matrix"].get("homeserver")
    if isinstance(homeserver, str) and ("matrix", "homeserver") not in invalid_keys:
        try:
            host = urlsplit(homeserver.strip()).hostname or ""
        except ValueError:
            host = ""
        if _is_placeholder_host(host):
            _add_placeholder(loaded, "matrix", "homeserver", homeserver, "the example value")

    user_id = raw["matrix"].get("user_id")
    if isinstance(user_id, str) and ("matrix", "user_id") not in invalid_keys and _is_placeholder_id(user_id):
        _add_placeholder(loaded, "matrix", "user_id", user_id, "the example value")

    for key in ("isu_users", "allowed_inviters"):
        entries = raw["bot"].get(key)
        if not isinstance(entries, list | tuple) or ("bot", key) in invalid_keys:
            continue
        for entry in entries:
            if isinstance(entry, str) and _is_placeholder_id(entry):
                _add_placeholder(loaded, "bot", key, entry, "an example value")


def _add_placeholder(loaded: _Loaded, section: str, key: str, value: str, what: str) -> None:
    loaded.add(
        f"{section}.{key}: still {what} '{value}' — {_PLACEHOLDER_HINTS[section, key]}",
    )


def _is_placeholder_id(value: str) -> bool:
    """A user ID or bare server name on a documentation domain."""
    parts = split_user_id(value)
    server = parts[1] if parts else value
    if server.startswith("["):  # an IPv6 literal is never a placeholder
        return False
    return _is_placeholder_host(server.rsplit(":", 1)[0] if ":" in server else server)


def _is_placeholder_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in _PLACEHOLDER_DOMAINS)


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


# --- turning pydantic's errors into sentences -------------------------------------------------


def _report_validation_errors(
    exc: ValidationError, env_sources: dict[tuple[str, str], str], loaded: _Loaded
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
    shown = "a value" if (section, key) in _SECRET_KEYS else _show(error.get("input"))

    if kind == "missing":
        hint = _MISSING_HINTS.get((section, key))
        return f"required — {hint}" if hint else "required"
    if kind == "extra_forbidden":
        if not key:
            if not isinstance(error.get("input"), dict):
                # A plain key above the first [section] header: say where it belongs.
                owners = [name for name, model in _SECTIONS.items() if section in model.model_fields]
                if owners:
                    return f"not inside a section — move it below the [{owners[0]}] header"
                return "unknown key outside any section"
            return "unknown section" + _suggest(section, _SECTIONS)
        return "unknown key" + _suggest(key, _SECTIONS[section].model_fields if section in _SECTIONS else {})
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


def _closest(word: str, choices: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return match[0] if match else None


def _suggest(word: str, choices: Iterable[str]) -> str:
    guess = _closest(word, choices)
    return f" (did you mean {guess}?)" if guess else ""


def _problem_order(text: str) -> tuple[int, int]:
    """Sort key: problems with the file first, then by section and key in schema order."""
    if text.startswith("config file"):
        return (0, 0)
    section, _, key = text.split(":", 1)[0].partition(".")
    sections = list(_SECTIONS)
    if section not in _SECTIONS:
        return (len(sections) + 1, 0)
    keys = list(_SECTIONS[section].model_fields)
    # Section-wide problems ("matrix: no credentials") come after that section's keys.
    return (sections.index(section) + 1, keys.index(key) if key in keys else len(keys))


# --- small helpers --------------------------------------------------------------------------------


def _env_lookup(environ: Mapping[str, str], name: str) -> str | None:
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


def _is_set(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and value.strip() == "")
