"""What the secretariat gets: one neutral statement per theme, its own wording where it gave one, and an annex that
lists every contribution by reference, in Markdown, DOCX and JSON, naming nobody."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace

import docx
import pytest

from privacy import ScrubContext, scrub_text
from synopsis.compile import compile_synopsis
from synopsis.model import (
    ChallengeInput,
    ContributionInput,
    DialogueInput,
    Overrides,
    SecretariatText,
    Synopsis,
    SynopsisInput,
)
from synopsis.render_docx import render_docx
from synopsis.render_json import render_json
from synopsis.render_markdown import render_markdown

START = 1_796_083_200.0
HEADING = "Predictable funding for victim assistance and survivors"
TEXTS = {
    "AAAA": "We believe that transfers through the territory of States parties must be challenged.",
    "AAAB": "We think transfers through the territory of States parties must be challenged firmly.",
    "AAAC": "Transfers through the territory of States parties must be challenged by all of us.",
    "BBBA": "Victim assistance for survivors needs predictable funding.",
    "BBBB": "Survivors depend on funding for victim assistance that is predictable.",
    "CCCA": "I would like the stockpile destruction deadlines to get a closer look.",
}


NO_WORDING = SecretariatText()
NO_OVERRIDES = Overrides()


def data(
    texts: dict[str, str] = TEXTS,
    secretariat: SecretariatText = NO_WORDING,
    overrides: Overrides = NO_OVERRIDES,
    headings: tuple[str, ...] = (HEADING,),
) -> SynopsisInput:
    return SynopsisInput(
        dialogue=DialogueInput("Strengthening the norms", START, START, 1),
        challenges=(
            ChallengeInput(1, "Transfers", "What do transfers mean?", headings),
            ChallengeInput(2, "Withdrawal", "What follows a withdrawal?"),
        ),
        contributions=tuple(
            ContributionInput(ref, 1, text, f"m-{ref}", created_at=START) for ref, text in texts.items()
        ),
        overrides=overrides,
        secretariat=secretariat,
        k=3,
    )


def machine_theme(synopsis: Synopsis):
    return next(theme for theme in synopsis.sections[0].themes if theme.heading is None)


def docx_text(synopsis: Synopsis) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(render_docx(synopsis))).paragraphs)


def body_of(markdown: str) -> str:
    return markdown.split("## Annex: Method", 1)[0]


def annex_of(markdown: str) -> str:
    """The annex of contributions alone (up to the next annex, e.g. the participation bands)."""
    return markdown.split("## Annex: Contributions by theme", 1)[1].split("\n## ", 1)[0]


# ---------------------------------------------------------------- neutral statements


def test_a_machine_theme_is_stated_in_reported_form_and_flagged_in_every_format():
    synopsis = compile_synopsis(data())
    theme = machine_theme(synopsis)
    assert set(theme.refs) == {"AAAA", "AAAB", "AAAC"}
    assert not re.search(r"\b(?:we|our|us|I)\b", theme.wording, re.IGNORECASE)
    assert theme.machine_drafted
    markdown = body_of(render_markdown(synopsis))
    line = next(line for line in markdown.splitlines() if theme.wording.rstrip(".") in line)
    assert line.endswith("*(machine-drafted)*.") or line.endswith("*(machine-drafted)*;")
    runs = [
        run
        for paragraph in docx.Document(io.BytesIO(render_docx(synopsis))).paragraphs
        for run in paragraph.runs
        if run.text == "(machine-drafted)"
    ]
    assert runs and all(run.italic for run in runs)
    themes = json.loads(render_json(synopsis))["sections"][0]["themes"]
    assert [(item["machine_drafted"], item["edited_by_secretariat"]) for item in themes if item["heading"] is None] == [
        (True, False)
    ]


def test_a_theme_under_a_heading_is_stated_by_the_heading_alone_and_not_flagged():
    synopsis = compile_synopsis(data())
    headed = synopsis.sections[0].themes[0]
    assert (headed.heading, headed.wording, headed.machine_drafted) == (HEADING, HEADING, False)
    body = body_of(render_markdown(synopsis))
    assert f"- {HEADING};" in body or f"- {HEADING}." in body
    assert "predictable funding." not in body  # the representative contribution is only in the annex


def test_the_body_keeps_one_statement_per_theme():
    synopsis = compile_synopsis(data())
    body = body_of(render_markdown(synopsis))
    for ref in ("AAAB", "AAAC", "BBBB"):
        assert TEXTS[ref].rstrip(".") not in body


# ---------------------------------------------------------------- the secretariat's wording


def wording() -> SecretariatText:
    return SecretariatText(
        theme_wordings=(("AAAB", "Transit of cluster munitions through States Parties must be challenged."),),
        leads=((1, "Transfers were the dialogue's most discussed concern."),),
        ways_forward=((1, "The ISU to map transit routes with States Parties."),),
    )


def test_the_secretariat_s_wording_lead_and_ways_forward_are_used_and_said_to_be_theirs():
    synopsis = compile_synopsis(data(secretariat=wording()))
    theme = machine_theme(synopsis)
    assert theme.wording == "Transit of cluster munitions through States Parties must be challenged."
    assert not theme.machine_drafted
    markdown = render_markdown(synopsis)
    body = body_of(markdown)
    assert "Transit of cluster munitions through States Parties must be challenged (" in body
    assert re.search(
        r"### Challenge 1: Transfers\n\n\d+\. Transfers were the dialogue's most discussed concern\.", body
    )
    assert "- The ISU to map transit routes with States Parties." in body
    method = markdown.split("## Annex: Method", 1)[1].split("## Annex: Contributions", 1)[0]
    assert "The secretariat wrote or edited the following statements:" in method
    for what in ("challenge 1, lead paragraph", "challenge 1, theme 2", "challenge 1, ways forward"):
        assert what in method
    structure = json.loads(render_json(synopsis))
    assert structure["sections"][0]["lead"] == "Transfers were the dialogue's most discussed concern."
    assert structure["method"]["edited_by_secretariat"] == [
        "challenge 1, lead paragraph",
        "challenge 1, theme 2",
        "challenge 1, ways forward",
    ]
    assert [way["edited_by_secretariat"] for way in structure["ways_forward"]] == [True]
    assert "Transfers were the dialogue's most discussed concern." in docx_text(synopsis)


def test_the_wording_follows_its_theme_when_the_draft_is_compiled_again_with_more_contributions():
    more = {**TEXTS, "AAAD": "Transfers through the territory of States parties must be challenged now."}
    theme = machine_theme(compile_synopsis(data(texts=more, secretariat=wording())))
    assert "AAAD" in theme.refs
    assert theme.wording == "Transit of cluster munitions through States Parties must be challenged."


def test_without_any_wording_the_method_says_nothing_was_edited():
    assert "No statement was written or edited by the secretariat." in render_markdown(compile_synopsis(data()))


# ---------------------------------------------------------------- the annex


def test_the_annex_lists_every_contribution_of_every_theme_by_reference_and_leaves_out_exclusions():
    synopsis = compile_synopsis(data(overrides=Overrides(excluded=frozenset({"AAAC"}))))
    annex = annex_of(render_markdown(synopsis))
    for ref, text in TEXTS.items():
        if ref == "AAAC":
            assert ref not in annex and text not in annex
        else:
            assert f"- {ref}: {text}" in annex
    listed = [
        entry["ref"]
        for section in json.loads(render_json(synopsis))["annex"]
        for theme in section["themes"]
        for entry in theme["contributions"]
    ] + [point["ref"] for section in json.loads(render_json(synopsis))["annex"] for point in section["other_points"]]
    assert sorted(listed) == sorted(ref for ref in TEXTS if ref != "AAAC")
    word = docx_text(synopsis).split("Annex: Contributions by theme", 1)[1]
    assert all(f"{ref}: {text}" in word for ref, text in TEXTS.items() if ref != "AAAC")


def test_the_annex_lists_themes_below_k_people_as_the_body_does_without_any_count():
    # The body states themes and other points whatever their support, counting only in bands from k; so does the
    # annex, and it gives no count at all.
    synopsis = compile_synopsis(data())
    assert any(theme.support_band is None for theme in synopsis.sections[0].themes)
    annex = annex_of(render_markdown(synopsis))
    assert "supported by" not in annex and not re.search(r"\b(?:a few|several|many)\b", annex)
    assert "CCCA" in annex


# ---------------------------------------------------------------- nobody named

NAMES = ("Zephyrine Quarterbridge", "Ottoline Vasquez-Marlow")
MATRIX_IDS = ("@zephyrine:example.org", "@ottoline:example.org")
AFFILIATIONS = ("Republic of Tarvania", "Human Rights Watch")
FORMS = ("Zephyrine", "Quarterbridge", "Ottoline", "Vasquez", "Marlow", "Tarvania", "Human Rights Watch", "example.org")


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_no_name_matrix_id_display_name_or_affiliation_reaches_the_annex_or_the_edited_wording(language):
    context = ScrubContext(
        member_ids=frozenset(MATRIX_IDS), display_names=frozenset(NAMES), affiliations=frozenset(AFFILIATIONS)
    )
    written = {
        "AAAA": "We in the Republic of Tarvania believe that transfers through the territory of States parties "
        "must be challenged, as Zephyrine said.",
        "AAAB": "Ottoline Vasquez-Marlow and I think transfers through the territory of States parties must be "
        "challenged.",
        "AAAC": "Transfers through the territory of States parties must be challenged, says @ottoline:example.org.",
        "BBBA": "Human Rights Watch: victim assistance for survivors needs predictable funding.",
        "BBBB": "Quarterbridge says survivors depend on funding for victim assistance that is predictable.",
        "CCCA": "Tarvania would like the stockpile destruction deadlines to get a closer look.",
    }
    scrubbed = {ref: scrub_text(text, context) for ref, text in written.items()}
    secretariat = SecretariatText(
        theme_wordings=(("AAAA", scrub_text("As Ottoline of Human Rights Watch put it, transit matters.", context)),),
        leads=((1, scrub_text("Zephyrine Quarterbridge (Tarvania) opened the debate.", context)),),
        ways_forward=((1, scrub_text("Ask @zephyrine:example.org and Tarvania to map routes.", context)),),
    )
    synopsis = compile_synopsis(replace(data(texts=scrubbed, secretariat=secretariat), language=language))
    assert synopsis.language == language
    documents = {
        "md": render_markdown(synopsis),
        "docx": docx_text(synopsis),
        "json": json.dumps(json.loads(render_json(synopsis)), ensure_ascii=False),
    }
    for fmt, document in documents.items():
        assert "[participant]" in document and "[affiliation]" in document, fmt
        assert [form for form in FORMS if form.casefold() in document.casefold()] == [], fmt
    assert "As [participant] of [affiliation] put it, transit matters." in documents["md"]


def test_a_hand_built_theme_without_wording_still_renders_its_statement():
    synopsis = compile_synopsis(data())
    section = synopsis.sections[0]
    bare = replace(section.themes[0], wording="", heading=None)
    text = render_markdown(replace(synopsis, sections=(replace(section, themes=(bare,)), *synopsis.sections[1:])))
    assert bare.statement.rstrip(".") in text
