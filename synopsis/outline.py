"""The document outline of the draft synopsis, format-neutral: what the Markdown, DOCX and web renderers lay out.

`outline(synopsis)` builds the document once, as a flat sequence of blocks (title block lines, headings, numbered
paragraphs with bullets); `synopsis.render_markdown`, `synopsis.render_docx` and the web view only lay those blocks
out, so the formats always say the same thing. The shape follows the model document (a UN "synopsis of
considerations and concerns"): paragraphs are numbered continuously through the whole document, bullets inside a
paragraph are not.

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

Language. Every word the renderer writes is in the synopsis's language (`Synopsis.language`: English, French or
Spanish), from the ``document`` catalogue (i18n): each sentence is one message with named placeholders, translated
whole and then split at its placeholders (`_say`), so text from the synopsis keeps its escaping wherever a translator
put it; a sentence that changes with a band has one message per band. Contributions, titles and the secretariat's
words are printed as written, in whatever language they are in.

Participants' text (and anything else that comes from the synopsis, such as titles) is untrusted: it is carried as
`Theirs` and put on one line (`one_line`: runs of whitespace, line breaks included, become one space and control
characters are dropped), so no text can start a new block; each renderer escapes it for its format.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from i18n import document_marked, document_text, document_text_plural
from privacy.bands import A_FEW, MANY, SEVERAL

from .consensus import RULE_TEXT
from .document_locale import format_day, format_number
from .model import FROM_HEADING, ChallengeSection, Synopsis, Theme

# The document's own words, marked for the ``document`` catalogue (i18n) and written in the synopsis's language by
# `_say`. Each is a whole sentence (or heading) with named placeholders; where a band changes the sentence, each
# band has its own, so that a translator can make the words agree ("plusieurs contributions", "varias").
NOTICE = document_marked("Draft synopsis, prepared under the Chatham House Rule")
DRAFT_NOTE = document_marked("Draft — not for circulation without review by the Implementation Support Unit.")
WAYS_FORWARD_PLACEHOLDER = document_marked("[To be completed by the Implementation Support Unit.]")
NO_CONTRIBUTIONS = document_marked("No contributions were recorded on this challenge.")
PARTICIPATION_BELOW_THRESHOLD = document_marked("Participation is not reported below the reporting threshold.")
EXCLUSIONS_NOT_COUNTED = document_marked("Contributions excluded by the moderators are not counted here.")
SCRUBBED_NOT_COUNTED = document_marked(
    "Names of participants and affiliations were replaced with [participant] and [affiliation] before contributions "
    "were stored; how many contributions had one is not reported below the reporting threshold."
)
NO_ATTRIBUTION = document_marked(
    "Contributions were recorded without names; this document attributes nothing to any participant or affiliation."
)
CHATHAM_HOUSE = document_marked(
    "It was conducted under the Chatham House Rule: participants were free to use the information received, but "
    "neither the identity nor the affiliation of any speaker, nor that of any other participant, may be revealed."
)
CHALLENGES_CONSIDERED = document_marked("The dialogue considered the following challenges:")
NO_CHALLENGES = document_marked("No challenges were recorded for this dialogue.")
CHALLENGE_NAME = document_marked("Challenge {number}: {title}")
CONSIDERATIONS = document_marked("The dialogue expressed the following considerations and concerns on {title}:")
OTHER_POINTS = document_marked("Other points raised:")
OTHER_POINTS_ON = document_marked("Other points raised on {title}:")
UNDER_HEADING = document_marked("{heading}: {statement}")
WAYS_FORWARD_ON = document_marked("On Challenge {number}: {title}, the following ways forward were suggested:")
WAYS_FORWARD_ON_NUMBER = document_marked("On Challenge {number}, the following ways forward were suggested:")
BANDS_EXPLAINED = document_marked(
    "Counts and stakeholder categories are shown only when at least {k} distinct participants stand behind them, "
    "and then as bands: a few, several, many. Apart from the number of sessions, which follows from the published "
    "schedule, no exact number of participants or contributions is given, not even for the whole dialogue: a "
    "participant who knows how many contributions they made could learn from an exact figure what others did. The "
    "annex of contributions lists the contributions themselves, so that the draft can be checked, but never who "
    "made or supported one, nor how many people stand behind a theme."
)
COUNT_NOT_REPORTED = document_marked("The number of contributions is not reported below the reporting threshold.")
THEME_IN_ANNEX = document_marked("Theme {number}: {statement}")
CONSENSUS_ANSWERED = document_marked("On challenge {number}, participants answered its theme statements:")
CONSENSUS_NOT_REPORTED = document_marked(
    "On challenge {number}, no theme is marked: too few participants answered, or the round is still open."
)
CATEGORY_MARK = document_marked("{category}: {mark}")
SESSION_NUMBER_WORDS = document_marked("no, one, two, three, four, five, six, seven, eight, nine, ten")
"""The number of sessions from 0 to 10 in words, comma-separated (French and Spanish: feminine, for "séance" and
"sesión"); larger numbers are written in figures."""

HEADING_INTRODUCTION = document_marked("I. Introduction")
HEADING_SYNOPSIS = document_marked("II. Synopsis of considerations and concerns")
HEADING_WAYS_FORWARD = document_marked("III. Suggested ways forward")
HEADING_ANNEX = document_marked("Annex: Method")
HEADING_CONSENSUS = document_marked("Annex: Consensus round")
HEADING_CONTRIBUTIONS = document_marked("Annex: Contributions by theme")
HEADING_PARTICIPATION = document_marked("Annex: Participation")
PARTICIPATION_BY_CHALLENGE = document_marked(
    "Contributions per challenge, as bands, shown only where at least {k} distinct participants contributed:"
)
CHALLENGE_NOT_REPORTED = document_marked("Challenge {number}: not reported")
PARTICIPATION_BY_DAY = document_marked(
    "Contributions per day, as bands; a day on which fewer than {k} distinct participants contributed is not shown:"
)
NO_DAY_SHOWN = document_marked("No day is shown: on each, fewer than {k} distinct participants contributed.")
MACHINE_DRAFTED = document_marked("(machine-drafted)")
MACHINE_DRAFTED_NOTE = document_marked(
    "Statements marked (machine-drafted) are the theme's most representative contribution, with its first person "
    "(“we”, “our”, “I”) rewritten in reported form by fixed rules; a sentence the rules could not rewrite safely is "
    "kept as written. Statements under a heading of the secretariat are that heading."
)
NOTHING_EDITED = document_marked("No statement was written or edited by the secretariat.")
EDITED_INTRODUCTION = document_marked("The secretariat wrote or edited the following statements:")
CONTRIBUTIONS_INTRODUCTION = document_marked(
    "Every contribution the synopsis draws on is listed below under the theme it was placed in, by its reference "
    "and as stored, with names and affiliations already replaced, so that the draft can be checked against what "
    "was said. Contributions excluded by the moderators or withdrawn by their authors are not listed; a "
    "contribution about as close to two headings is listed under both."
)

Banded = Mapping[str, str]
"""One sentence per band (privacy.bands), chosen by the band a count falls in."""

CHALLENGE_CONTRIBUTIONS: Banded = {
    A_FEW: document_marked("Challenge {number}: a few contributions"),
    SEVERAL: document_marked("Challenge {number}: several contributions"),
    MANY: document_marked("Challenge {number}: many contributions"),
}
DAY_CONTRIBUTIONS: Banded = {
    A_FEW: document_marked("{day}: a few contributions"),
    SEVERAL: document_marked("{day}: several contributions"),
    MANY: document_marked("{day}: many contributions"),
}

PARTICIPATION: Banded = {
    A_FEW: document_marked("A few participants contributed to the dialogue."),
    SEVERAL: document_marked("Several participants contributed to the dialogue."),
    MANY: document_marked("Many participants contributed to the dialogue."),
}
SUPPORTED: Banded = {
    A_FEW: document_marked("supported by a few participants"),
    SEVERAL: document_marked("supported by several participants"),
    MANY: document_marked("supported by many participants"),
}
SUPPORTED_INCLUDING: Banded = {
    A_FEW: document_marked("supported by a few participants, {categories}"),
    SEVERAL: document_marked("supported by several participants, {categories}"),
    MANY: document_marked("supported by many participants, {categories}"),
}
CONTRIBUTIONS_COUNTED: Banded = {
    A_FEW: document_marked("In all, a few contributions were recorded."),
    SEVERAL: document_marked("In all, several contributions were recorded."),
    MANY: document_marked("In all, many contributions were recorded."),
}
EXCLUDED: Banded = {
    A_FEW: document_marked("A few contributions were excluded by the moderators and are not reflected here."),
    SEVERAL: document_marked("Several contributions were excluded by the moderators and are not reflected here."),
    MANY: document_marked("Many contributions were excluded by the moderators and are not reflected here."),
}
SCRUBBED: Banded = {
    A_FEW: document_marked(
        "A few contributions named a participant or an affiliation; the names were replaced with [participant] or "
        "[affiliation] before they were stored."
    ),
    SEVERAL: document_marked(
        "Several contributions named a participant or an affiliation; the names were replaced with [participant] "
        "or [affiliation] before they were stored."
    ),
    MANY: document_marked(
        "Many contributions named a participant or an affiliation; the names were replaced with [participant] or "
        "[affiliation] before they were stored."
    ),
}
ANSWERED: Banded = {
    A_FEW: document_marked("{mark}; answered by a few participants"),
    SEVERAL: document_marked("{mark}; answered by several participants"),
    MANY: document_marked("{mark}; answered by many participants"),
}

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


def _say(language: str, message: str, /, **values: str | Text) -> Text:
    """`message` in `language` as a run of text: its words are the renderer's own, each placeholder holds its value
    as given (a `Theirs` value is escaped by the renderer, a `Text` is spliced in as it is)."""
    return _spliced(document_text(language, message), values)


def _spliced(template: str, values: Mapping[str, str | Text]) -> Text:
    # The translated template is split at its placeholders rather than filled with str.format, so that text from
    # the synopsis keeps its `Theirs` mark (and its escaping) wherever the translator moved it.
    parts: list[str] = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if field is not None:
            value = values[field]
            parts.extend(value if isinstance(value, tuple) else (value,))
    return tuple(parts)


def _banded(language: str, sentences: Banded, band: str, /, **values: str | Text) -> Text:
    """The sentence for `band` (one of privacy.bands' bands), in `language`."""
    return _say(language, sentences[band], **values)


def _words(language: str, message: str) -> str:
    """One of the renderer's own words or phrases in `language` (a mark, a band, a heading), without placeholders."""
    return document_text(language, message)


def _sessions(count: int, language: str) -> str:
    words = [word.strip() for word in document_text(language, SESSION_NUMBER_WORDS).split(",")]
    return words[count] if 0 <= count < len(words) else format_number(count, language)


_TRAILING_PUNCTUATION = ".;,:"


def _without_trailing_punctuation(text: str) -> str:
    # A plain scan from the end: the regular expression "[.;,:\s]+$" is tried from every position of a run of
    # such characters inside the text, which takes quadratic time on a long run that does not end it.
    end = len(text)
    while end and (text[end - 1] in _TRAILING_PUNCTUATION or text[end - 1].isspace()):
        end -= 1
    return text[:end]


def _item(text: str, annotation: Text = ()) -> Text:
    """A bullet's text without its closing punctuation (the list adds it), plus an optional annotation."""
    body = one_line(text)
    if not body.endswith("..."):
        body = _without_trailing_punctuation(body)
    if annotation:
        return (Theirs(body), " (", *annotation, ")")
    return (Theirs(body),)


def _punctuate(items: Iterable[Text]) -> tuple[Text, ...]:
    """Close bullets as the model document does: ";" after each, "." after the last."""
    listed = list(items)
    return tuple((*item, "." if index == len(listed) - 1 else ";") for index, item in enumerate(listed))


def _theme_annotation(theme: Theme, language: str) -> Text:
    category = theirs(theme.category_phrase) if theme.category_phrase and one_line(theme.category_phrase) else None
    if theme.support_band and category:
        return _banded(language, SUPPORTED_INCLUDING, theme.support_band, categories=category)
    if theme.support_band:
        return _banded(language, SUPPORTED, theme.support_band)
    return (category,) if category else ()


def _theme_item(theme: Theme, language: str) -> Text:
    # A theme under one of the secretariat's headings says which: "Heading: statement (band)", or just the heading
    # when that is its statement.
    if not theme.wording:  # a Theme built without the wording pass (synopsis/wording.py)
        item = _item(theme.statement, _theme_annotation(theme, language))
    else:
        item = _flagged(_item(theme.wording, _theme_annotation(theme, language)), theme.machine_drafted, language)
        if theme.wording_source == FROM_HEADING:
            return item
    if theme.heading is None:
        return item
    heading = Theirs(_without_trailing_punctuation(one_line(theme.heading)))
    return _say(language, UNDER_HEADING, heading=heading, statement=item)


def _flagged(item: Text, machine_drafted: bool, language: str) -> Text:
    return (*item, " ", Note(_words(language, MACHINE_DRAFTED))) if machine_drafted else item


def _point_item(statement: str, wording: str, machine_drafted: bool, language: str) -> Text:
    return _flagged(_item(wording), machine_drafted, language) if wording else _item(statement)


def _challenge_name(section: ChallengeSection, language: str) -> Text:
    return _say(language, CHALLENGE_NAME, number=format_number(section.number, language), title=theirs(section.title))


class _Numbering:
    def __init__(self) -> None:
        self.last = 0

    def __call__(self, text: Text, bullets: Iterable[Text] = ()) -> Paragraph:
        self.last += 1
        return Paragraph(self.last, text, tuple(bullets))


def _title_block(synopsis: Synopsis) -> list[Block]:
    language = synopsis.language
    blocks: list[Block] = [TitleLine((theirs(synopsis.title),), "title")]
    if one_line(synopsis.period):
        blocks.append(TitleLine((theirs(synopsis.period),), "plain"))
    blocks.append(TitleLine((_words(language, NOTICE),), "bold"))
    blocks.append(TitleLine((_words(language, DRAFT_NOTE),), "italic"))
    return blocks


def _unfilled(*names: str) -> dict[str, str]:
    # A plural message is looked up with document_text_plural (so that the catalogue extracts both forms), which
    # fills its placeholders; filling each with itself gives back the translated template, for `_spliced`.
    return {name: "{" + name + "}" for name in names}


def _held(synopsis: Synopsis, language: str) -> Text:
    """The first sentence of the introduction: how many sessions, and when."""
    title = theirs(synopsis.title)
    period = one_line(synopsis.period)
    count = synopsis.session_count
    values: dict[str, str | Text] = {"title": title, "period": Theirs(period), "sessions": _sessions(count, language)}
    if count > 0 and period:
        template = document_text_plural(
            language,
            "The stakeholder dialogue “{title}” was held over {sessions} session ({period}).",
            "The stakeholder dialogue “{title}” was held over {sessions} sessions ({period}).",
            count,
            **_unfilled("title", "sessions", "period"),
        )
    elif count > 0:
        template = document_text_plural(
            language,
            "The stakeholder dialogue “{title}” was held over {sessions} session.",
            "The stakeholder dialogue “{title}” was held over {sessions} sessions.",
            count,
            **_unfilled("title", "sessions"),
        )
    elif period:
        template = document_text(
            language, "No sessions of the stakeholder dialogue “{title}” were recorded ({period})."
        )
    else:
        template = document_text(language, "No sessions of the stakeholder dialogue “{title}” were recorded.")
    return _spliced(template, values)


def _introduction(synopsis: Synopsis, para: _Numbering) -> list[Block]:
    language = synopsis.language
    blocks: list[Block] = [
        Heading((_words(language, HEADING_INTRODUCTION),), 1),
        para((*_held(synopsis, language), " ", _words(language, CHATHAM_HOUSE))),
    ]
    if synopsis.sections:
        blocks.append(
            para(
                (_words(language, CHALLENGES_CONSIDERED),),
                _punctuate(_challenge_name(section, language) for section in synopsis.sections),
            )
        )
    else:
        blocks.append(para((_words(language, NO_CHALLENGES),)))
    if synopsis.participation_band:
        blocks.append(para(_banded(language, PARTICIPATION, synopsis.participation_band)))
    else:
        blocks.append(para((_words(language, PARTICIPATION_BELOW_THRESHOLD),)))
    return blocks


def _section(section: ChallengeSection, para: _Numbering, language: str) -> list[Block]:
    blocks: list[Block] = [Heading(_challenge_name(section, language), 2)]
    if section.lead and one_line(section.lead):
        blocks.append(para((theirs(section.lead),)))
    title = theirs(section.title)
    others = _punctuate(
        _point_item(point.statement, point.wording, point.machine_drafted, language) for point in section.other_points
    )
    if section.themes:
        blocks.append(
            para(
                _say(language, CONSIDERATIONS, title=title),
                _punctuate(_theme_item(theme, language) for theme in section.themes),
            )
        )
        if others:
            blocks.append(para((_words(language, OTHER_POINTS),), others))
    elif others:
        blocks.append(para(_say(language, OTHER_POINTS_ON, title=title), others))
    else:
        blocks.append(para((_words(language, NO_CONTRIBUTIONS),)))
    return blocks


def _ways_forward(synopsis: Synopsis, para: _Numbering) -> list[Block]:
    language = synopsis.language
    blocks: list[Block] = [Heading((_words(language, HEADING_WAYS_FORWARD),), 1)]
    if not synopsis.ways_forward:
        blocks.append(para((_words(language, WAYS_FORWARD_PLACEHOLDER),)))
        return blocks
    by_number = {section.number: section for section in synopsis.sections}
    known = [section.number for section in synopsis.sections]
    unknown = sorted({way.challenge_number for way in synopsis.ways_forward} - set(known))
    for number in (*known, *unknown):
        ways = [way for way in synopsis.ways_forward if way.challenge_number == number]
        if not ways:
            continue
        section = by_number.get(number)
        figure = format_number(number, language)
        if section:
            lead = _say(language, WAYS_FORWARD_ON, number=figure, title=theirs(section.title))
        else:
            lead = _say(language, WAYS_FORWARD_ON_NUMBER, number=figure)
        blocks.append(
            para(
                lead, _punctuate(_point_item(way.statement, way.wording, way.machine_drafted, language) for way in ways)
            )
        )
    return blocks


def _annex(synopsis: Synopsis, para: _Numbering) -> list[Block]:
    language = synopsis.language
    method = synopsis.method
    blocks: list[Block] = [Heading((_words(language, HEADING_ANNEX),), 1)]
    if one_line(method.grouping):
        blocks.append(para((theirs(method.grouping),)))
    blocks.append(para(_say(language, BANDS_EXPLAINED, k=format_number(method.k, language))))
    if method.contribution_count_band:
        counted = _banded(language, CONTRIBUTIONS_COUNTED, method.contribution_count_band)
    else:
        counted = (_words(language, COUNT_NOT_REPORTED),)
    if method.excluded_count_band:
        excluded = _banded(language, EXCLUDED, method.excluded_count_band)
    else:
        excluded = (_words(language, EXCLUSIONS_NOT_COUNTED),)
    blocks.append(para((*counted, " ", *excluded)))
    if method.scrubbed_count_band:
        blocks.append(para(_banded(language, SCRUBBED, method.scrubbed_count_band)))
    else:
        blocks.append(para((_words(language, SCRUBBED_NOT_COUNTED),)))
    blocks.append(para((_words(language, NO_ATTRIBUTION),)))
    blocks.append(para((_words(language, MACHINE_DRAFTED_NOTE),)))
    if method.edited:
        blocks.append(
            para((_words(language, EDITED_INTRODUCTION),), _punctuate((theirs(what),) for what in method.edited))
        )
    else:
        blocks.append(para((_words(language, NOTHING_EDITED),)))
    return blocks


def _contributions_annex(synopsis: Synopsis, para: _Numbering) -> list[Block]:
    """Per challenge and theme, every contribution it stands for: what the secretariat checks the draft against."""
    language = synopsis.language
    blocks: list[Block] = [
        Heading((_words(language, HEADING_CONTRIBUTIONS),), 1),
        para((_words(language, CONTRIBUTIONS_INTRODUCTION),)),
    ]
    for section in synopsis.sections:
        if not section.themes and not section.other_points:
            continue
        blocks.append(Heading(_challenge_name(section, language), 2))
        for theme in section.themes:
            number = format_number(theme.number, language)
            blocks.append(
                para(
                    _say(language, THEME_IN_ANNEX, number=number, statement=theirs(theme.wording or theme.statement)),
                    tuple(
                        (theirs(entry.ref), *_language(synopsis, entry.language), ": ", theirs(entry.text))
                        for entry in theme.contributions
                    ),
                )
            )
        if section.other_points:
            blocks.append(
                para(
                    (_words(language, OTHER_POINTS),),
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
    """The whole document as blocks, paragraphs numbered continuously from 1, in the synopsis's language."""
    para = _Numbering()
    blocks = _title_block(synopsis)
    blocks += _introduction(synopsis, para)
    blocks.append(Heading((_words(synopsis.language, HEADING_SYNOPSIS),), 1))
    for section in synopsis.sections:
        blocks += _section(section, para, synopsis.language)
    blocks += _ways_forward(synopsis, para)
    blocks += _annex(synopsis, para)
    blocks += _contributions_annex(synopsis, para)
    blocks += _consensus_blocks(synopsis, para)
    blocks += _participation_blocks(synopsis, para)
    return tuple(blocks)


def _participation_blocks(synopsis: Synopsis, para: _Numbering) -> list[Block]:
    """The participation annex (synopsis.participation), last so the numbering of the rest never moves: the bands
    the charts of the web view draw, per challenge and per day; nothing where fewer than k people stand behind it."""
    shown = synopsis.participation
    if not shown.any_shown:
        return []
    language = synopsis.language
    k = format_number(synopsis.method.k, language)
    blocks: list[Block] = [Heading((_words(language, HEADING_PARTICIPATION),), 1)]
    challenges = [
        _say(language, CHALLENGE_NOT_REPORTED, number=format_number(bar.number, language))
        if bar.band is None
        else _banded(language, CHALLENGE_CONTRIBUTIONS, bar.band, number=format_number(bar.number, language))
        for bar in shown.by_challenge
    ]
    blocks.append(para(_say(language, PARTICIPATION_BY_CHALLENGE, k=k), _punctuate(challenges)))
    if shown.by_day:
        days = [
            _banded(language, DAY_CONTRIBUTIONS, bar.band, day=format_day(bar.day, language)) for bar in shown.by_day
        ]
        blocks.append(para(_say(language, PARTICIPATION_BY_DAY, k=k), _punctuate(days)))
    else:
        blocks.append(para(_say(language, NO_DAY_SHOWN, k=k)))
    return blocks


def _consensus_blocks(synopsis: Synopsis, para: _Numbering) -> list[Block]:
    """Consensus rounds (synopsis.consensus), after the annex so the numbering of the rest never moves: each theme
    statement with its mark and the band of people who answered, and the rule the marks follow."""
    if not synopsis.consensus:
        return []
    language = synopsis.language
    blocks: list[Block] = [Heading((_words(language, HEADING_CONSENSUS),), 1)]
    for result in synopsis.consensus:
        items = []
        for mark in result.marks:
            if mark.mark is None:
                continue
            detail = _banded(language, ANSWERED, mark.voter_band or "", mark=_words(language, mark.mark))
            for part in mark.by_category:
                by_category = _say(
                    language, CATEGORY_MARK, category=theirs(part.category), mark=_words(language, part.mark)
                )
                detail = (*detail, "; ", *by_category)
            items.append(_item(mark.statement, detail))
        number = format_number(result.challenge_number, language)
        if items:
            blocks.append(para(_say(language, CONSENSUS_ANSWERED, number=number), _punctuate(items)))
        else:
            blocks.append(para(_say(language, CONSENSUS_NOT_REPORTED, number=number)))
    rule = document_text(language, RULE_TEXT, k=format_number(synopsis.method.k, language))
    blocks.append(para((rule,)))
    return blocks
