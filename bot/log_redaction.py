"""Keep people out of the log: Matrix user IDs and room aliases are redacted from every line above DEBUG.

The call sites already avoid logging identities, but not all code is ours (matrix-nio names users in its key
warnings) and a message such as a direct room's "room" (a user ID) or an exception's text can carry one by accident.
So the handler redacts, as a last line of defence, whatever looks like `@localpart:server` or `#alias:server` in the
message, the `extra=` fields and the traceback. Redacting rather than demoting keeps the line itself (a failed send
is still worth a WARNING); DEBUG lines are left whole, since DEBUG is the operator's explicit troubleshooting mode.
Room IDs (`!opaque:server`) and event IDs name no one and stay.

matrix-nio's validation warnings print whole events (sender, body, display names), which no pattern can clean: the
filter demotes them to DEBUG, so they appear only when the operator runs at DEBUG (and are dropped otherwise, by the
level configure_logging sets on those loggers).
"""

from __future__ import annotations

import logging
import re

# Localparts are ASCII without whitespace or ':' (historical ones allow more punctuation, hence the wide class);
# the server is a host name, an IPv4 address or a bracketed IPv6 literal, with an optional port.
_SERVER = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.\-]*)(?::[0-9]+)?"
_USER_ID = re.compile(r"@[^\s:@\"'<>(){}\[\],;=]+:" + _SERVER)
_ROOM_ALIAS = re.compile(r"#[^\s:#\"'<>(){}\[\],;=]+:" + _SERVER)

# Loggers whose lines quote whole events or responses.
WHOLE_EVENT_LOGGERS = ("nio.events", "nio.responses")

USER_PLACEHOLDER = "@[user]"
ALIAS_PLACEHOLDER = "#[alias]"

# Attributes every LogRecord has; anything else on a record came from `extra=`.
STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact_identities(text: str) -> str:
    """`text` with every Matrix user ID and room alias replaced by a placeholder."""
    if "@" not in text and "#" not in text:
        return text
    return _ROOM_ALIAS.sub(ALIAS_PLACEHOLDER, _USER_ID.sub(USER_PLACEHOLDER, text))


def _is_whole_event_logger(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in WHOLE_EVENT_LOGGERS)


class RedactIdentitiesFilter(logging.Filter):
    """A handler filter that rewrites records above DEBUG in place; it never drops a record.

    On a handler, not a logger, so it sees every record that reaches the output, whichever logger made it."""

    def __init__(self) -> None:
        super().__init__()
        self._traceback_formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG and _is_whole_event_logger(record.name):
            record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        if record.levelno <= logging.DEBUG:
            return True
        record.msg = redact_identities(record.getMessage())
        record.args = ()
        for key, value in list(vars(record).items()):
            if key in STANDARD_ATTRIBUTES or isinstance(value, int | float | bool | type(None)):
                continue
            setattr(record, key, redact_identities(str(value)))
        if record.exc_info:
            # Render the traceback now, redacted; formatters print `exc_text` when `exc_info` is gone.
            record.exc_text = redact_identities(self._traceback_formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact_identities(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_identities(record.stack_info)
        return True
