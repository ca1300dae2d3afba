"""Values left over from the example file: a live configuration pointing at a documentation domain is unfilled."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from config.loaded import Loaded
from config.settings import split_user_id

# RFC 2606 reserves these for documentation; a live config pointing at them is an unfilled template.
_PLACEHOLDER_DOMAINS = ("example.org", "example.com", "example.net")


_PLACEHOLDER_HINTS = {
    ("matrix", "homeserver"): "set your homeserver's URL",
    ("matrix", "user_id"): "set the bot account's Matrix user ID",
    ("bot", "isu_users"): "list the secretariat's real Matrix user IDs",
    ("bot", "allowed_inviters"): "list your moderators' Matrix user IDs or your server's name",
}


def check_placeholders(raw: dict[str, Any], invalid_keys: set[tuple[str, str]], loaded: Loaded) -> None:
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


def _add_placeholder(loaded: Loaded, section: str, key: str, value: str, what: str) -> None:
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
