"""Argument parsers for commands. Each raises UsageError with what is wrong, so the reply can say it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.commands import UsageError

_USER_ID = re.compile(r"^@[^\s:]+:[A-Za-z0-9.\-\[\]:]+$")


def required_text(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise UsageError("missing text")
    return text


def challenge_number(raw: str) -> int:
    words = raw.split()
    if len(words) != 1:
        raise UsageError("expected one challenge number")
    return _number(words[0])


def _number(word: str) -> int:
    digits = word.removeprefix("#")
    if not digits.isdigit() or int(digits) < 1:
        raise UsageError(f"'{word}' is not a challenge number")
    return int(digits)


def _title_and_prompt(raw: str) -> tuple[str, str]:
    title, separator, prompt = raw.partition(";")
    if not separator or not title.strip() or not prompt.strip():
        raise UsageError("write the title, then ';', then the prompt")
    return " ".join(title.split()), prompt.strip()


def title_and_prompt(raw: str) -> tuple[str, str]:
    return _title_and_prompt(raw)


def number_title_and_prompt(raw: str) -> tuple[int, str, str]:
    parts = raw.strip().split(maxsplit=1)
    if len(parts) < 2:
        raise UsageError("write the challenge number, the title, ';', then the prompt")
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
        raise UsageError("expected one challenge number")
    return RemoveChallenge(_number(rest[0]), force)


@dataclass(frozen=True, slots=True)
class RosterEntry:
    user_id: str
    affiliation: str
    category: str | None


def roster_entry(raw: str) -> RosterEntry:
    parts = raw.strip().split(maxsplit=1)
    if len(parts) < 2 or not _USER_ID.match(parts[0]):
        raise UsageError("start with the participant's Matrix ID, e.g. @someone:example.org")
    affiliation, _, category = parts[1].partition(";")
    if not affiliation.strip():
        raise UsageError("missing affiliation")
    return RosterEntry(parts[0], " ".join(affiliation.split()), category.strip() or None)


def contribution_ref(raw: str) -> str:
    words = raw.split()
    if len(words) != 1:
        raise UsageError("expected one contribution reference")
    return words[0].upper()


def optional_confirm(raw: str) -> bool:
    words = [word.casefold() for word in raw.split()]
    if words not in ([], ["confirm"]):
        raise UsageError("the only word allowed after it is 'confirm'")
    return bool(words)
