"""No exact count below k leaves the bot in any synopsis format, whatever the size of a theme.

Synthetic dialogues put 1, 2, k-1, k and k+1 distinct people behind a theme (as writers, and as writers plus 👍
supporters, all of one stakeholder category), then every format is searched: the JSON by walking every value, the
Markdown and DOCX by their words.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import docx
import pytest

from i18n import document_text
from privacy.bands import A_FEW, MANY, SEVERAL
from synopsis.compile import compile_synopsis
from synopsis.model import ChallengeInput, ContributionInput, DialogueInput, Synopsis, SynopsisInput
from synopsis.render_docx import render_docx
from synopsis.render_json import STRUCTURAL_NUMBERS, render_json
from synopsis.render_markdown import render_markdown

START = 1_796_083_200.0  # 1 December 2026, 00:00 UTC
BANDS = {A_FEW, SEVERAL, MANY}
LANGUAGES = ("en", "fr", "es")  # the document languages (synopsis.document_locale): each is searched alike
# What a count would be written next to, in words or in figures, in any of the document languages.
COUNTED = (
    r"(?:participants?|contributions?|contributors?|people|persons?|supporters?|delegates?|members?"
    r"|personnes?|contributeurs?|délégués?|membres?"
    r"|participantes?|contribuciones?|personas?|delegad[oa]s?|miembros?)"
)
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
# French and Spanish "one" is also the indefinite article ("un participant": "a participant"), so it is left out
# of the words, as English "a" is; "1" in figures is still caught.
NUMBER_WORDS_IN = {
    "en": NUMBER_WORDS,
    "fr": ("zéro", "1", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"),
    "es": ("cero", "1", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez"),
}
TEXTS = (
    "Transfers of cluster munitions must be challenged publicly.",
    "Victim assistance for survivors needs predictable funding.",
    "States parties should respond firmly to the withdrawal from the Convention.",
    "Stockpile destruction deadlines deserve a closer look.",
    "Clearance of contaminated land should be financed jointly.",
)


def sizes(k: int) -> list[int]:
    return sorted({1, 2, max(k - 1, 1), k, k + 1})


def dialogue(k: int, *, supporters: bool) -> SynopsisInput:
    """One challenge per size n: n distinct people of one category behind the same statement.

    Without supporters, each of the n people writes it (exact duplicates merge into one theme, or one "other
    point" for n = 1); with supporters, one person writes it twice and the other n - 1 endorse it with 👍.
    """
    challenges = []
    contributions = []
    categories = {}
    for number, n in enumerate(sizes(k), start=1):
        challenges.append(ChallengeInput(number, f"Challenge on topic {NUMBER_WORDS[number]}", "What follows?"))
        people = [f"c{number}-p{index}" for index in range(n)]
        categories.update(dict.fromkeys(people, "civil society"))
        text = TEXTS[(number - 1) % len(TEXTS)]
        if supporters:
            writer, others = people[0], frozenset(people[1:])
            for copy in range(2):
                contributions.append(ContributionInput(f"r{number}x{copy}", number, text, writer, others, START))
        else:
            for index, person in enumerate(people):
                contributions.append(ContributionInput(f"r{number}x{index}", number, text, person, created_at=START))
    return SynopsisInput(
        dialogue=DialogueInput("Strengthening the norms", START, START + 3600, session_count=1),
        challenges=tuple(challenges),
        contributions=tuple(contributions),
        categories=categories,
        k=k,
    )


def numbers(value: Any, path: str = "$") -> Iterator[tuple[str, str | None, Any]]:
    """Every number in a JSON document, with the key it sits under and its path (booleans are not numbers)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                yield f"{path}.{key}", key, item
            else:
                yield from numbers(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                yield f"{path}[{index}]", None, item
            else:
                yield from numbers(item, f"{path}[{index}]")


def strings(value: Any, key: str | None = None) -> Iterator[tuple[str | None, str]]:
    """Every string in a JSON document, with the key it sits under (None inside a list)."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from strings(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def small_counts_written(text: str, k: int, language: str = "en") -> list[str]:
    """Every "2 participants", "two contributions", "1 person", "deux personnes" and the like with a number below k."""
    below = [str(n) for n in range(k)] + list(NUMBER_WORDS_IN[language][:k])
    between = r"(?:distinct\s+|other\s+|autres?\s+|otr[oa]s\s+)?"
    pattern = rf"\b(?:{'|'.join(below)})\s+{between}{COUNTED}\b"
    return re.findall(pattern, text, flags=re.IGNORECASE)


def compiled(k: int, supporters: bool, language: str = "en") -> Synopsis:
    return compile_synopsis(replace(dialogue(k, supporters=supporters), language=language))


CASES = [(k, supporters) for k in (2, 3, 5) for supporters in (False, True)]
IDS = [f"k{k}-{'supporters' if supporters else 'writers'}" for k, supporters in CASES]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("k", "supporters"), CASES, ids=IDS)
def test_every_number_in_the_json_is_structural_and_every_count_a_band(k, supporters, language):
    document = json.loads(render_json(compiled(k, supporters, language)))
    bands = {document_text(language, band) for band in BANDS}

    for path, key, value in numbers(document):
        assert key in STRUCTURAL_NUMBERS, f"{path} = {value}: a number that is not an ordinal or a setting"
    for key, value in strings(document):
        if key is not None and key.endswith("_band"):
            assert value in bands, f"{key} = {value!r}"
        assert not small_counts_written(value, k, language), f"{key}: {value!r}"
    assert document["method"]["k"] == k


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("k", "supporters"), CASES, ids=IDS)
def test_no_count_below_k_is_written_in_the_markdown_or_the_docx(k, supporters, language):
    synopsis = compiled(k, supporters, language)
    word = docx.Document(io.BytesIO(render_docx(synopsis)))
    docx_text = "\n".join(paragraph.text for paragraph in word.paragraphs)

    for text in (render_markdown(synopsis), docx_text):
        assert not small_counts_written(text, k, language)
        assert not re.search(r"\(\s*\d+\s*\)", text)  # no bare "(2)" after a statement either


@pytest.mark.parametrize(("k", "supporters"), CASES, ids=IDS)
def test_themes_carry_bands_and_categories_only_from_k_people(k, supporters):
    synopsis = compiled(k, supporters)

    for section, n in zip(synopsis.sections, sizes(k), strict=True):
        themes = section.themes
        if n == 1 and not supporters:
            assert themes == () and len(section.other_points) == 1
            continue
        (theme,) = themes
        if n < k:
            assert (theme.support_band, theme.category_phrase) == (None, None), n
        else:
            assert theme.support_band in BANDS, n
            assert theme.category_phrase == "including civil society participants", n


def test_the_k_threshold_decides_what_is_shown():
    # The same three people behind a theme: shown with k = 3, hidden with k = 4.
    people = [f"p{index}" for index in range(3)]
    contributions = tuple(ContributionInput(f"r{i}", 1, TEXTS[0], person) for i, person in enumerate(people))

    def theme(k: int):
        data = SynopsisInput(
            DialogueInput("T", START, START, 1),
            (ChallengeInput(1, "One", "?"),),
            contributions,
            dict.fromkeys(people, "survivor"),
            k=k,
        )
        return compile_synopsis(data).sections[0].themes[0]

    assert (theme(3).support_band, theme(3).contribution_band, theme(3).category_phrase) == (
        A_FEW,
        A_FEW,
        "including survivors",
    )
    assert (theme(4).support_band, theme(4).contribution_band, theme(4).category_phrase) == (None, None, None)


def test_the_method_annex_says_which_numbers_are_exact_and_why():
    markdown = render_markdown(compiled(3, False))
    annex = markdown[markdown.index("Annex: Method") :]

    assert "no exact number of participants or contributions" in annex
    assert "number of sessions" in annex
