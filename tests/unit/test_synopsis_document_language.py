"""The synopsis in the document language: every word the bot writes is French or Spanish when asked, in every format;
contributions and the secretariat's own words stay as written; the DOCX and the JSON say which language they are in."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import docx
import pytest
from docx.oxml.ns import qn

from synopsis.compile import compile_synopsis, format_period
from synopsis.consensus import ConsensusRoundInput, ConsensusThemeInput, ConsensusVoteInput
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

START = 1_796_083_200.0  # 1 December 2026, 00:00 UTC
DAY = 86_400.0
HEADING = "Predictable funding for victim assistance and survivors"
LEAD = "The secretariat opened the challenge with a short note."
TEXTS = {
    "AAAA": "We believe that transfers through the territory of States parties must be challenged.",
    "AAAB": "We think transfers through the territory of States parties must be challenged firmly.",
    "AAAC": "Transfers through the territory of States parties must be challenged by all of us.",
    "AAAD": "Les transferts sur le territoire des États parties doivent être contestés.",
    "BBBA": "Victim assistance for survivors needs predictable funding.",
    "BBBB": "Survivors depend on funding for victim assistance that is predictable.",
    "CCCA": "I would like the stockpile destruction deadlines to get a closer look.",
}
LANGUAGES = {"AAAD": "fr"}


def fixed_input(language: str = "en") -> SynopsisInput:
    """A dialogue with a guided heading, a machine theme, an other point, a way forward, a lead, an exclusion, a
    multilingual annex and a closed consensus round: every kind of sentence the document has."""
    members = [f"m-{ref}" for ref in TEXTS]
    return SynopsisInput(
        dialogue=DialogueInput("Strengthening the norms", START, START + 2 * DAY, 2),
        challenges=(
            ChallengeInput(1, "Transfers", "What do transfers mean?", (HEADING,)),
            ChallengeInput(2, "Withdrawal", "What follows a withdrawal?"),
        ),
        contributions=(
            *(
                ContributionInput(ref, 1, text, f"m-{ref}", created_at=START, language=LANGUAGES.get(ref, "en"))
                for ref, text in TEXTS.items()
            ),
            ContributionInput("DDDA", 1, "Something to leave out.", "m-x", created_at=START),
        ),
        overrides=Overrides(excluded=frozenset({"DDDA"}), ways_forward=frozenset({"CCCA"})),
        secretariat=SecretariatText(leads=((1, LEAD),)),
        consensus=(
            ConsensusRoundInput(
                1,
                (ConsensusThemeInput(1, HEADING),),
                tuple(ConsensusVoteInput(1, member, "agree") for member in members),
                closed=True,
            ),
        ),
        k=3,
        language=language,
    )


def compiled(language: str) -> Synopsis:
    return compile_synopsis(fixed_input(language))


def docx_text(synopsis: Synopsis) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(render_docx(synopsis))).paragraphs)


def json_text(synopsis: Synopsis) -> str:
    return json.dumps(json.loads(render_json(synopsis)), ensure_ascii=False)


def documents(synopsis: Synopsis) -> dict[str, str]:
    return {"md": render_markdown(synopsis), "docx": docx_text(synopsis), "json": json_text(synopsis)}


# What the English document says in its own words, which must not be left in a translated one.
ENGLISH = (
    "Introduction",
    "Synopsis of considerations and concerns",
    "Suggested ways forward",
    "Annex: Method",
    "Annex: Contributions by theme",
    "Annex: Consensus round",
    "Other points raised",
    "machine-drafted",
    "Draft synopsis, prepared under the Chatham House Rule",
    "supported by",
    "participants contributed",
    "broad agreement",
    "answered by",
    "December",
    "Contributions were grouped by machine",
    "Chatham House Rule: participants",
    "In a consensus round",
)
ENGLISH_IN_JSON = ("Draft synopsis", "several", "a few", "broad agreement", "Contributions were grouped", "December")

EXPECTED = {
    "fr": {
        "headings": (
            "I. Introduction",
            "II. Synthèse des considérations et préoccupations",
            "III. Propositions sur la voie à suivre",
            "Annexe : Méthode",
            "Annexe : Contributions par thème",
            "Annexe : Tour de consensus",
        ),
        "band": "Plusieurs participants ont contribué au dialogue.",
        "json_band": "plusieurs",
        "period": "1–3 décembre 2026",
        "mark": "large accord",
    },
    "es": {
        "headings": (
            "I. Introducción",
            "II. Síntesis de consideraciones y preocupaciones",
            "III. Propuestas sobre el camino a seguir",
            "Anexo: Método",
            "Anexo: Contribuciones por tema",
            "Anexo: Ronda de consenso",
        ),
        "band": "Varios participantes contribuyeron al diálogo.",
        "json_band": "varios",
        "period": "1–3 de diciembre de 2026",
        "mark": "amplio acuerdo",
    },
}


def test_the_document_language_is_english_by_default():
    assert fixed_input().language == "en"
    assert compiled("en").language == "en"
    markdown = render_markdown(compiled("en"))
    assert "## II. Synopsis of considerations and concerns" in markdown
    assert "Several participants contributed to the dialogue." in markdown


@pytest.mark.parametrize("language", ["fr", "es"])
def test_headings_and_a_band_phrase_are_translated_in_markdown_and_docx(language):
    synopsis = compiled(language)
    expected = EXPECTED[language]
    markdown = render_markdown(synopsis)
    word = docx.Document(io.BytesIO(render_docx(synopsis)))
    word_headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    for heading in expected["headings"]:
        assert f"## {heading}" in markdown, heading
        assert heading in word_headings, heading
    for text in (markdown, docx_text(synopsis)):
        assert expected["band"] in text
        assert expected["period"] in text
        assert expected["mark"] in text
        left = [english for english in ENGLISH if english in text and english not in expected["headings"][0]]
        assert left == [], left


@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_json_carries_the_document_language_and_its_words(language):
    synopsis = compiled(language)
    document = json.loads(render_json(synopsis))
    assert document["document_language"] == language
    assert document["participation_band"] == EXPECTED[language]["json_band"]
    assert document["period"] == EXPECTED[language]["period"]
    assert document["consensus"][0]["themes"][0]["mark"] == EXPECTED[language]["mark"]
    text = json_text(synopsis)
    # The contributions themselves are data, quoted as written; only the bot's own words are checked here.
    own = json.dumps(
        {key: document[key] for key in ("notice", "participation_band", "period", "method", "consensus_rule")},
        ensure_ascii=False,
    )
    assert [english for english in ENGLISH_IN_JSON if english in own] == []
    assert TEXTS["AAAA"] in text


def test_the_english_json_says_it_is_english():
    assert json.loads(render_json(compiled("en")))["document_language"] == "en"


@pytest.mark.parametrize("language", ["fr", "es"])
def test_contributions_and_the_secretariats_words_stay_as_written(language):
    synopsis = compiled(language)
    for fmt, text in documents(synopsis).items():
        assert TEXTS["AAAD"] in text, fmt  # a contribution in its own language, untranslated
        assert TEXTS["BBBA"] in text, fmt
        assert HEADING in text, fmt  # the heading the secretariat wrote
        assert LEAD in text, fmt
        assert "Strengthening the norms" in text, fmt


@pytest.mark.parametrize(("language", "tag"), [("en", "en-GB"), ("fr", "fr-FR"), ("es", "es-ES")])
def test_the_docx_declares_its_language_in_the_style_defaults_and_the_core_properties(language, tag):
    data = render_docx(compiled(language))
    word = docx.Document(io.BytesIO(data))
    defaults = word.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == tag
    assert word.core_properties.language == tag
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert f"<dc:language>{tag}</dc:language>" in package.read("docProps/core.xml").decode()


@pytest.mark.parametrize(
    ("language", "start", "end", "expected"),
    [
        ("en", START, START, "1 December 2026"),
        ("en", START, START + 2 * DAY, "1–3 December 2026"),
        ("en", START - DAY, START + DAY, "30 November – 2 December 2026"),
        ("en", START + 29 * DAY, START + 32 * DAY, "30 December 2026 – 2 January 2027"),
        ("fr", START - DAY, START + DAY, "30 novembre – 2 décembre 2026"),
        ("fr", START + 29 * DAY, START + 32 * DAY, "30 décembre 2026 – 2 janvier 2027"),
        ("es", START, START, "1 de diciembre de 2026"),
        ("es", START - DAY, START + DAY, "30 de noviembre – 2 de diciembre de 2026"),
    ],
)
def test_the_period_is_written_as_the_language_writes_dates(language, start, end, expected):
    assert format_period(start, end, "UTC", language) == expected


@pytest.mark.parametrize(
    ("language", "opening", "cut"),
    [
        ("en", "Contributions were grouped by machine", "a distance of 0.94)"),
        ("fr", "Les contributions ont été regroupées automatiquement", "une distance de 0,94)"),
        ("es", "Las contribuciones se agruparon automáticamente", "una distancia de 0,94)"),
    ],
)
def test_the_method_annex_is_in_the_language_with_its_figures_written_the_languages_way(language, opening, cut):
    grouping = compiled(language).method.grouping
    assert grouping.startswith(opening)
    assert cut in grouping


def test_an_unknown_language_falls_back_to_english():
    synopsis = compile_synopsis(replace(fixed_input(), language="xx"))
    assert "## II. Synopsis of considerations and concerns" in render_markdown(synopsis)
