"""The annex notes each contribution's language, in every format, only when the dialogue has more than one."""

from __future__ import annotations

import io
import json

import docx

from synopsis.compile import compile_synopsis
from synopsis.model import ChallengeInput, ContributionInput, DialogueInput, Synopsis, SynopsisInput
from synopsis.render_docx import render_docx
from synopsis.render_json import render_json
from synopsis.render_markdown import render_markdown

START = 1_796_083_200.0
# Two themes (three and two near-identical lines) and one other point, so both annex lists are exercised.
ENGLISH = {
    "AAAA": "Transfers through the territory of States parties must be challenged.",
    "AAAB": "Transfers through the territory of States parties must be challenged firmly.",
    "BBBA": "Victim assistance for survivors needs predictable funding.",
    "BBBB": "Victim assistance for survivors needs predictable funding now.",
    "CCCA": "Stockpile destruction deadlines deserve a closer look.",
}
FRENCH_REF = "AAAC"
FRENCH = "Les transferts sur le territoire des États parties doivent être contestés."


def synopsis(languages: dict[str, str | None], extra: dict[str, str] | None = None) -> Synopsis:
    texts = {**ENGLISH, **(extra or {})}
    return compile_synopsis(
        SynopsisInput(
            dialogue=DialogueInput("Strengthening the norms", START, START, 1),
            challenges=(ChallengeInput(1, "Transfers", "What do transfers mean?"),),
            contributions=tuple(
                ContributionInput(ref, 1, text, f"m-{ref}", created_at=START, language=languages.get(ref))
                for ref, text in texts.items()
            ),
            k=3,
        )
    )


def annex_of(text: str) -> str:
    return text.split("Annex: Contributions by theme", 1)[1]


def docx_text(document: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(document)).paragraphs)


ALL_ENGLISH = dict.fromkeys(ENGLISH, "en")
MIXED = {**ALL_ENGLISH, FRENCH_REF: "fr", "BBBB": None}


def test_the_synopsis_lists_the_languages_its_contributions_were_detected_in() -> None:
    assert synopsis(ALL_ENGLISH).languages == ("en",)
    assert synopsis(MIXED, {FRENCH_REF: FRENCH}).languages == ("en", "fr")
    assert synopsis({}).languages == ()


def test_in_a_dialogue_of_one_language_the_annex_notes_no_language() -> None:
    one = synopsis(ALL_ENGLISH)
    for text in (annex_of(render_markdown(one)), annex_of(docx_text(render_docx(one)))):
        assert "(en)" not in text
        assert "AAAA: Transfers" in text


def test_in_a_dialogue_of_several_languages_the_markdown_and_docx_annex_note_each_known_language() -> None:
    mixed = synopsis(MIXED, {FRENCH_REF: FRENCH})
    for text in (annex_of(render_markdown(mixed)), annex_of(docx_text(render_docx(mixed)))):
        assert f"{FRENCH_REF} (fr): Les transferts" in text
        assert "AAAA (en): Transfers" in text
        assert "CCCA (en): Stockpile" in text  # an other point raised
        assert "BBBB: Victim" in text  # unknown: nothing noted, rather than a guess


def test_the_language_is_noted_only_in_the_annex_not_in_the_body() -> None:
    mixed = render_markdown(synopsis(MIXED, {FRENCH_REF: FRENCH}))
    body = mixed.split("Annex: Method", 1)[0]
    assert "(fr)" not in body and "(en)" not in body


def test_the_json_annex_gives_every_contribution_a_language_field_and_the_synopsis_its_languages() -> None:
    mixed = json.loads(render_json(synopsis(MIXED, {FRENCH_REF: FRENCH})))
    assert mixed["languages"] == ["en", "fr"]
    [section] = mixed["annex"]
    listed = {entry["ref"]: entry["language"] for theme in section["themes"] for entry in theme["contributions"]}
    listed |= {entry["ref"]: entry["language"] for entry in section["other_points"]}
    assert listed == {"AAAA": "en", "AAAB": "en", FRENCH_REF: "fr", "BBBA": "en", "BBBB": None, "CCCA": "en"}
    one = json.loads(render_json(synopsis(ALL_ENGLISH)))
    assert one["languages"] == ["en"]
    assert {e["language"] for t in one["annex"][0]["themes"] for e in t["contributions"]} == {"en"}
