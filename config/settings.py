"""The validated, immutable shape of the bot's configuration.

Only checks that need nothing but the value itself live here (formats, ranges, time zones),
so tests elsewhere can build a `Settings` directly. Checks that concern a deployment — that
credentials exist, that example placeholders were replaced, that files can be read — live in
`config.loader`, which is the only sanctioned way to build `Settings` for a running bot.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    model_validator,
)
from pydantic_core import PydanticCustomError

from privacy.categories import STAKEHOLDER_CATEGORIES, StakeholderCategories, category_key
from scheduling.zones import is_zone_name

# Matrix spec, "Server Name": a DNS name, IPv4 literal or bracketed IPv6 literal, optional port.
_SERVER_NAME_RE = re.compile(
    r"""
    (?:
        [A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*
      | \[[0-9A-Fa-f:.]{2,45}\]
    )
    (?::[0-9]{1,5})?
    """,
    re.VERBOSE,
)
# Historical user IDs may use any printable ASCII but ':' in the localpart, and such
# accounts still exist on older servers, so the stricter modern grammar would lock them out.
_LOCALPART_RE = re.compile(r"[\x21-\x39\x3b-\x7e]+")
_MAX_USER_ID_LENGTH = 255  # Matrix spec limit, including the leading '@' and the server name.
_COMMAND_PREFIX_RE = re.compile(r"![^\s]+")
_HEAD_WORD_RE = re.compile(r"\w+")
_PHRASE_RE = re.compile(r"\w")
# `roster set` ends the affiliation at ";", roster files split cells at ",", ";" or a tab, and scrub aliases use "|".
_CATEGORY_FORBIDDEN = (";", ",", "|", "\t", "\n", "\r")
_CATEGORY_MAX_LENGTH = 60


def is_valid_server_name(value: str) -> bool:
    """Whether `value` is a Matrix server name such as `example.org` or `localhost:8448`."""
    return len(value) <= 255 and _SERVER_NAME_RE.fullmatch(value) is not None


def split_user_id(user_id: str) -> tuple[str, str] | None:
    """`@alice:example.org` → `("alice", "example.org")`; None if it is not a valid user ID."""
    if len(user_id) > _MAX_USER_ID_LENGTH or not user_id.startswith("@"):
        return None
    # The server name may itself carry a port ("@a:host:8448"), so split on the first colon only.
    localpart, sep, server = user_id[1:].partition(":")
    if not sep or not _LOCALPART_RE.fullmatch(localpart) or not is_valid_server_name(server):
        return None
    return localpart, server


def is_valid_user_id(value: str) -> bool:
    """Whether `value` is a Matrix user ID (`@localpart:server`)."""
    return split_user_id(value) is not None


# --- field validators ------------------------------------------------------------------------
# They raise PydanticCustomError rather than ValueError so the message reaches the person
# verbatim (ValueError messages get a "Value error, " prefix) and the loader can tell our
# wording apart from pydantic's generic messages.


def _check_user_id(value: str) -> str:
    if not is_valid_user_id(value):
        raise PydanticCustomError(
            "matrix_user_id",
            "'{value}' is not a Matrix user ID — write it as @localpart:server, e.g. @dialogue-bot:example.org",
            {"value": value},
        )
    return value


def _check_inviter(value: str) -> str:
    if value.startswith("@"):
        return _check_user_id(value)
    if not is_valid_server_name(value):
        raise PydanticCustomError(
            "matrix_inviter",
            "'{value}' is neither a Matrix user ID (@mod:example.org) nor a server name (example.org)",
            {"value": value},
        )
    return value


def _check_homeserver(value: str) -> str:
    value = value.strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- accessing it is what validates the port
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.query
        or parts.fragment
    ):
        raise PydanticCustomError(
            "homeserver_url",
            "'{value}' is not an http(s) URL — use the homeserver's base URL, e.g. https://matrix.example.org",
            {"value": value},
        )
    # Client code appends "/_matrix/..." to this, so a trailing slash would double up.
    return value.rstrip("/")


def _check_timezone(value: str) -> str:
    if not is_zone_name(value):
        raise PydanticCustomError(
            "timezone",
            "'{value}' is not an IANA time zone (e.g. Europe/Zurich)",
            {"value": value},
        )
    return value


def _check_command_prefix(value: str) -> str:
    # A bare "!" would turn every message starting with "!" into a command for this bot.
    if not _COMMAND_PREFIX_RE.fullmatch(value):
        raise PydanticCustomError(
            "command_prefix",
            "'{value}' must start with '!', have at least one more character, and contain no spaces (e.g. !dialogue)",
            {"value": value},
        )
    return value


def _check_head_word(value: str) -> str:
    # The head word is what every phrase of its set becomes before grouping, so it must be one word.
    if not _HEAD_WORD_RE.fullmatch(value):
        raise PydanticCustomError(
            "synonym_head",
            "'{value}' must be a single word (letters or digits, no spaces), e.g. landmine",
            {"value": value},
        )
    return value


def _check_phrase(value: str) -> str:
    if not _PHRASE_RE.search(value):
        raise PydanticCustomError("synonym_phrase", "'{value}' has no word in it", {"value": value})
    return value


def _check_category_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise PydanticCustomError("category_name", "a stakeholder category cannot be empty")
    if any(mark in value for mark in _CATEGORY_FORBIDDEN) or len(value) > _CATEGORY_MAX_LENGTH:
        raise PydanticCustomError(
            "category_name",
            "'{value}': a stakeholder category may not contain ; , | or a line break, and has at most {limit} "
            "characters",
            {"value": value, "limit": _CATEGORY_MAX_LENGTH},
        )
    return value


def _check_category_list(value: tuple[str, ...]) -> tuple[str, ...]:
    if not value:
        raise PydanticCustomError("category_list", "at least one stakeholder category is needed")
    seen: dict[str, str] = {}
    for name in value:
        earlier = seen.setdefault(category_key(name), name)
        if earlier != name or value.count(name) > 1:
            raise PydanticCustomError(
                "category_list", "'{value}' repeats '{earlier}'", {"value": name, "earlier": earlier}
            )
    return value


def _empty_to_none(value: Any) -> Any:
    # An empty string usually means "unset" (e.g. `FOO=` in a compose file), not "the empty password".
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def _no_bools(value: Any) -> Any:
    # pydantic would silently read `true` as 1; in a config file that is always a mistake.
    if isinstance(value, bool):
        shown = "true" if value else "false"
        raise PydanticCustomError("whole_number", "expected a whole number, got {value}", {"value": shown})
    return value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


UserId = Annotated[str, AfterValidator(_check_user_id)]
Inviter = Annotated[str, AfterValidator(_check_inviter)]
CommandPrefix = Annotated[str, AfterValidator(_check_command_prefix)]
WholeNumber = Annotated[int, BeforeValidator(_no_bools)]
OptionalStr = Annotated[str | None, BeforeValidator(_empty_to_none)]
OptionalSecret = Annotated[SecretStr | None, BeforeValidator(_empty_to_none)]
OptionalPath = Annotated[Path | None, BeforeValidator(_empty_to_none)]
HeadWord = Annotated[str, AfterValidator(_check_head_word)]
Phrase = Annotated[str, AfterValidator(_check_phrase)]
CategoryName = Annotated[str, AfterValidator(_check_category_name)]


class _Section(BaseModel):
    # Frozen: settings are read by many tasks concurrently and must not drift after start-up.
    # extra="forbid": a misspelt key would otherwise be ignored and its default used silently.
    # Every field has a `description`: it is the key's "meaning" in README's configuration table, generated by
    # `dialogue-bot config-reference` (config/reference.py), so keep it short and true.
    model_config = ConfigDict(frozen=True, extra="forbid")


class MatrixSettings(_Section):
    """How the bot reaches and identifies itself to its homeserver."""

    homeserver: Annotated[str, AfterValidator(_check_homeserver)] = Field(
        description="Base URL of the bot's homeserver (http or https), e.g. `https://matrix.example.org`."
    )
    user_id: UserId = Field(description="The bot account's Matrix user ID, `@localpart:server`.")
    device_name: str = Field(
        default="dialogue-bot", min_length=1, description="Name of the bot's session in other clients' device lists."
    )
    device_id: OptionalStr = Field(
        default=None,
        description="The device ID `matrix.access_token` was issued for: required with it, optional with a password.",
    )
    encryption: bool = Field(
        default=True, description="End-to-end encryption. Leave it on unless your rooms are unencrypted by policy."
    )
    password: OptionalSecret = Field(
        default=None,
        description="The bot account's password, used once to log in (the session is then kept in `bot.data_dir`).",
    )
    password_file: OptionalPath = Field(
        default=None, description="A file (mode 0600) holding the password alone; surrounding whitespace is ignored."
    )
    access_token: OptionalSecret = Field(
        default=None,
        description="An access token, instead of a password (needs `matrix.device_id`).",
    )
    access_token_file: OptionalPath = Field(
        default=None, description="A file (mode 0600) holding the access token alone."
    )
    retry_max_seconds: float = Field(
        default=300.0,
        gt=0,
        le=3600,
        description="Longest wait between two tries while the homeserver is unreachable or failing (at start, "
        "syncing and sending): the wait doubles from about a second up to this. Nothing is given up meanwhile.",
    )
    request_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="How long one request may go unanswered before it is abandoned and tried again; a sync gets its "
        "30-second long-poll on top.",
    )


class BotSettings(_Section):
    """Behaviour of the bot inside rooms."""

    data_dir: Path = Field(
        default=Path("./data"),
        description="Where the bot keeps its database, Matrix session and encryption keys (mode 0700). Back it up.",
    )
    command_prefix: CommandPrefix = Field(
        default="!dialogue", description="What commands start with: `!` and at least one more character, no spaces."
    )
    command_aliases: tuple[CommandPrefix, ...] = Field(
        default=("!dg",), description="Shorter prefixes that work the same way."
    )
    moderator_power_level: WholeNumber = Field(
        default=50, ge=0, le=100, description="Room power level (0–100) from which someone counts as a moderator."
    )
    isu_users: tuple[UserId, ...] = Field(
        default=(), description="Matrix user IDs of the secretariat (ISU), who may pull synopses. Empty: nobody."
    )
    allowed_inviters: tuple[Inviter, ...] = Field(
        default=(),
        description="Who may invite the bot into a room: user IDs (`@mod:example.org`) or whole servers "
        "(`example.org`). Empty: nobody.",
    )
    timezone: Annotated[str, AfterValidator(_check_timezone)] = Field(
        default="UTC",
        description="IANA time zone (e.g. `Europe/Zurich`) for times the bot shows and schedules, unless a "
        "dialogue sets its own with `!dialogue timezone`.",
    )
    startup_grace_minutes: WholeNumber = Field(
        default=15,
        ge=0,
        description="A scheduled opening that fell due while the bot was down is still posted if the bot is back "
        "within this many minutes; otherwise the room is told it was missed.",
    )
    retention_days: WholeNumber = Field(
        default=30,
        ge=1,
        description="Days the bot keeps the IDs of handled events and the records of sent messages (their content is "
        "gone already) before an hourly clean-up deletes them, so the database stops growing.",
    )
    undecryptable_notice_minutes: Annotated[float, BeforeValidator(_no_bools)] = Field(
        default=60,
        gt=0,
        description="A message the bot still cannot decrypt this many minutes after it arrived: its sender is told "
        "privately (without its content) to send it again. Fractions allowed. The bot keeps waiting for the key.",
    )

    @property
    def all_command_prefixes(self) -> tuple[str, ...]:
        """The main prefix first, then the aliases, without duplicates."""
        return tuple(dict.fromkeys((self.command_prefix, *self.command_aliases)))

    def is_allowed_inviter(self, user_id: str) -> bool:
        """Whether `user_id` is listed itself, or its server is listed as a whole.

        Server entries compare the complete server name (case-insensitively, as DNS does),
        so "example.org" admits "@a:example.org" but not "@a:notexample.org" or
        "@a:sub.example.org".
        """
        if user_id in self.allowed_inviters:
            return True
        parts = split_user_id(user_id)
        if parts is None:
            return False
        server = parts[1].lower()
        return any(not entry.startswith("@") and entry.lower() == server for entry in self.allowed_inviters)


class PrivacySettings(_Section):
    """Limits that keep the Chatham House Rule intact in what the bot reports."""

    k_threshold: WholeNumber = Field(
        default=3,
        ge=2,
        description="Counts appear only when at least this many distinct people stand behind them, and then as a "
        "band (2 or more).",
    )
    stakeholder_categories: Annotated[tuple[CategoryName, ...], AfterValidator(_check_category_list)] = Field(
        default=STAKEHOLDER_CATEGORIES,
        description='The stakeholder categories the roster accepts, e.g. add `"State not party"`, '
        '`"UN agency"`, `"academia"` to the default list. A category is named behind a theme only when at '
        "least `k_threshold` of its people stand there.",
    )
    stakeholder_category_plurals: dict[CategoryName, CategoryName] = Field(
        default_factory=dict,
        description='How the synopsis names a listed category in the plural, e.g. `"UN agency" = "UN agencies"`; '
        "one without an entry reads `<category> participants` (built-in ones have their own).",
    )

    @model_validator(mode="after")
    def _plurals_name_listed_categories(self) -> PrivacySettings:
        unlisted = sorted(set(self.stakeholder_category_plurals) - set(self.stakeholder_categories))
        if unlisted:
            raise ValueError(
                f"stakeholder_category_plurals: {', '.join(unlisted)} not listed in stakeholder_categories"
            )
        return self

    def categories(self) -> StakeholderCategories:
        """The configured categories, as the roster commands and the synopsis use them."""
        return StakeholderCategories(self.stakeholder_categories, dict(self.stakeholder_category_plurals))


class SynopsisSettings(_Section):
    """How the draft synopsis groups contributions."""

    synonyms: dict[HeadWord, tuple[Phrase, ...]] = Field(
        default_factory=dict,
        description="Extra synonym sets for grouping and for placing contributions under the secretariat's "
        "expected-theme headings, added to the built-in treaty vocabulary: each head word "
        'with the phrases that mean the same in your dialogues, e.g. `landmine = ["anti-personnel mine", '
        '"APM"]` under `[synopsis.synonyms]`. Where a phrase is also built in, yours wins.',
    )


def _check_listen(value: str | None) -> str | None:
    if value is None:
        return None
    host, sep, port = value.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise PydanticCustomError(
            "web_listen",
            "'{value}' is not host:port — e.g. 127.0.0.1:8080 (put a TLS reverse proxy in front of it)",
            {"value": value},
        )
    return value.strip()


def _check_base_url(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise PydanticCustomError(
            "web_base_url",
            "'{value}' is not an http(s) URL — use the address people open, e.g. https://synopsis.example.org",
            {"value": value},
        )
    # Links append "/d/<dialogue>…" to it, so a trailing slash would double up.
    return value.strip().rstrip("/")


class WebSettings(_Section):
    """The read-only web view of the draft synopsis for the secretariat (web/)."""

    listen: Annotated[OptionalStr, AfterValidator(_check_listen)] = Field(
        default=None,
        description="`host:port` the web view listens on inside the bot (and for `dialogue-bot serve`), e.g. "
        "`127.0.0.1:8080` behind a TLS reverse proxy. Unset: no web view in the bot.",
    )
    base_url: Annotated[OptionalStr, AfterValidator(_check_base_url)] = Field(
        default=None,
        description="The address people open, which the links `!dialogue web` sends start with, e.g. "
        "`https://synopsis.example.org`. Unset: `http://` and `web.listen`.",
    )
    link_minutes: WholeNumber = Field(
        default=60,
        ge=1,
        le=7 * 24 * 60,
        description="How long a link `!dialogue web` sends stays valid, in minutes (at most a week); the browser "
        "session it opens ends with it.",
    )

    def link_base(self) -> str | None:
        """Where links point: `base_url`, else the listening address itself; None when neither is set."""
        if self.base_url is not None:
            return self.base_url
        return None if self.listen is None else f"http://{self.listen}"


class StorageSettings(_Section):
    """Where the bot keeps its database: a SQLite file in `bot.data_dir` (the default), or PostgreSQL."""

    backend: Annotated[Literal["sqlite", "postgres"], BeforeValidator(_lower)] = Field(
        default="sqlite",
        description="`sqlite` (a file in `bot.data_dir`, nothing to run) or `postgres` (the server `storage.dsn` "
        "names). Move a deployment with `dialogue-bot migrate-storage`.",
    )
    dsn: OptionalSecret = Field(
        default=None,
        description="With `postgres`: the database, as `postgresql://user:password@host:5432/dbname` (query keys such "
        "as `sslmode` or `search_path` allowed).",
    )

    @model_validator(mode="after")
    def _postgres_needs_a_dsn(self) -> StorageSettings:
        if self.backend == "postgres" and self.dsn is None:
            raise ValueError("backend is postgres but storage.dsn is not set")
        if self.dsn is not None and not self.dsn.get_secret_value().startswith(("postgresql://", "postgres://")):
            # Say which form is wanted without repeating what was given: the DSN may hold a password.
            raise ValueError("storage.dsn must be a postgresql:// URI")
        return self


class LoggingSettings(_Section):
    """What the bot writes to standard error."""

    level: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)] = Field(
        default="INFO",
        description="`DEBUG`, `INFO`, `WARNING` or `ERROR`. DEBUG also logs Matrix IDs and whole events: "
        "for troubleshooting only.",
    )
    format: Annotated[Literal["text", "json"], BeforeValidator(_lower)] = Field(
        default="text", description="`text` for key=value lines, `json` for one JSON object per line."
    )


class Settings(_Section):
    """The whole configuration. Build it with `config.load_settings()`."""

    matrix: MatrixSettings
    bot: BotSettings = Field(default_factory=BotSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    synopsis: SynopsisSettings = Field(default_factory=SynopsisSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
