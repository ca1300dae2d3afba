"""The command table: every command declared once, as data.

Help text, usage errors and permission checks all come from these declarations, so they cannot drift apart. The
table is an explicit list (see `handlers.builtin`), not a registration side effect of imports.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from dialogue.vocabulary import RoomId
from handlers.context import BotInfo, RoomLookup, RoomSnapshot
from handlers.events import InboundEvent
from handlers.replies import Reply
from handlers.slow_work import SlowWork
from i18n import bot_marked, bot_text
from storage.outbox import Destination, Room

if TYPE_CHECKING:
    from handlers.handler_settings import HandlerSettings
    from storage import Transaction


class Permission(Enum):
    """Who may run a command."""

    ANYONE = bot_marked("anyone")
    MODERATOR = bot_marked("moderator")
    ISU = bot_marked("moderator or ISU")

    @property
    def label(self) -> str:
        return self.value

    def label_in(self, language: str | None) -> str:
        return bot_text(language, self.value)


class Sensitivity(Enum):
    """Why a command must not be handled in front of a dialogue room's participants."""

    # The command's own text names people and their affiliations (the roster): refused there, and removed.
    REQUEST = "request"
    # The same, and the file it answers is the roster (`roster import`): a moderator's file is removed too.
    REQUEST_WITH_FILE = "request and its file"
    # Its answer shows contributions, their references or a synopsis file: answered in the back-room or privately.
    ANSWER = "answer"


class UsageError(Exception):
    """The arguments do not fit the command; the message (if any) says what is wrong.

    A problem that quotes a value is raised with the message marked whole and its named placeholders as keywords
    (``UsageError(bot_marked("'{word}' is not a challenge number"), word=word)``): the reply translates the message,
    then fills it. ``str()`` gives the English, filled.
    """

    def __init__(self, message: str = "", /, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values

    def __str__(self) -> str:
        return _filled(self.message, "en", self.values)


def _filled(message: str, language: str | None, values: Mapping[str, object]) -> str:
    """A problem's placeholders filled; a whole number is written as the reader's language writes numbers."""
    if not values:
        return message
    from babel.numbers import format_decimal  # as in i18n: loaded only when a problem quotes a value

    shown = {
        name: format_decimal(value, locale=language or "en") if isinstance(value, int) else value
        for name, value in values.items()
    }
    return message.format(**shown)


def no_rooms(room_id: RoomId) -> RoomSnapshot | None:
    return None


class CommandRefused(Exception):
    """The command cannot be done now (no dialogue here, challenge already open …); the message says why."""


A = TypeVar("A")
"""What a command's parser makes of its arguments, and so what its handler receives as `call.args`."""


@dataclass(frozen=True, slots=True)
class CommandCall(Generic[A]):
    """One invocation of a command, with everything its handler may decide on."""

    command: Command[A]
    args: A
    raw_args: str
    prefix: str
    event: InboundEvent
    room: RoomSnapshot
    settings: HandlerSettings
    bot: BotInfo
    registry: CommandRegistry
    now: float
    sender_is_moderator: bool
    sender_is_isu: bool
    # Files to fetch and synopses to compile: done outside the event's transaction (handlers/slow_work.py).
    slow_work: SlowWork = field(default_factory=SlowWork)
    # Other rooms the bot is in (a back-room's dialogue room), for commands that decide on them.
    rooms: RoomLookup = no_rooms
    # The room whose dialogue the command acts on: the room it was sent in, or, from a back-room, the linked room.
    dialogue_room_id: RoomId | None = None
    # Where files and answers go: the room it was sent in, or the sender, by direct message.
    answer_to: Destination | None = None
    # The language of the reply (handlers/languages.py): the sender's own in a direct chat, the dialogue's in a room.
    language: str | None = None
    # Sent in a direct chat with the bot (not a dialogue room, not a back-room).
    in_direct_chat: bool = False

    @property
    def dialogue_room(self) -> RoomId:
        return self.dialogue_room_id or self.room.room_id

    @property
    def answer_destination(self) -> Destination:
        return self.answer_to or Room(self.room.room_id)


CommandHandler = Callable[[CommandCall[A], "Transaction"], Awaitable[Reply | None]]
ArgumentParser = Callable[[str], A]


def no_arguments(raw: str) -> None:
    if raw.strip():
        raise UsageError(bot_marked("this command takes no arguments"))


def rest_of_line(raw: str) -> str:
    """Free text, kept as written (may be empty)."""
    return raw.strip()


# The parser of a command declared without one. Typed Any only here, for the field's default: the constructor's
# overloads below are what make such a command a Command[None], whose handler must take no arguments.
_NO_ARGUMENTS: Any = no_arguments


@dataclass(frozen=True, slots=True)
class Command(Generic[A]):
    """A command's declaration: its name, arguments, help and who may run it.

    Its parser and its handler agree on one type `A`: the handler's `call.args` is what `parse` returned, so
    `Command("open", ..., handler=open_challenge, parse=challenge_number)` only checks if `open_challenge` takes a
    `CommandCall[int]`. Without a parser, a command takes no arguments and its handler a `CommandCall[None]`.
    """

    name: str
    summary: str
    handler: CommandHandler[A]
    arguments: str = ""
    permission: Permission = Permission.ANYONE
    aliases: tuple[str, ...] = ()
    details: str = ""
    parse: ArgumentParser[A] = _NO_ARGUMENTS
    # Routing, declared once here (handlers/backroom_routing.py): a sensitive command is never answered in a
    # dialogue room; `in_backroom` commands that are not sensitive may also be sent in a back-room.
    sensitive: Sensitivity | None = None
    in_backroom: bool = False
    # Whether running it can change what the scheduler plans (openings, closings, reminders, digests): the
    # processor rebuilds the agenda's timers after such a command, and after no other.
    changes_agenda: bool = False

    if TYPE_CHECKING:
        # For the type checker only; at run time the dataclass's own __init__ takes the same arguments.
        @overload
        def __init__(
            self: Command[None],
            name: str,
            summary: str,
            handler: CommandHandler[None],
            arguments: str = "",
            permission: Permission = Permission.ANYONE,
            aliases: tuple[str, ...] = (),
            details: str = "",
            *,
            sensitive: Sensitivity | None = None,
            in_backroom: bool = False,
            changes_agenda: bool = False,
        ) -> None: ...

        @overload
        def __init__(
            self,
            name: str,
            summary: str,
            handler: CommandHandler[A],
            arguments: str = "",
            permission: Permission = Permission.ANYONE,
            aliases: tuple[str, ...] = (),
            details: str = "",
            *,
            parse: ArgumentParser[A],
            sensitive: Sensitivity | None = None,
            in_backroom: bool = False,
            changes_agenda: bool = False,
        ) -> None: ...

        def __init__(self, *args: Any, **kwargs: Any) -> None: ...

    def usage(self, prefix: str) -> str:
        return " ".join(part for part in (prefix, self.name, self.arguments) if part)

    def summary_in(self, language: str | None) -> str:
        """The summary in `language` (the registry marks each one for the catalogue; the syntax is never translated)."""
        return bot_text(language, self.summary)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.name.split())


@dataclass(frozen=True, slots=True)
class Invocation:
    """A message that addressed the bot: which prefix it used and the text after it."""

    prefix: str
    text: str


def parse_invocation(body: str, prefixes: Sequence[str]) -> Invocation | None:
    """Recognise `!dialogue …` or an alias: the prefix must be a whole word, so `!dialoguex` is not a command."""
    parts = body.strip().split(maxsplit=1)
    if not parts:
        return None
    first = parts[0].casefold()
    if any(first == prefix.casefold() for prefix in prefixes):
        return Invocation(prefix=prefixes[0], text=parts[1].strip() if len(parts) > 1 else "")
    return None


@dataclass(frozen=True, slots=True)
class Lookup:
    """The result of matching an invocation's words against the table."""

    command: Command[Any] | None
    raw_args: str
    attempted: str


class CommandRegistry:
    """Finds commands by name or alias, matching whole words, longest name first."""

    def __init__(self, commands: Iterable[Command[Any]]) -> None:
        self._commands: tuple[Command[Any], ...] = tuple(commands)
        self._by_words: dict[tuple[str, ...], Command[Any]] = {}
        for command in self._commands:
            for name in (command.name, *command.aliases):
                key = tuple(name.casefold().split())
                if key in self._by_words:
                    raise ValueError(f"command name {name!r} declared twice")
                self._by_words[key] = command
        self._longest = max((len(key) for key in self._by_words), default=1)

    def __iter__(self) -> Iterator[Command[Any]]:
        return iter(self._commands)

    def find(self, text: str) -> Lookup:
        """Match the leading words of `text`; the rest are the command's arguments."""
        words = text.split()
        for length in range(min(self._longest, len(words)), 0, -1):
            key = tuple(word.casefold() for word in words[:length])
            command = self._by_words.get(key)
            if command is not None:
                return Lookup(command, _drop_words(text, length), " ".join(words[:length]))
        return Lookup(None, text, words[0] if words else "")

    def get(self, name: str) -> Command[Any] | None:
        return self._by_words.get(tuple(name.casefold().split()))


def _drop_words(text: str, count: int) -> str:
    """Remove the first `count` words, keeping the remaining text exactly as written (line breaks included)."""
    remaining = text.lstrip()
    for _ in range(count):
        parts = remaining.split(maxsplit=1)
        remaining = parts[1] if len(parts) > 1 else ""
    return remaining


def help_overview(registry: CommandRegistry, prefix: str, aliases: Sequence[str], language: str | None = None) -> Reply:
    """The `help` listing, generated from the table, in `language` (the commands' syntax stays as declared)."""
    if aliases:
        heading = bot_text(
            language, "Commands (prefix {prefix}, or {aliases}):", prefix=prefix, aliases=", ".join(aliases)
        )
    else:
        heading = bot_text(language, "Commands (prefix {prefix}):", prefix=prefix)
    lines = [heading]
    html_rows = []
    for command in registry:
        who = "" if command.permission is Permission.ANYONE else f" ({command.permission.label_in(language)})"
        summary = command.summary_in(language)
        lines.append(f"• {command.usage(prefix)} — {summary}{who}")
        html_rows.append(f"<li><code>{_escape(command.usage(prefix))}</code> — {_escape(summary)}{_escape(who)}</li>")
    more = bot_text(language, "More on one command: {command}", command=f"{prefix} help <command>")
    lines.append(more)
    more_html = _escape(bot_text(language, "More on one command: {command}", command="\0")).replace(
        "\0", f"<code>{_escape(prefix)} help &lt;command&gt;</code>"
    )
    html = f"<p>{_escape(lines[0])}</p><ul>{''.join(html_rows)}</ul><p>{more_html}</p>"
    return Reply("\n".join(lines), html)


def help_for(command: Command, prefix: str, language: str | None = None) -> Reply:
    """`help <command>`: usage, who may run it, aliases and details."""
    summary = command.summary_in(language)
    lines = [
        f"{command.usage(prefix)} — {summary}",
        bot_text(language, "Who: {who}", who=command.permission.label_in(language)),
    ]
    if command.aliases:
        also = ", ".join(f"{prefix} {alias}" for alias in command.aliases)
        lines.append(bot_text(language, "Also: {aliases}", aliases=also))
    if command.details:
        lines.append(bot_text(language, command.details))
    html = f"<p><code>{_escape(command.usage(prefix))}</code> — {_escape(summary)}</p>" + "".join(
        f"<p>{_escape(line)}</p>" for line in lines[1:]
    )
    return Reply("\n".join(lines), html)


def usage_reply(
    command: Command,
    prefix: str,
    problem: str | None = None,
    language: str | None = None,
    values: Mapping[str, object] | None = None,
) -> Reply:
    """`Usage: …`, with what is wrong; a problem the code marked (bot_marked) is translated, others stay as raised.

    `values` fill the problem's placeholders after it is translated (see `UsageError`)."""
    usage = command.usage(prefix)
    if problem:
        shown = _filled(bot_text(language, problem), language, values or {})
        text = bot_text(language, "Usage: {usage} ({problem})", usage=usage, problem=shown)
        html_text = _escape(bot_text(language, "Usage: {usage} ({problem})", usage="\0", problem=shown))
    else:
        text = bot_text(language, "Usage: {usage}", usage=usage)
        html_text = _escape(bot_text(language, "Usage: {usage}", usage="\0"))
    return Reply(text, html_text.replace("\0", f"<code>{_escape(usage)}</code>"))


def unknown_command_reply(attempted: str, prefix: str, language: str | None = None) -> Reply:
    help_command = f"{prefix} help"
    code = f"<code>{_escape(help_command)}</code>"
    if not attempted:
        text = bot_text(language, "Try {help}", help=help_command)
        return Reply(text, _escape(bot_text(language, "Try {help}", help="\0")).replace("\0", code))
    text = bot_text(language, "Unknown command '{command}'. Try {help}", command=attempted, help=help_command)
    # Quotes kept as written, so the ones around the command (in any language's form) can give way to <code>.
    html_text = html.escape(
        bot_text(language, "Unknown command '{command}'. Try {help}", command="\1", help="\0"), quote=False
    )
    return Reply(
        text,
        html_text.replace("'\1'", f"<code>{_escape(attempted)}</code>")
        .replace("\1", f"<code>{_escape(attempted)}</code>")
        .replace("\0", code),
    )


def permission_reply(command: Command, prefix: str, threshold: int, language: str | None = None) -> Reply:
    name = f"{prefix} {command.name}"
    if command.permission is Permission.MODERATOR:
        text = bot_text(
            language,
            "Only moderators (power level {threshold} or more, or the room's creator) can use {command}.",
            threshold=threshold,
            command=name,
        )
    else:
        text = bot_text(language, "Only moderators and the secretariat (ISU) can use {command}.", command=name)
    return Reply(text)


def commands_markdown(registry: CommandRegistry, prefix: str) -> str:
    """The command reference for the README, generated from the same table as `help`."""
    rows = ["| command | who | what it does |", "|---|---|---|"]
    for command in registry:
        usage = command.usage(prefix).replace("|", "\\|")
        summary = command.summary.replace("|", "\\|")
        aliases = f" (also `{prefix} {'`, `'.join(command.aliases)}`)" if command.aliases else ""
        rows.append(f"| `{usage}`{aliases} | {command.permission.label} | {summary} |")
    return "\n".join(rows) + "\n"


def _escape(text: str) -> str:
    return html.escape(text)
