"""The renderer dispatcher: formats, MIME types and file names; also the sample synopses the renderer tests share."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from synopsis.model import ChallengeSection, MethodNote, OtherPoint, Synopsis, Theme
from synopsis.render import FORMATS, MIME_TYPES, filename_for, render
from synopsis.render_json import render_json
from synopsis.render_markdown import render_markdown


def make_synopsis(**changes: object) -> Synopsis:
    """A small synopsis: two challenges (one with themes and an other point, one empty), no ways forward."""
    synopsis = Synopsis(
        title="Strengthening the Norms",
        period="1–3 December 2026",
        session_count=3,
        participation_band="several",
        sections=(
            ChallengeSection(
                number=1,
                title="Transfers of cluster munitions",
                prompt="What worries you most about transfers?",
                themes=(
                    Theme(
                        number=1,
                        label="transfers territory normalisation",
                        statement="Transfers through the territory of States parties risk normalising the weapon.",
                        refs=("c1-01", "c1-04", "c1-07"),
                        contribution_band="a few",
                        support_band="several",
                        category_phrase="including civil society participants",
                    ),
                    Theme(
                        number=2,
                        label="survivors assistance",
                        statement="Assistance to survivors must not be forgotten",
                        refs=("c1-02", "c1-03"),
                        contribution_band=None,
                        support_band=None,
                        category_phrase=None,
                    ),
                ),
                other_points=(OtherPoint("Stockpile destruction deadlines deserve a closer look.", ("c1-05",)),),
                participation_band="several",
            ),
            ChallengeSection(
                number=2,
                title="Withdrawal from the Convention",
                prompt="How should States parties respond?",
                themes=(),
                other_points=(),
                participation_band=None,
            ),
        ),
        ways_forward=(),
        method=MethodNote(
            k=3,
            grouping="Contributions were grouped by the similarity of their wording, then reviewed by the moderators.",
            excluded_count_band=None,
            contribution_count_band="several",
        ),
    )
    return replace(synopsis, **changes)


def with_statement(text: str) -> Synopsis:
    """The sample synopsis with `text` as its first theme's statement."""
    synopsis = make_synopsis()
    section = synopsis.sections[0]
    theme = replace(section.themes[0], statement=text)
    return replace(synopsis, sections=(replace(section, themes=(theme, *section.themes[1:])), *synopsis.sections[1:]))


# ---------------------------------------------------------------- render


def test_the_formats_are_markdown_docx_and_json():
    assert FORMATS == ("md", "docx", "json")


def test_markdown_is_rendered_as_utf8_bytes():
    synopsis = make_synopsis()
    assert render(synopsis, "md") == render_markdown(synopsis).encode("utf-8")


def test_json_is_rendered_as_utf8_bytes():
    synopsis = make_synopsis()
    assert render(synopsis, "json") == render_json(synopsis).encode("utf-8")


def test_docx_is_rendered_as_a_zip_package():
    assert render(make_synopsis(), "docx").startswith(b"PK\x03\x04")


@pytest.mark.parametrize("fmt", ["pdf", "MD", "", ".md", "html"])
def test_an_unknown_format_raises_value_error(fmt):
    with pytest.raises(ValueError, match="unknown synopsis format"):
        render(make_synopsis(), fmt)


def test_every_format_renders_identically_twice():
    synopsis = make_synopsis()
    assert all(render(synopsis, fmt) == render(synopsis, fmt) for fmt in FORMATS)


def test_a_lone_surrogate_in_a_statement_still_gives_valid_utf8_json():
    data = render(with_statement("broken \ud800 text"), "json")
    assert json.loads(data.decode("utf-8"))["sections"][0]["themes"][0]["statement"] == "broken \ud800 text"


# ---------------------------------------------------------------- MIME types


def test_each_format_has_its_mime_type():
    assert MIME_TYPES == {
        "md": "text/markdown",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "json": "application/json",
    }


# ---------------------------------------------------------------- file names


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_file_name_is_synopsis_then_the_title_slug_then_the_format(fmt):
    assert filename_for(make_synopsis(), fmt) == f"synopsis-strengthening-the-norms.{fmt}"


def test_the_file_name_folds_accents_to_ascii():
    assert filename_for(make_synopsis(title="Déminage et coopération"), "md") == "synopsis-deminage-et-cooperation.md"


def test_the_file_name_cannot_climb_out_of_a_directory_or_carry_odd_characters():
    name = filename_for(make_synopsis(title='../../etc/passwd\x00 "x" \\ <y>|*?'), "md")
    assert re.fullmatch(r"synopsis-[a-z0-9]+(?:-[a-z0-9]+)*\.md", name), name


def test_a_long_title_is_cut_at_a_word_boundary_within_60_characters():
    title = "Strengthening the norms established by the Convention on Cluster Munitions in times of conflict"
    slug = filename_for(make_synopsis(title=title), "md").removeprefix("synopsis-").removesuffix(".md")
    assert len(slug) <= 60
    assert title.lower().replace(" ", "-").startswith(slug + "-")


def test_a_title_without_ascii_letters_gives_plain_synopsis():
    assert filename_for(make_synopsis(title="حوار أصحاب المصلحة"), "docx") == "synopsis.docx"


def test_the_file_name_refuses_an_unknown_format():
    with pytest.raises(ValueError):
        filename_for(make_synopsis(), "exe")
