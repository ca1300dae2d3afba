"""The draft synopsis as Markdown, and the document outline that the DOCX renderer mirrors.

`outline(synopsis)` builds the document once, as a flat sequence of blocks (title block lines, headings, numbered
paragraphs with bullets); `render_markdown` and `synopsis.render_docx.render_docx` only lay those blocks out, so the
two formats always say the same thing. The shape follows the model document (a UN "synopsis of considerations and
concerns"): paragraphs are numbered continuously through the whole document, bullets inside a paragraph are not.

What is printed: the dialogue's title and period, session count, bands (never exact counts of people), challenge
titles and the secretariat's lead paragraphs, one neutral statement per theme (the secretariat's wording, else its
heading, else the representative contribution in reported form, marked "(machine-drafted)") with its support band
and category phrase, other points, ways forward, the method (which says which statements the secretariat wrote),
and the annex of contributions: per challenge and theme, every contribution it stands for, by reference and as
stored (scrubbed), so the secretariat can check the draft against what was said; when the dialogue has more than one
language, each with its language's code after the reference ("AB12 (fr): …"), unless the detector was unsure.
What is never printed here: machine theme labels (in the JSON, for the moderators), and anything about a person:
references name contributions, not people. Bullets are punctuated as in the model document: a statement's own
closing `.`, `;`, `,` or `:` is dropped (an ellipsis is kept), the band follows in parentheses, and each bullet ends
in ";", the last in ".".

Participants' text (and anything else that comes from the synopsis, such as titles) is untrusted. Before escaping,
it is put on one line: runs of whitespace, line breaks included, become one space and control characters are
dropped, so no text can start a new Markdown block. Then, in Markdown:

- at the start of the text, characters that would open a block are escaped: `#`, `>`, `-`, `+`, `*`, `=`, `|`,
  `[` (a link reference definition or a task-list box), and digits followed by `.` or `)` (an ordered list);
- everywhere: backslash, `*`, `_`, backtick, `~`, `<` (so no emphasis, code, strikethrough, HTML or autolink), and
  `#` at the start or after a space (a heading, or an ATX closing sequence that would eat the end of a title), and
  `&` when it would start a character reference such as `&lt;`;
- `]` only when followed by `(`, `[` or `:`, which is what a link, an image, a reference link or a definition needs.
  A lone `[` elsewhere is left alone, so scrubbed placeholders such as "[participant]" stay readable, and
  `[x](http://evil)` prints as `[x\\](http://evil)`: text, not a link.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .consensus import RULE_TEXT
from .model import FROM_HEADING, ChallengeSection, Synopsis, Theme

NOTICE = "Draft synopsis, prepared under the Chatham House Rule"
DRAFT_NOTE = "Draft — not for circulation without review by the Implementation Support Unit."
WAYS_FORWARD_PLACEHOLDER = "[To be completed by the Implementation Support Unit.]"
NO_CONTRIBUTIONS = "No contributions were recorded on this challenge."
PARTICIPATION_BELOW_THRESHOLD = "Participation is not reported below the reporting threshold."
EXCLUSIONS_NOT_COUNTED = "Contributions excluded by the moderators are not counted here."
SCRUBBED_COUNTED = (
    " contributions named a participant or an affiliation; the names were replaced with [participant] or "
    "[affiliation] before they were stored."
)
SCRUBBED_NOT_COUNTED = (
    "Names of participants and affiliations were replaced with [participant] and [affiliation] before contributions "
    "were stored; how many contributions had one is not reported below the reporting threshold."
)
NO_ATTRIBUTION = (
    "Contributions were recorded without names; this document attributes nothing to any participant or affiliation."
)

HEADING_INTRODUCTION = "I. Introduction"
HEADING_SYNOPSIS = "II. Synopsis of considerations and concerns"
HEADING_WAYS_FORWARD = "III. Suggested ways forward"
HEADING_ANNEX = "Annex: Method"
HEADING_CONSENSUS = "Annex: Consensus round"
CONSENSUS_NOT_REPORTED = "no theme is marked: too few participants answered, or the round is still open."
HEADING_CONTRIBUTIONS = "Annex: Contributions by theme"
MACHINE_DRAFTED = "(machine-drafted)"
MACHINE_DRAFTED_NOTE = (
    "Statements marked (machine-drafted) are the theme's most representative contribution, with its first person "
    "(“we”, “our”, “I”) rewritten in reported form by fixed rules; a sentence the rules could not rewrite safely is "
    "kept as written. Statements under a heading of the secretariat are that heading."
)
NOTHING_EDITED = "No statement was written or edited by the secretariat."
EDITED_INTRODUCTION = "The secretariat wrote or edited the following statements:"
CONTRIBUTIONS_INTRODUCTION = (
    "Every contribution the synopsis draws on is listed below under the theme it was placed in, by its reference "
    "and as stored, with names and affiliations already replaced, so that the draft can be checked against what "
    "was said. Contributions excluded by the moderators or withdrawn by their authors are not listed; a "
    "contribution about as close to two headings is listed under both."
)

# ---------------------------------------------------------------- text from the synopsis


class Theirs(str):
    """Text that came from the synopsis (participants, convenors, the compiler): escaped by every renderer."""

    __slots__ = ()


class Note(str):
    """The renderer's own words, set apart: emphasised in Markdown, italic in DOCX (the machine-drafted flag)."""

    __slots__ = ()


Text = tuple[str, ...]
"""A run of text: plain `str` parts are the renderer's own words, `Theirs` parts are escaped."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_WHITESPACE = re.compile(r"\s+")


def one_line(text: str) -> str:
    """Collapse all whitespace (line breaks included) to single spaces; drop control characters, lone surrogates
    and the non-characters U+FFFE/U+FFFF (none can be written to UTF-8 text or to Word's XML)."""
    text = unicodedata.normalize("NFC", text)
    return _WHITESPACE.sub(" ", _CONTROL.sub("", text)).strip()


def theirs(text: str) -> Theirs:
    return Theirs(one_line(text))


def plain(text: Text) -> str:
    """The text as it reads, without any markup (for DOCX)."""
    return "".join(text)


# ---------------------------------------------------------------- blocks


@dataclass(frozen=True, slots=True)
class TitleLine:
    text: Text
    style: str  # "title", "plain", "bold" or "italic"


@dataclass(frozen=True, slots=True)
class Heading:
    text: Text
    level: int  # 1: a part of the document, 2: a challenge


@dataclass(frozen=True, slots=True)
class Paragraph:
    number: int
    text: Text
    bullets: tuple[Text, ...] = ()


Block = TitleLine | Heading | Paragraph


def _sentence_start(band: str) -> str:
    return band[:1].upper() + band[1:]


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _sessions(count: int) -> str:
    word = _NUMBER_WORDS[count] if 0 <= count < len(_NUMBER_WORDS) else str(count)
    return f"{word} session" if count == 1 else f"{word} sessions"


_TRAILING_PUNCTUATION = ".;,:"


def _without_trailing_punctuation(text: str) -> str:
    # A plain scan from the end: the regular expression "[.;,:\s]+$" is tried from every position of a run of
    # such characters inside the text, which takes quadratic time on a long run that does not end it.
    end = len(text)
    while end and (text[end - 1] in _TRAILING_PUNCTUATION or text[end - 1].isspace()):
        end -= 1
    return text[:end]


def _item(text: str, annotation: str | None = None) -> Text:
    """A bullet's text without its closing punctuation (the list adds it), plus an optional annotation."""
    body = one_line(text)
    if not body.endswith("..."):
        body = _without_trailing_punctuation(body)
    if annotation:
        return (Theirs(body), " (", Theirs(annotation), ")")
    return (Theirs(body),)


def _punctuate(items: Iterable[Text]) -> tuple[Text, ...]:
    """Close bullets as the model document does: ";" after each, "." after the last."""
    listed = list(items)
    return tuple((*item, "." if index == len(listed) - 1 else ";") for index, item in enumerate(listed))


def _theme_annotation(theme: Theme) -> str | None:
    support = f"supported by {one_line(theme.support_band)} participants" if theme.support_band else None
    category = one_line(theme.category_phrase) if theme.category_phrase else None
    return ", ".join(part for part in (support, category) if part) or None


def _theme_item(theme: Theme) -> Text:
    # A theme under one of the secretariat's headings says which: "Heading: statement (band)", or just the heading
    # when that is its statement.
    if not theme.wording:  # a Theme built without the wording pass (synopsis/wording.py)
        item = _item(theme.statement, _theme_annotation(theme))
    else:
        item = _flagged(_item(theme.wording, _theme_annotation(theme)), theme.machine_drafted)
        if theme.wording_source == FROM_HEADING:
            return item
    if theme.heading is None:
        return item
    return (Theirs(_without_trailing_punctuation(one_line(theme.heading))), ": ", *item)


def _flagged(item: Text, machine_drafted: bool) -> Text:
    return (*item, " ", Note(MACHINE_DRAFTED)) if machine_drafted else item


def _point_item(statement: str, wording: str, machine_drafted: bool) -> Text:
    return _flagged(_item(wording), machine_drafted) if wording else _item(statement)


def _challenge_name(section: ChallengeSection) -> Text:
    return (f"Challenge {section.number}: ", theirs(section.title))


class _Numbering:
    def __init__(self) -> None:
        self.last = 0

    def __call__(self, text: Text, bullets: Iterable[Text] = ()) -> Paragraph:
        self.last += 1
        return Paragraph(self.last, text, tuple(bullets))


def _title_block(synopsis: Synopsis) -> list[Block]:
    blocks: list[Block] = [TitleLine((theirs(synopsis.title),), "title")]
    if one_line(synopsis.period):
        blocks.append(TitleLine((theirs(synopsis.period),), "plain"))
    blocks.append(TitleLine((NOTICE,), "bold"))
    blocks.append(TitleLine((DRAFT_NOTE,), "italic"))
    return blocks


def _introduction(synopsis: Synopsis, para: _Numbering) -> list[Block]:
    title = theirs(synopsis.title)
    period = one_line(synopsis.period)
    when = (" (", Theirs(period), ")") if period else ()
    if synopsis.session_count > 0:
        held: Text = (
            "The stakeholder dialogue “",
            title,
            f"” was held over {_sessions(synopsis.session_count)}",
            *when,
        )
    else:
        held = ("No sessions of the stakeholder dialogue “", title, "” were recorded", *when)
    blocks: list[Block] = [
        Heading((HEADING_INTRODUCTION,), 1),
        para(
            (
                *held,
                ". It was conducted under the Chatham House Rule: participants were free to use the information "
                "received, but neither the identity nor the affiliation of any speaker, nor that of any other "
                "participant, may be revealed.",
            )
        ),
    ]
    if synopsis.sections:
        blocks.append(
            para(
                ("The dialogue considered the following challenges:",),
                _punctuate(_challenge_name(section) for section in synopsis.sections),
            )
        )
    else:
        blocks.append(para(("No challenges were recorded for this dialogue.",)))
    if synopsis.participation_band:
        band = _sentence_start(one_line(synopsis.participation_band))
        blocks.append(para((Theirs(band), " participants contributed to the dialogue.")))
    else:
        blocks.append(para((PARTICIPATION_BELOW_THRESHOLD,)))
    return blocks


def _section(section: ChallengeSection, para: _Numbering) -> list[Block]:
    blocks: list[Block] = [Heading(_challenge_name(section), 2)]
    if section.lead and one_line(section.lead):
        blocks.append(para((theirs(section.lead),)))
    title = theirs(section.title)
    others = _punctuate(
        _point_item(point.statement, point.wording, point.machine_drafted) for point in section.other_points
    )
    if section.themes:
        blocks.append(
            para(
                ("The dialogue expressed the following considerations and concerns on ", title, ":"),
                _punctuate(_theme_item(theme) for theme in section.themes),
            )
        )
        if others:
            blocks.append(para(("Other points raised:",), others))
    elif others:
        blocks.append(para(("Other points raised on ", title, ":"), others))
    else:
        blocks.append(para((NO_CONTRIBUTIONS,)))
    return blocks


def _ways_forward(synopsis: Synopsis, para: _Numbering) -> list[Block]:
    blocks: list[Block] = [Heading((HEADING_WAYS_FORWARD,), 1)]
    if not synopsis.ways_forward:
        blocks.append(para((WAYS_FORWARD_PLACEHOLDER,)))
        return blocks
    by_number = {section.number: section for section in synopsis.sections}
    known = [section.number for section in synopsis.sections]
    unknown = sorted({way.challenge_number for way in synopsis.ways_forward} - set(known))
    for number in (*known, *unknown):
        ways = [way for way in synopsis.ways_forward if way.challenge_number == number]
        if not ways:
            continue
        section = by_number.get(number)
        name = _challenge_name(section) if section else (f"Challenge {number}",)
        blocks.append(
            para(
                ("On ", *name, ", the following ways forward were suggested:"),
                _punctuate(_point_item(way.statement, way.wording, way.machine_drafted) for way in ways),
            )
        )
    return blocks


def _annex(synopsis: Synopsis, para: _Numbering) -> list[Block]:
    method = synopsis.method
    blocks: list[Block] = [Heading((HEADING_ANNEX,), 1)]
    if one_line(method.grouping):
        blocks.append(para((theirs(method.grouping),)))
    blocks.append(
        para(
            (
                f"Counts and stakeholder categories are shown only when at least {method.k} distinct participants "
                "stand behind them, and then as bands: a few, several, many. Apart from the number of sessions, "
                "which follows from the published schedule, no exact number of participants or contributions is "
                "given, not even for the whole dialogue: a participant who knows how many contributions they made "
                "could learn from an exact figure what others did. The annex of contributions lists the "
                "contributions themselves, so that the draft can be checked, but never who made or supported one, "
                "nor how many people stand behind a theme.",
            )
        )
    )
    if method.contribution_count_band:
        counted: Text = ("In all, ", theirs(method.contribution_count_band), " contributions were recorded.")
    else:
        counted = ("The number of contributions is not reported below the reporting threshold.",)
    if method.excluded_count_band:
        band = _sentence_start(one_line(method.excluded_count_band))
        excluded: Text = (Theirs(band), " contributions were excluded by the moderators and are not reflected here.")
    else:
        excluded = (EXCLUSIONS_NOT_COUNTED,)
    blocks.append(para((*counted, " ", *excluded)))
    if method.scrubbed_count_band:
        band = _sentence_start(one_line(method.scrubbed_count_band))
        scrubbed: Text = (Theirs(band), SCRUBBED_COUNTED)
    else:
        scrubbed = (SCRUBBED_NOT_COUNTED,)
    blocks.append(para(scrubbed))
    blocks.append(para((NO_ATTRIBUTION,)))
    blocks.append(para((MACHINE_DRAFTED_NOTE,)))
    if method.edited:
        blocks.append(para((EDITED_INTRODUCTION,), _punctuate((theirs(what),) for what in method.edited)))
    else:
        blocks.append(para((NOTHING_EDITED,)))
    return blocks


def _contributions_annex(synopsis: Synopsis, para: _Numbering) -> list[Block]:
    """Per challenge and theme, every contribution it stands for: what the secretariat checks the draft against."""
    blocks: list[Block] = [Heading((HEADING_CONTRIBUTIONS,), 1), para((CONTRIBUTIONS_INTRODUCTION,))]
    for section in synopsis.sections:
        if not section.themes and not section.other_points:
            continue
        blocks.append(Heading(_challenge_name(section), 2))
        for theme in section.themes:
            blocks.append(
                para(
                    (f"Theme {theme.number}: ", theirs(theme.wording or theme.statement)),
                    tuple(
                        (theirs(entry.ref), *_language(synopsis, entry.language), ": ", theirs(entry.text))
                        for entry in theme.contributions
                    ),
                )
            )
        if section.other_points:
            blocks.append(
                para(
                    ("Other points raised:",),
                    tuple(
                        (
                            theirs(", ".join(point.refs)),
                            *_language(synopsis, point.language),
                            ": ",
                            theirs(point.statement),
                        )
                        for point in section.other_points
                    ),
                )
            )
    return blocks


def _language(synopsis: Synopsis, language: str | None) -> Text:
    """ " (fr)" after a reference, when the dialogue has more than one language and this one is known: a code rather
    than a name, so it reads the same whatever language the document is in."""
    if not synopsis.multilingual or language is None:
        return ()
    return (" (", theirs(language), ")")


def outline(synopsis: Synopsis) -> tuple[Block, ...]:
    """The whole document as blocks, paragraphs numbered continuously from 1."""
    para = _Numbering()
    blocks = _title_block(synopsis)
    blocks += _introduction(synopsis, para)
    blocks.append(Heading((HEADING_SYNOPSIS,), 1))
    for section in synopsis.sections:
        blocks += _section(section, para)
    blocks += _ways_forward(synopsis, para)
    blocks += _annex(synopsis, para)
    blocks += _contributions_annex(synopsis, para)
    blocks += _consensus_blocks(synopsis, para)
    return tuple(blocks)


def _consensus_blocks(synopsis: Synopsis, para: _Numbering) -> list[Block]:
    """Consensus rounds (synopsis.consensus), after the annex so the numbering of the rest never moves: each theme
    statement with its mark and the band of people who answered, and the rule the marks follow."""
    if not synopsis.consensus:
        return []
    blocks: list[Block] = [Heading((HEADING_CONSENSUS,), 1)]
    for result in synopsis.consensus:
        items = []
        for mark in result.marks:
            if mark.mark is None:
                continue
            detail = f"{mark.mark}; answered by {mark.voter_band} participants"
            if mark.by_category:
                detail += "; " + ", ".join(f"{part.category}: {part.mark}" for part in mark.by_category)
            items.append(_item(mark.statement, detail))
        if items:
            blocks.append(
                para(
                    (f"On challenge {result.challenge_number}, participants answered its theme statements:",),
                    _punctuate(items),
                )
            )
        else:
            blocks.append(para((f"On challenge {result.challenge_number}, {CONSENSUS_NOT_REPORTED}",)))
    blocks.append(para((theirs(RULE_TEXT.format(k=synopsis.method.k)),)))
    return blocks


# ---------------------------------------------------------------- Markdown

_INLINE = re.compile(r"[\\*_`~<]|(?<!\S)#|\](?=[(\[:])|&(?=#?[A-Za-z0-9]+;)")
_BLOCK_START = re.compile(r"^(?:[#>+*=|\[-]|\d+(?=[.)]))")


def escape_markdown(text: str, *, line_start: bool = True) -> str:
    """Escape untrusted one-line text so it can only ever render as text (rules in the module docstring).

    `line_start=False` is for text that follows the renderer's own words on the same line, where block syntax
    cannot take effect; it only spares those texts a needless backslash.
    """
    text = _INLINE.sub(lambda match: "\\" + match.group(0), text)
    match = _BLOCK_START.match(text) if line_start else None
    if match:
        start = match.group(0)
        # "2026." → "2026\." ; "#", "-", … → "\#", "\-", …
        text = f"{start}\\{text[len(start) :]}" if start[0].isdigit() else f"\\{text}"
    return text


def _markdown(text: Text) -> str:
    out: list[str] = []
    for part in text:
        if isinstance(part, Theirs):
            out.append(escape_markdown(part, line_start=not "".join(out)))
        elif isinstance(part, Note):
            out.append(f"*{part}*")
        else:
            out.append(part)
    return "".join(out)


_TITLE_STYLES = {"title": "# {}", "plain": "{}", "bold": "**{}**", "italic": "*{}*"}


def render_markdown(synopsis: Synopsis) -> str:
    """Render the draft synopsis as CommonMark; the same synopsis always gives the same text."""
    chunks: list[str] = []
    for block in outline(synopsis):
        if isinstance(block, TitleLine):
            chunks.append(_TITLE_STYLES[block.style].format(_markdown(block.text)))
        elif isinstance(block, Heading):
            chunks.append(f"{'#' * (block.level + 1)} {_markdown(block.text)}")
        else:
            marker = f"{block.number}. "
            lines = [marker + _markdown(block.text)]
            if block.bullets:
                lines.append("")
                lines += [" " * len(marker) + "- " + _markdown(bullet) for bullet in block.bullets]
            chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + "\n"
