"""The draft synopsis as JSON: the same structure as the document, with the references moderators curate by.

Unlike the Markdown and DOCX, this keeps theme labels and contribution references (`refs`), and the statements
exactly as compiled (no whitespace folding, no escaping). References name contributions, never people: nothing
here is keyed by or names a participant. The fields are listed explicitly rather than dumped from the dataclasses,
so a field added to the model later does not leave the bot in this file without someone deciding it should.

Numbers. Every count of people or contributions is a band ("a few", "several", "many", in the document language) or null
below k, in the fields ending in `_band`. The only JSON numbers are those in `STRUCTURAL_NUMBERS`: `number` (a
challenge's or a theme's ordinal), `challenge_number` (the challenge a way forward belongs to), `k` (the reporting
threshold, a setting) and `session_count` (the days on which challenges were open, which follow from the published
schedule and say nothing about who took part). No exact total of participants or contributions is given, not even for
the whole dialogue: someone who knows how many they wrote themselves, or who compares two pulls of the synopsis, could
learn from an exact figure what others did. A theme's `refs` list the contributions it stands for, so that moderators
can curate by reference; like the Markdown's "Other points raised", they show contributions, never people. A theme's
`heading` is the secretariat's expected theme it stands under (guided themes), or null for a machine theme.

Wording and annex. A theme's, other point's or way forward's `wording` is what the document prints for it (its
`statement` is the contribution as written): `machine_drafted` is true when the wording is a contribution in
reported form, `edited_by_secretariat` when the ISU or a moderator wrote it. A section's `lead` is the
secretariat's lead paragraph or null; `method.edited_by_secretariat` says which statements they wrote. `annex` lists,
per challenge and theme, every contribution (`ref`, scrubbed `text` and `language`) the synopsis draws on.

Document language. `document_language` is the ISO 639-1 code of the language the bot's own words are in (English,
French or Spanish: synopsis/document_locale.py): `notice`, the method's `grouping`, `consensus_rule`, and the bands and
consensus marks, which are the document's words for them ("plusieurs", "large accord"); statements, titles and
contributions are as written.

Languages. `languages` lists the ISO 639-1 codes the contributions were detected in (synopsis/language.py); each
annex entry's `language` is its code, or null when the detector was unsure. Unlike the Markdown and DOCX, which note
a language only when there is more than one, the JSON always carries it: it is data, for whoever reads it to use.
"""

from __future__ import annotations

import json
from typing import Any

from i18n import document_text

from .consensus import RULE_TEXT
from .document_locale import format_number
from .model import FROM_SECRETARIAT, ChallengeSection, MethodNote, OtherPoint, Synopsis, Theme, WayForward
from .outline import NOTICE

STRUCTURAL_NUMBERS = frozenset({"number", "challenge_number", "k", "session_count"})
"""The only keys whose values are JSON numbers: ordinals and settings, never counts of people or contributions."""


def _word(language: str, word: str | None) -> str | None:
    """A band or a consensus mark in the document's language (None stays None: nothing is shown below k)."""
    return document_text(language, word) if word else word


def _theme(theme: Theme, language: str) -> dict[str, Any]:
    return {
        "number": theme.number,
        "label": theme.label,
        "statement": theme.statement,
        "refs": list(theme.refs),
        "contribution_band": _word(language, theme.contribution_band),
        "support_band": _word(language, theme.support_band),
        "category_phrase": theme.category_phrase,
        "heading": theme.heading,
        **_wording(theme),
    }


def _wording(item: Theme | OtherPoint | WayForward) -> dict[str, Any]:
    return {
        "wording": item.wording or item.statement,
        "machine_drafted": bool(item.wording) and item.machine_drafted,
        "edited_by_secretariat": item.wording_source == FROM_SECRETARIAT,
    }


def _annex(section: ChallengeSection) -> dict[str, Any]:
    return {
        "challenge_number": section.number,
        "themes": [
            {
                "number": theme.number,
                "wording": theme.wording or theme.statement,
                "contributions": [
                    {"ref": entry.ref, "text": entry.text, "language": entry.language} for entry in theme.contributions
                ],
            }
            for theme in section.themes
        ],
        "other_points": [
            {"ref": ref, "text": point.statement, "language": point.language}
            for point in section.other_points
            for ref in point.refs
        ],
    }


def _section(section: ChallengeSection, language: str) -> dict[str, Any]:
    return {
        "number": section.number,
        "title": section.title,
        "prompt": section.prompt,
        "participation_band": _word(language, section.participation_band),
        "lead": section.lead,
        "themes": [_theme(theme, language) for theme in section.themes],
        "other_points": [
            {"statement": point.statement, "refs": list(point.refs), **_wording(point)}
            for point in section.other_points
        ],
    }


def _method(method: MethodNote, language: str) -> dict[str, Any]:
    return {
        "k": method.k,
        "grouping": method.grouping,
        "excluded_count_band": _word(language, method.excluded_count_band),
        "contribution_count_band": _word(language, method.contribution_count_band),
        "scrubbed_count_band": _word(language, method.scrubbed_count_band),
        "edited_by_secretariat": list(method.edited),
    }


def synopsis_dict(synopsis: Synopsis) -> dict[str, Any]:
    """The synopsis as plain JSON-compatible data, in document order."""
    language = synopsis.language
    return {
        "document_language": language,
        "title": synopsis.title,
        "period": synopsis.period,
        "session_count": synopsis.session_count,
        "participation_band": _word(language, synopsis.participation_band),
        "notice": document_text(language, NOTICE),
        "sections": [_section(section, language) for section in synopsis.sections],
        "ways_forward": [
            {
                "challenge_number": way.challenge_number,
                "statement": way.statement,
                "refs": list(way.refs),
                **_wording(way),
            }
            for way in synopsis.ways_forward
        ],
        "method": _method(synopsis.method, language),
        "languages": list(synopsis.languages),
        "annex": [_annex(section) for section in synopsis.sections if section.themes or section.other_points],
        **_consensus(synopsis),
        **_participation(synopsis),
    }


def _participation(synopsis: Synopsis) -> dict[str, Any]:
    """The participation charts' bands (synopsis.participation): per challenge (null: not reported, below k) and per
    day (a day below k is not listed)."""
    shown = synopsis.participation
    if not shown.any_shown:
        return {}
    return {
        "participation": {
            "by_challenge": [
                {"challenge_number": bar.number, "contributions_band": _word(synopsis.language, bar.band)}
                for bar in shown.by_challenge
            ],
            "by_day": [
                {"date": bar.day.isoformat(), "contributions_band": _word(synopsis.language, bar.band)}
                for bar in shown.by_day
            ],
        }
    }


def _consensus(synopsis: Synopsis) -> dict[str, Any]:
    """Consensus rounds' marks (synopsis.consensus): per theme statement, a mark and a band, never a person."""
    if not synopsis.consensus:
        return {}
    language = synopsis.language
    return {
        "consensus": [
            {
                "challenge_number": result.challenge_number,
                "themes": [
                    {
                        "number": mark.position,
                        "statement": mark.statement,
                        "mark": _word(language, mark.mark),
                        "voter_band": _word(language, mark.voter_band),
                        "by_category": [
                            {"category": part.category, "mark": _word(language, part.mark)} for part in mark.by_category
                        ],
                    }
                    for mark in result.marks
                ],
            }
            for result in synopsis.consensus
        ],
        "consensus_rule": document_text(language, RULE_TEXT, k=format_number(synopsis.method.k, language)),
    }


def render_json(synopsis: Synopsis) -> str:
    """Render the draft synopsis as indented UTF-8 JSON text ending in a newline; deterministic."""
    return json.dumps(synopsis_dict(synopsis), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
