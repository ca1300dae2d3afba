"""Argument parsers for commands. Each raises UsageError with what is wrong, so the reply can say it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogue.vocabulary import UserId
from handlers.commands import UsageError
from handlers.limits import AFFILIATION_MAX_CHARS, PROMPT_MAX_CHARS, TITLE_MAX_CHARS
from i18n import bot_marked

_USER_ID = re.compile(r"^@[^\s:]+:[A-Za-z0-9.\-\[\]:]+$")


def required_text(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise UsageError(bot_marked("missing text"))
    return text


def dialogue_title(raw: str) -> str:
    return _within_limit(TITLE_TOO_LONG, required_text(raw), TITLE_MAX_CHARS)


# One whole message per thing measured: the noun's gender and article differ from language to language.
TITLE_TOO_LONG = bot_marked("the title is longer than {limit} characters, the most allowed")
PROMPT_TOO_LONG = bot_marked("the prompt is longer than {limit} characters, the most allowed")
AFFILIATION_TOO_LONG = bot_marked("the affiliation is longer than {limit} characters, the most allowed")
ALIAS_TOO_LONG = bot_marked("the alias is longer than {limit} characters, the most allowed")


def _within_limit(problem: str, text: str, limit: int) -> str:
    # The text is not repeated in the problem: the sender has it, and the reply would only be as long again.
    if len(text) > limit:
        raise UsageError(problem, limit=limit)
    return text


def _shortened(word: str, limit: int = 40) -> str:
    """A word to quote back in a problem, cut short so that a reply never grows with what was sent."""
    return word if len(word) <= limit else word[: limit - 1] + "…"


def challenge_number(raw: str) -> int:
    words = raw.split()
    if len(words) != 1:
        raise UsageError(bot_marked("expected one challenge number"))
    return _number(words[0])


_MAX_NUMBER_DIGITS = 9


def small_number(word: str) -> int | None:
    """A number of a challenge, theme or dialogue ("3" or "#3"), or None if `word` is not one.

    ASCII digits only, and at most nine: `int()` reads "²" as a digit and refuses it, and refuses strings of more
    than 4,300 digits, with a ValueError that would otherwise end the handler.
    """
    digits = word.removeprefix("#")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > _MAX_NUMBER_DIGITS:
        return None
    return int(digits)


def positive_number(word: str) -> int | None:
    """A number of a challenge, heading or dialogue ("3" or "#3"): numbered from 1, so "#0" is not one either."""
    number = small_number(word)
    return None if number is None or number < 1 else number


def _number(word: str) -> int:
    number = positive_number(word)
    if number is None:
        raise UsageError(bot_marked("'{word}' is not a challenge number"), word=_shortened(word))
    return number


def _title_and_prompt(raw: str) -> tuple[str, str]:
    title, separator, prompt = raw.partition(";")
    if not separator or not title.strip() or not prompt.strip():
        raise UsageError(bot_marked("write the title, then ';', then the prompt"))
    return challenge_text(title, prompt)


def challenge_text(title: str, prompt: str) -> tuple[str, str]:
    """A challenge's title and prompt, normalised and within their limits: one rule for add, edit and import."""
    return (
        _within_limit(TITLE_TOO_LONG, " ".join(title.split()), TITLE_MAX_CHARS),
        _within_limit(PROMPT_TOO_LONG, prompt.strip(), PROMPT_MAX_CHARS),
    )


def title_and_prompt(raw: str) -> tuple[str, str]:
    return _title_and_prompt(raw)


def number_title_and_prompt(raw: str) -> tuple[int, str, str]:
    parts = raw.strip().split(maxsplit=1)
    if len(parts) < 2:
        raise UsageError(bot_marked("write the challenge number, the title, ';', then the prompt"))
    return (_number(parts[0]), *_title_and_prompt(parts[1]))


@dataclass(frozen=True, slots=True)
class RemoveChallenge:
    number: int
    force: bool


def remove_challenge(raw: str) -> RemoveChallenge:
    words = raw.split()
    force = "--force" in words
    rest = [word for word in words if word != "--force"]
    if len(rest) != 1:
        raise UsageError(bot_marked("expected one challenge number"))
    return RemoveChallenge(_number(rest[0]), force)


@dataclass(frozen=True, slots=True)
class RosterEntry:
    user_id: UserId
    affiliation: str
    category: str | None
    aliases: tuple[str, ...] = ()
    """Other ways people write the affiliation ("Tarvania", "RT"): scrubbed like it, never shown."""


def roster_entry(raw: str) -> RosterEntry:
    parts = raw.strip().split(maxsplit=1)
    if len(parts) < 2 or not _USER_ID.match(parts[0]):
        raise UsageError(bot_marked("start with the participant's Matrix ID, e.g. @someone:example.org"))
    names, _, category = parts[1].partition(";")
    affiliation, _, alias_list = names.partition("|")
    if not affiliation.strip():
        raise UsageError(bot_marked("missing affiliation"))
    affiliation = _within_limit(AFFILIATION_TOO_LONG, " ".join(affiliation.split()), AFFILIATION_MAX_CHARS)
    aliases = tuple(_within_limit(ALIAS_TOO_LONG, alias, AFFILIATION_MAX_CHARS) for alias in split_aliases(alias_list))
    return RosterEntry(UserId(parts[0]), affiliation, category.strip() or None, aliases)


def split_aliases(raw: str) -> list[str]:
    """Aliases separated by commas or bars, each with its whitespace collapsed; empty ones dropped."""
    return [" ".join(alias.split()) for alias in re.split(r"[,|]", raw) if alias.strip()]


_MAX_REF_CHARS = 12  # storage.contributions makes references of at most 12 characters


def contribution_ref(raw: str) -> str:
    words = raw.split()
    if len(words) != 1:
        raise UsageError(bot_marked("expected one contribution reference"))
    if len(words[0]) > _MAX_REF_CHARS:
        raise UsageError(bot_marked("a contribution reference has at most {limit} characters"), limit=_MAX_REF_CHARS)
    return words[0].upper()


def optional_confirm(raw: str) -> bool:
    words = [word.casefold() for word in raw.split()]
    if words not in ([], ["confirm"]):
        raise UsageError(bot_marked("the only word allowed after it is 'confirm'"))
    return bool(words)
