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
Each problem is a marked message with its values, read in English (`problems`) or in the reply's language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from handlers.arguments import challenge_text
from handlers.commands import UsageError
from handlers.limits import describe_bytes
from handlers.theme_commands import MAX_HEADINGS, add_arguments
from i18n import bot_marked, bot_text

AGENDA_MAX_BYTES = 64 * 1024
"""An agenda file's ceiling: a concept note's agenda is a few KiB; more is not an outline."""

_TITLE = re.compile(r"^(#+)(?:\s+(.*))?$")
_ITEM = re.compile(r"^[-*+](?:\s+(.*))?$")
_NUMBER = re.compile(r"^\d+[.)]\s+")


@dataclass(frozen=True, slots=True)
class OutlineProblem:
    """One problem: a marked message with `{line}` (0: the file as a whole) and its values. A `problem` value is the
    text of a UsageError from `challenge add` or `theme add`, translated as those commands' own are."""

    line: int
    message: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, language: str | None = None) -> str:
        values = dict(self.values)
        if "problem" in values:
            values["problem"] = bot_text(language, str(values["problem"]))
        return bot_text(language, self.message, line=self.line, **values)


class OutlineRefused(Exception):
    """The outline cannot be imported; `problems` says where and why, one line each (in English)."""

    def __init__(self, found: list[OutlineProblem]) -> None:
        self.found = found
        self.problems = [problem.text() for problem in found]
        super().__init__("; ".join(self.problems))

    def problems_in(self, language: str | None) -> list[str]:
        return [problem.text(language) for problem in self.found]


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
        too_large = bot_marked("the file is larger than {size}, the most an agenda outline may have")
        raise OutlineRefused([OutlineProblem(0, too_large, {"size": describe_bytes(AGENDA_MAX_BYTES)})])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OutlineRefused([OutlineProblem(0, bot_marked("the file is not UTF-8 text"))]) from None
    return parse_agenda_outline(text)


def parse_agenda_outline(text: str) -> list[OutlineChallenge]:
    """The challenges of an outline, in order; raises OutlineRefused naming every problem's line."""
    problems: list[OutlineProblem] = []
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
                problems.append(
                    OutlineProblem(
                        number,
                        bot_marked("line {line}: only “# ” starts a challenge; “{marks}” is not used"),
                        {"marks": title.group(1)},
                    )
                )
                continue
            drafts.append(_Draft(number, _NUMBER.sub("", title.group(2) or "")))
        elif draft is None:
            problems.append(OutlineProblem(number, bot_marked("line {line}: text before the first “# ” title")))
        elif item:
            draft.headings.append((number, item.group(1) or ""))
            continuable = True
        elif continuable and raw[:1].isspace():
            at, heading = draft.headings[-1]
            draft.headings[-1] = (at, f"{heading} {line}")
        elif draft.headings:
            problems.append(
                OutlineProblem(number, bot_marked("line {line}: prompt text after the expected themes; put it first"))
            )
        else:
            draft.prompt_line = draft.prompt_line or number
            draft.prompt.append(line)
    challenges = [_checked(draft, problems) for draft in drafts]
    if not drafts and not problems:
        problems.append(OutlineProblem(0, bot_marked("the outline has no “# ” title")))
    if problems:
        raise OutlineRefused(sorted(problems, key=lambda problem: problem.line))
    return [challenge for challenge in challenges if challenge is not None]


def _checked(draft: _Draft, problems: list[OutlineProblem]) -> OutlineChallenge | None:
    """The draft within the limits of `challenge add` and `theme add`; its problems added to `problems`."""
    ok = True
    title, prompt = draft.title, " ".join(" ".join(draft.prompt).split())
    if not title.strip():
        problems.append(OutlineProblem(draft.line, bot_marked("line {line}: missing title")))
        ok = False
    elif not prompt:
        problems.append(
            OutlineProblem(
                draft.line, bot_marked("line {line}: challenge “{title}” has no prompt"), {"title": _short(title)}
            )
        )
        ok = False
    else:
        # Each part checked on its own (against a placeholder), so that each problem names its own line.
        try:
            title = challenge_text(title, "-")[0]
        except UsageError as problem:
            problems.append(OutlineProblem(draft.line, _USAGE_PROBLEM, {"problem": str(problem)}))
            ok = False
        try:
            prompt = challenge_text("-", prompt)[1]
        except UsageError as problem:
            problems.append(OutlineProblem(draft.prompt_line, _USAGE_PROBLEM, {"problem": str(problem)}))
            ok = False
    headings: list[str] = []
    for position, (at, text) in enumerate(draft.headings, start=1):
        if position > MAX_HEADINGS:
            problems.append(
                OutlineProblem(
                    at,
                    bot_marked(
                        "line {line}: challenge “{title}” has more than {most} expected themes, the most allowed"
                    ),
                    {"title": _short(title), "most": MAX_HEADINGS},
                )
            )
            ok = False
            break
        if not text.strip():
            problems.append(OutlineProblem(at, bot_marked("line {line}: missing heading")))
            ok = False
            continue
        try:
            # The same parser as `theme add <n> <heading>`, so a heading imported obeys exactly its rules.
            headings.append(add_arguments(f"1 {text}").heading)
        except UsageError as problem:
            problems.append(OutlineProblem(at, _USAGE_PROBLEM, {"problem": str(problem)}))
            ok = False
    return OutlineChallenge(title, prompt, tuple(headings)) if ok else None


_USAGE_PROBLEM = bot_marked("line {line}: {problem}")


def _short(text: str, limit: int = 60) -> str:
    """A title quoted back in a problem, cut short so that a reply does not grow with what was sent."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
