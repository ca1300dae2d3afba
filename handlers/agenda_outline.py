"""Reading an agenda from the small Markdown outline a secretariat writes by hand.

    # New use and transfers of cluster munitions
    How should States parties respond to new use and transfers?
    - Condemnation of every new use

A `# ` line starts a challenge (a leading `1.` or `1)` is dropped: the bot numbers challenges itself); the lines
after it, up to the first list item, are its prompt, joined into one paragraph; `- `, `* ` or `+ ` lines are its
expected themes, and an indented line right after one continues it (a wrapped line). Blank lines separate nothing and
are ignored. A challenge without a prompt is refused rather than given its title as prompt: the prompt is what
participants are asked in the thread, and a title alone rarely reads as a question.

The limits are those of `challenge add` and `theme add`, checked by the same functions. Parsing is pure and reports
every problem with its line number (line 1 is the outline's first line), so that the whole import can be refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handlers.arguments import challenge_text
from handlers.commands import UsageError
from handlers.limits import describe_bytes
from handlers.theme_commands import MAX_HEADINGS, add_arguments

AGENDA_MAX_BYTES = 64 * 1024
"""An agenda file's ceiling: a concept note's agenda is a few KiB; more is not an outline."""

_TITLE = re.compile(r"^(#+)(?:\s+(.*))?$")
_ITEM = re.compile(r"^[-*+](?:\s+(.*))?$")
_NUMBER = re.compile(r"^\d+[.)]\s+")


class OutlineRefused(Exception):
    """The outline cannot be imported; `problems` says where and why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class OutlineChallenge:
    title: str
    prompt: str
    headings: tuple[str, ...] = ()


@dataclass
class _Draft:
    line: int
    title: str
    prompt_line: int = 0
    prompt: list[str] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)


def parse_agenda_bytes(data: bytes) -> list[OutlineChallenge]:
    """An uploaded outline file: size-capped, UTF-8 (a byte order mark is allowed)."""
    if len(data) > AGENDA_MAX_BYTES:
        raise OutlineRefused(
            [f"the file is larger than {describe_bytes(AGENDA_MAX_BYTES)}, the most an agenda outline may have"]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OutlineRefused(["the file is not UTF-8 text"]) from None
    return parse_agenda_outline(text)


def parse_agenda_outline(text: str) -> list[OutlineChallenge]:
    """The challenges of an outline, in order; raises OutlineRefused naming every problem's line."""
    problems: list[str] = []
    drafts: list[_Draft] = []
    continuable = False  # whether an indented line now continues the last heading
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        draft = drafts[-1] if drafts else None
        title = _TITLE.match(line)
        item = _ITEM.match(line)
        if title:
            continuable = False
            if len(title.group(1)) > 1:
                problems.append(f"line {number}: only “# ” starts a challenge; “{title.group(1)}” is not used")
                continue
            drafts.append(_Draft(number, _NUMBER.sub("", title.group(2) or "")))
        elif draft is None:
            problems.append(f"line {number}: text before the first “# ” title")
        elif item:
            draft.headings.append((number, item.group(1) or ""))
            continuable = True
        elif continuable and raw[:1].isspace():
            at, heading = draft.headings[-1]
            draft.headings[-1] = (at, f"{heading} {line}")
        elif draft.headings:
            problems.append(f"line {number}: prompt text after the expected themes; put it first")
        else:
            draft.prompt_line = draft.prompt_line or number
            draft.prompt.append(line)
    challenges = [_checked(draft, problems) for draft in drafts]
    if not drafts and not problems:
        problems.append("the outline has no “# ” title")
    if problems:
        raise OutlineRefused(sorted(problems, key=_line_of))
    return [challenge for challenge in challenges if challenge is not None]


def _checked(draft: _Draft, problems: list[str]) -> OutlineChallenge | None:
    """The draft within the limits of `challenge add` and `theme add`; its problems added to `problems`."""
    ok = True
    title, prompt = draft.title, " ".join(" ".join(draft.prompt).split())
    if not title.strip():
        problems.append(f"line {draft.line}: missing title")
        ok = False
    elif not prompt:
        problems.append(f"line {draft.line}: challenge “{_short(title)}” has no prompt")
        ok = False
    else:
        # Each part checked on its own (against a placeholder), so that each problem names its own line.
        try:
            title = challenge_text(title, "-")[0]
        except UsageError as problem:
            problems.append(f"line {draft.line}: {problem}")
            ok = False
        try:
            prompt = challenge_text("-", prompt)[1]
        except UsageError as problem:
            problems.append(f"line {draft.prompt_line}: {problem}")
            ok = False
    headings: list[str] = []
    for position, (at, text) in enumerate(draft.headings, start=1):
        if position > MAX_HEADINGS:
            problems.append(
                f"line {at}: challenge “{_short(title)}” has more than {MAX_HEADINGS} expected themes, the most allowed"
            )
            ok = False
            break
        if not text.strip():
            problems.append(f"line {at}: missing heading")
            ok = False
            continue
        try:
            # The same parser as `theme add <n> <heading>`, so a heading imported obeys exactly its rules.
            headings.append(add_arguments(f"1 {text}").heading)
        except UsageError as problem:
            problems.append(f"line {at}: {problem}")
            ok = False
    return OutlineChallenge(title, prompt, tuple(headings)) if ok else None


def _line_of(problem: str) -> int:
    match = re.match(r"line (\d+):", problem)
    return int(match.group(1)) if match else 0


def _short(text: str, limit: int = 60) -> str:
    """A title quoted back in a problem, cut short so that a reply does not grow with what was sent."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
