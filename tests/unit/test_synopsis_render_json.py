"""The draft synopsis as JSON: the document's structure plus the references moderators curate by, and no people."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from synopsis.model import WayForward
from synopsis.render_json import render_json, synopsis_dict
from tests.unit.test_synopsis_render import make_synopsis, with_statement


def keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys(item)


def test_the_json_round_trips_to_the_synopsis_dict():
    synopsis = make_synopsis()
    assert json.loads(render_json(synopsis)) == synopsis_dict(synopsis)


def test_the_top_level_fields_come_in_document_order():
    assert list(json.loads(render_json(make_synopsis()))) == [
        "document_language",
        "title",
        "period",
        "session_count",
        "participation_band",
        "notice",
        "sections",
        "ways_forward",
        "method",
        "languages",
        "annex",
    ]


def test_the_notice_says_chatham_house_rule():
    assert json.loads(render_json(make_synopsis()))["notice"] == "Draft synopsis, prepared under the Chatham House Rule"


def test_a_theme_has_its_number_label_statement_refs_count_and_bands():
    theme = json.loads(render_json(make_synopsis()))["sections"][0]["themes"][0]
    assert theme == {
        "number": 1,
        "label": "transfers territory normalisation",
        "statement": "Transfers through the territory of States parties risk normalising the weapon.",
        "refs": ["c1-01", "c1-04", "c1-07"],
        "contribution_band": "a few",
        "support_band": "several",
        "category_phrase": "including civil society participants",
        "heading": None,
        "wording": "Transfers through the territory of States parties risk normalising the weapon.",
        "machine_drafted": False,
        "edited_by_secretariat": False,
    }


def test_a_section_has_its_prompt_band_and_other_points_with_refs():
    section = json.loads(render_json(make_synopsis()))["sections"][0]
    assert (section["number"], section["prompt"], section["participation_band"]) == (
        1,
        "What worries you most about transfers?",
        "several",
    )
    assert section["other_points"] == [
        {
            "statement": "Stockpile destruction deadlines deserve a closer look.",
            "refs": ["c1-05"],
            "wording": "Stockpile destruction deadlines deserve a closer look.",
            "machine_drafted": False,
            "edited_by_secretariat": False,
        }
    ]


def test_ways_forward_keep_their_challenge_and_refs():
    ways = (WayForward(2, "Convene a dialogue on withdrawal", ("c2-01", "c2-03")),)
    data = json.loads(render_json(make_synopsis(ways_forward=ways)))
    assert data["ways_forward"] == [
        {
            "challenge_number": 2,
            "statement": "Convene a dialogue on withdrawal",
            "refs": ["c2-01", "c2-03"],
            "wording": "Convene a dialogue on withdrawal",
            "machine_drafted": False,
            "edited_by_secretariat": False,
        }
    ]


def test_the_method_note_is_included():
    assert json.loads(render_json(make_synopsis()))["method"] == {
        "k": 3,
        "grouping": "Contributions were grouped by the similarity of their wording, then reviewed by the moderators.",
        "excluded_count_band": None,
        "contribution_count_band": "several",
        "scrubbed_count_band": None,
        "edited_by_secretariat": [],
    }


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_no_field_names_a_person(language):
    synopsis = make_synopsis(ways_forward=(WayForward(1, "x", ("c1-09",)),), language=language)
    data = json.loads(render_json(synopsis))
    assert data["document_language"] == language
    suspicious = [k for k in keys(data) if any(w in k.lower() for w in ("user", "sender", "member", "name", "author"))]
    assert suspicious == []


def test_statements_are_kept_verbatim_without_markdown_escapes():
    statement = "# Hello <script>\n[x](http://evil) café"
    data = json.loads(render_json(with_statement(statement)))
    assert data["sections"][0]["themes"][0]["statement"] == statement


def test_non_ascii_text_is_written_as_is():
    assert "1–3 December 2026" in render_json(make_synopsis())


def test_the_json_is_indented_and_ends_with_a_newline():
    text = render_json(make_synopsis())
    assert text.startswith('{\n  "document_language": ')
    assert text.endswith("}\n")


def test_the_same_synopsis_gives_identical_json():
    assert render_json(make_synopsis()) == render_json(make_synopsis())
