"""The draft synopsis as DOCX: real Word headings, numbered paragraphs, fixed metadata, identical bytes every time."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import docx
import pytest

from synopsis.render_docx import render_docx
from tests.unit.test_synopsis_render import make_synopsis, with_statement


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def texts(data: bytes, style_prefix: str) -> list[str]:
    return [p.text for p in open_docx(data).paragraphs if p.style.name.startswith(style_prefix)]


def test_the_title_is_in_the_title_style():
    assert texts(render_docx(make_synopsis()), "Title") == ["Strengthening the Norms"]


def test_the_title_block_follows_the_title():
    paragraphs = [p.text for p in open_docx(render_docx(make_synopsis())).paragraphs]
    assert paragraphs[1:4] == [
        "1–3 December 2026",
        "Draft synopsis, prepared under the Chatham House Rule",
        "Draft — not for circulation without review by the Implementation Support Unit.",
    ]


def test_the_notice_is_bold_and_the_draft_note_italic():
    paragraphs = open_docx(render_docx(make_synopsis())).paragraphs
    assert (paragraphs[2].runs[0].bold, paragraphs[3].runs[0].italic) == (True, True)


def test_the_sections_are_word_headings_in_order():
    assert texts(render_docx(make_synopsis()), "Heading") == [
        "I. Introduction",
        "II. Synopsis of considerations and concerns",
        "Challenge 1: Transfers of cluster munitions",
        "Challenge 2: Withdrawal from the Convention",
        "III. Suggested ways forward",
        "Annex: Method",
        "Annex: Contributions by theme",
        "Challenge 1: Transfers of cluster munitions",
    ]


def test_parts_are_heading_1_and_challenges_heading_2():
    styles = {p.text: p.style.name for p in open_docx(render_docx(make_synopsis())).paragraphs}
    assert (styles["I. Introduction"], styles["Challenge 1: Transfers of cluster munitions"]) == (
        "Heading 1",
        "Heading 2",
    )


def test_paragraphs_carry_continuous_numbers_as_text():
    numbers = [
        int(match.group(1))
        for p in open_docx(render_docx(make_synopsis())).paragraphs
        if (match := re.match(r"(\d+)\.\t", p.text))
    ]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= 10


def test_the_numbering_matches_the_markdown():
    from synopsis.render_markdown import render_markdown

    synopsis = make_synopsis()
    markdown = re.findall(r"^(\d+)\. (.*)$", render_markdown(synopsis), re.M)
    word = [tuple(p.text.split("\t", 1)) for p in open_docx(render_docx(synopsis)).paragraphs if "\t" in p.text]
    assert [(n, text[:30]) for n, text in markdown] == [(n.rstrip("."), text[:30]) for n, text in word]


def test_theme_bullets_are_list_bullets_with_their_bands():
    bullets = texts(render_docx(make_synopsis()), "List Bullet")
    assert (
        "Transfers through the territory of States parties risk normalising the weapon "
        "(supported by several participants, including civil society participants);"
    ) in bullets
    assert "Stockpile destruction deadlines deserve a closer look." in bullets


def test_the_ways_forward_placeholder_is_a_numbered_paragraph():
    paragraphs = [p.text for p in open_docx(render_docx(make_synopsis())).paragraphs]
    assert "7.\t[To be completed by the Implementation Support Unit.]" in paragraphs


def test_participant_text_is_written_literally_without_markdown_escapes():
    bullets = texts(render_docx(with_statement("# Hello <script> [x](http://evil)")), "List Bullet")
    assert any(b.startswith("# Hello <script> [x](http://evil) (supported") for b in bullets)


def test_references_and_labels_are_only_in_the_annex_of_contributions():
    document = "\n".join(p.text for p in open_docx(render_docx(make_synopsis())).paragraphs)
    body, annex = document.split("Annex: Contributions by theme", 1)
    assert "c1-0" not in body
    assert "c1-05" in annex
    assert "transfers territory normalisation" not in body


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_author_is_the_bot_and_never_a_person(language):
    properties = open_docx(render_docx(make_synopsis(language=language))).core_properties
    assert (properties.author, properties.last_modified_by) == ("dialogue-bot", "dialogue-bot")


def test_the_core_properties_carry_the_title_and_fixed_dates():
    properties = open_docx(render_docx(make_synopsis())).core_properties
    fixed = datetime(2000, 1, 1, tzinfo=UTC)
    assert (properties.title, properties.created, properties.modified) == ("Strengthening the Norms", fixed, fixed)


def test_no_python_docx_boilerplate_is_left_in_the_metadata():
    properties = open_docx(render_docx(make_synopsis())).core_properties
    assert "python-docx" not in f"{properties.comments} {properties.author} {properties.last_modified_by}"


def test_the_same_synopsis_gives_byte_identical_docx():
    assert render_docx(make_synopsis()) == render_docx(make_synopsis())


def test_zip_entries_have_a_fixed_date_and_order():
    with zipfile.ZipFile(io.BytesIO(render_docx(make_synopsis()))) as package:
        infos = package.infolist()
    names = [info.filename for info in infos]
    assert names[0] == "[Content_Types].xml"
    assert names[1:] == sorted(names[1:])
    assert {info.date_time for info in infos} == {(2000, 1, 1, 0, 0, 0)}


def test_the_template_thumbnail_is_dropped():
    with zipfile.ZipFile(io.BytesIO(render_docx(make_synopsis()))) as package:
        assert not [name for name in package.namelist() if "thumbnail" in name]


def test_control_characters_in_participant_text_do_not_break_the_document():
    bullets = texts(render_docx(with_statement("bell\x07 and\x0bvertical tab")), "List Bullet")
    assert any(b.startswith("bell andvertical tab (supported") for b in bullets)
