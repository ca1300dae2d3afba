"""The draft synopsis as JSON: the same structure as the document, with the references moderators curate by.

Unlike the Markdown and DOCX, this keeps theme labels and contribution references (`refs`), and the statements
exactly as compiled (no whitespace folding, no escaping). References name contributions, never people: nothing
here is keyed by or names a participant. The fields are listed explicitly rather than dumped from the dataclasses,
so a field added to the model later does not leave the bot in this file without someone deciding it should.
"""

from __future__ import annotations

import json
from typing import Any

from .model import ChallengeSection, MethodNote, Synopsis, Theme
from .render_markdown import NOTICE


def _theme(theme: Theme) -> dict[str, Any]:
    return {
        "number": theme.number,
        "label": theme.label,
        "statement": theme.statement,
        "refs": list(theme.refs),
        "contribution_count": theme.contribution_count,
        "support_band": theme.support_band,
        "category_phrase": theme.category_phrase,
    }


def _section(section: ChallengeSection) -> dict[str, Any]:
    return {
        "number": section.number,
        "title": section.title,
        "prompt": section.prompt,
        "participation_band": section.participation_band,
        "themes": [_theme(theme) for theme in section.themes],
        "other_points": [{"statement": point.statement, "refs": list(point.refs)} for point in section.other_points],
    }


def _method(method: MethodNote) -> dict[str, Any]:
    return {
        "k": method.k,
        "grouping": method.grouping,
        "excluded_count_band": method.excluded_count_band,
        "contribution_count_band": method.contribution_count_band,
        "scrubbed_count_band": method.scrubbed_count_band,
    }


def synopsis_dict(synopsis: Synopsis) -> dict[str, Any]:
    """The synopsis as plain JSON-compatible data, in document order."""
    return {
        "title": synopsis.title,
        "period": synopsis.period,
        "session_count": synopsis.session_count,
        "participation_band": synopsis.participation_band,
        "notice": NOTICE,
        "sections": [_section(section) for section in synopsis.sections],
        "ways_forward": [
            {"challenge_number": way.challenge_number, "statement": way.statement, "refs": list(way.refs)}
            for way in synopsis.ways_forward
        ],
        "method": _method(synopsis.method),
    }


def render_json(synopsis: Synopsis) -> str:
    """Render the draft synopsis as indented UTF-8 JSON text ending in a newline; deterministic."""
    return json.dumps(synopsis_dict(synopsis), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
