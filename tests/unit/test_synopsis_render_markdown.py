"""The draft synopsis as Markdown: the model document's shape, bands instead of counts, and inert participant text."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from synopsis.model import OtherPoint, WayForward
from synopsis.render_markdown import escape_markdown, render_markdown
from tests.support.time_guard import finishes_within
from tests.unit.test_synopsis_render import make_synopsis, with_statement

HEADINGS = [
    "## I. Introduction",
    "## II. Synopsis of considerations and concerns",
    "### Challenge 1: Transfers of cluster munitions",
    "### Challenge 2: Withdrawal from the Convention",
    "## III. Suggested ways forward",
    "## Annex: Method",
    "## Annex: Contributions by theme",
    "### Challenge 1: Transfers of cluster munitions",
]


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def paragraph(text: str, starts_with: str) -> str:
    """The numbered paragraph whose text starts with `starts_with`, with its bullets."""
    match = re.search(rf"^\d+\. {re.escape(starts_with)}.*?(?=\n\n(?! )|\Z)", text, re.M | re.S)
    assert match, f"no paragraph starting {starts_with!r}"
    return match.group(0)


def test_the_document_opens_with_the_title_block():
    assert lines(render_markdown(make_synopsis()))[:4] == [
        "# Strengthening the Norms",
        "1–3 December 2026",
        "**Draft synopsis, prepared under the Chatham House Rule**",
        "*Draft — not for circulation without review by the Implementation Support Unit.*",
    ]


def test_an_empty_period_leaves_no_blank_line_in_the_title_block():
    assert (
        lines(render_markdown(make_synopsis(period="")))[1]
        == "**Draft synopsis, prepared under the Chatham House Rule**"
    )


def test_the_sections_and_the_annex_come_in_order():
    headings = [line for line in lines(render_markdown(make_synopsis())) if line.startswith("#")]
    assert headings == ["# Strengthening the Norms", *HEADINGS]


def test_paragraphs_are_numbered_continuously_across_sections():
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", render_markdown(make_synopsis()), re.M)]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= 10


def test_bullets_are_indented_under_their_numbered_paragraph_and_not_numbered():
    text = paragraph(render_markdown(make_synopsis()), "The dialogue considered")
    assert text.splitlines()[2:] == [
        "   - Challenge 1: Transfers of cluster munitions;",
        "   - Challenge 2: Withdrawal from the Convention.",
    ]


def test_the_introduction_says_how_many_sessions_in_words():
    assert "was held over three sessions (1–3 December 2026)." in render_markdown(make_synopsis())


def test_the_introduction_gives_participation_as_a_band():
    assert "\n3. Several participants contributed to the dialogue.\n" in render_markdown(make_synopsis())


def test_participation_below_the_threshold_is_not_reported():
    text = render_markdown(make_synopsis(participation_band=None))
    assert "3. Participation is not reported below the reporting threshold." in text


def test_no_number_of_people_is_ever_printed():
    assert not re.search(r"\d+\s+(?:participants?|people|persons|members|supporters)", render_markdown(make_synopsis()))


def test_each_challenge_opens_with_the_considerations_paragraph():
    text = render_markdown(make_synopsis())
    assert "The dialogue expressed the following considerations and concerns on Transfers of cluster munitions:" in text


def test_a_theme_bullet_shows_its_support_band_and_category_phrase():
    bullets = paragraph(render_markdown(make_synopsis()), "The dialogue expressed").splitlines()[2:]
    assert bullets[0] == (
        "   - Transfers through the territory of States parties risk normalising the weapon "
        "(supported by several participants, including civil society participants);"
    )


def test_a_theme_below_the_threshold_has_no_band():
    bullets = paragraph(render_markdown(make_synopsis()), "The dialogue expressed").splitlines()[2:]
    assert bullets[1] == "   - Assistance to survivors must not be forgotten."


def test_other_points_follow_the_themes_as_their_own_bullets():
    text = render_markdown(make_synopsis())
    assert paragraph(text, "Other points raised:").splitlines() == [
        "5. Other points raised:",
        "",
        "   - Stockpile destruction deadlines deserve a closer look.",
    ]


def test_a_challenge_with_only_other_points_lists_them_under_its_title():
    synopsis = make_synopsis()
    section = replace(synopsis.sections[0], themes=())
    text = render_markdown(replace(synopsis, sections=(section, synopsis.sections[1])))
    assert "4. Other points raised on Transfers of cluster munitions:" in text
    assert "considerations and concerns on Transfers" not in text


def test_a_challenge_without_contributions_says_so():
    text = render_markdown(make_synopsis())
    assert (
        "### Challenge 2: Withdrawal from the Convention\n\n6. No contributions were recorded on this challenge."
        in text
    )


def test_references_and_theme_labels_are_printed_only_in_the_annex_of_contributions():
    text, annex = render_markdown(make_synopsis()).split("## Annex: Contributions by theme", 1)
    assert "c1-0" not in text
    assert "c1-05" in annex
    assert "transfers territory normalisation" not in text


def test_the_ways_forward_placeholder_stands_in_when_there_are_none():
    text = render_markdown(make_synopsis())
    assert "## III. Suggested ways forward\n\n7. [To be completed by the Implementation Support Unit.]" in text


def test_ways_forward_are_bulleted_and_grouped_by_challenge_in_section_order():
    ways = (
        WayForward(2, "Convene a dialogue on withdrawal", ("c2-01",)),
        WayForward(1, "Report transfers to the ISU.", ("c1-09",)),
        WayForward(2, "Engage the withdrawing State", ("c2-02",)),
    )
    text = render_markdown(make_synopsis(ways_forward=ways))
    assert "[To be completed" not in text
    assert paragraph(text, "On Challenge 1").splitlines() == [
        "7. On Challenge 1: Transfers of cluster munitions, the following ways forward were suggested:",
        "",
        "   - Report transfers to the ISU.",
    ]
    assert paragraph(text, "On Challenge 2").splitlines()[2:] == [
        "   - Convene a dialogue on withdrawal;",
        "   - Engage the withdrawing State.",
    ]


def test_the_annex_explains_grouping_threshold_exclusions_and_anonymity():
    annex = render_markdown(make_synopsis()).split("## Annex: Method\n\n", 1)[1].split("## Annex: Contributions", 1)[0]
    assert [re.sub(r"^\d+\. ", "", line) for line in lines(annex)] == [
        "Contributions were grouped by the similarity of their wording, then reviewed by the moderators.",
        "Counts and stakeholder categories are shown only when at least 3 distinct participants stand behind them, "
        "and then as bands: a few, several, many. Apart from the number of sessions, which follows from the published "
        "schedule, no exact number of participants or contributions is given, not even for the whole dialogue: a "
        "participant who knows how many contributions they made could learn from an exact figure what others did. "
        "The annex of contributions lists the contributions themselves, so that the draft can be checked, but never "
        "who made or supported one, nor how many people stand behind a theme.",
        "In all, several contributions were recorded. Contributions excluded by the moderators are not counted here.",
        "Names of participants and affiliations were replaced with [participant] and [affiliation] before "
        "contributions were stored; how many contributions had one is not reported below the reporting threshold.",
        "Contributions were recorded without names; this document attributes nothing to any participant or "
        "affiliation.",
        "Statements marked (machine-drafted) are the theme's most representative contribution, with its first "
        "person (“we”, “our”, “I”) rewritten in reported form by fixed rules; a sentence the rules could not rewrite "
        "safely is kept as written. Statements under a heading of the secretariat are that heading.",
        "No statement was written or edited by the secretariat.",
    ]


def test_exclusions_at_or_above_the_threshold_are_given_as_a_band():
    synopsis = make_synopsis()
    text = render_markdown(replace(synopsis, method=replace(synopsis.method, excluded_count_band="a few")))
    assert "A few contributions were excluded by the moderators and are not reflected here." in text


def test_contributions_changed_by_scrubbing_are_given_as_a_band():
    synopsis = make_synopsis()
    text = render_markdown(replace(synopsis, method=replace(synopsis.method, scrubbed_count_band="several")))
    assert (
        "Several contributions named a participant or an affiliation; the names were replaced with [participant] "
        "or [affiliation] before they were stored." in text
    )


def test_the_document_ends_with_one_newline():
    text = render_markdown(make_synopsis())
    assert text.endswith(".\n")
    assert not text.endswith("\n\n")


def test_the_same_synopsis_gives_identical_markdown():
    assert render_markdown(make_synopsis()) == render_markdown(make_synopsis())


# ---------------------------------------------------------------- participants' text cannot change the structure


def test_a_statement_starting_with_a_hash_cannot_make_a_heading():
    text = render_markdown(with_statement("# Breaking news"))
    assert [line for line in text.splitlines() if line.lstrip(" -").startswith("#")] == [
        line for line in render_markdown(make_synopsis()).splitlines() if line.startswith("#")
    ]
    assert "   - \\# Breaking news (supported by several participants" in text


def test_a_statement_with_a_script_tag_cannot_inject_html():
    text = render_markdown(with_statement("Hello <script>alert(1)</script>"))
    assert not re.search(r"(?<!\\)<", text)
    assert "\\<script>alert(1)\\</script>" in text


def test_a_statement_with_a_link_cannot_make_a_link():
    text = render_markdown(with_statement("See [x](http://evil) now"))
    assert "](" not in text.replace("\\](", "")
    assert "See [x\\](http://evil) now" in text


def test_a_statement_with_line_breaks_stays_on_its_bullet():
    text = render_markdown(with_statement("first line\n# second line\n\n> third"))
    assert "   - first line \\# second line > third (supported" in text


def test_scrubbed_placeholders_stay_readable():
    text = render_markdown(with_statement("[participant] said [affiliation] agrees"))
    assert "   - \\[participant] said [affiliation] agrees (supported" in text


def test_a_title_cannot_end_its_heading_early_or_lose_a_trailing_hash():
    text = render_markdown(make_synopsis(title="Norms #"))
    assert text.startswith("# Norms \\#\n")


def test_other_points_are_escaped_too():
    synopsis = make_synopsis()
    section = replace(synopsis.sections[0], other_points=(OtherPoint("- * [a]: http://evil", ("c1-05",)),))
    text = render_markdown(replace(synopsis, sections=(section, synopsis.sections[1])))
    assert "   - \\- \\* [a\\]: http://evil." in text


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("# heading", "\\# heading"),
        ("> quote", "\\> quote"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("* item", "\\* item"),
        ("2026. A year", "2026\\. A year"),
        ("3) item", "3\\) item"),
        ("[x] task", "\\[x] task"),
        ("*bold* _em_ `code` ~~gone~~", "\\*bold\\* \\_em\\_ \\`code\\` \\~\\~gone\\~\\~"),
        ("a <b> c", "a \\<b> c"),
        ("![img](http://evil/x.png)", "![img\\](http://evil/x.png)"),
        ("[ref][1] and [x]: http://evil", "\\[ref\\][1] and [x\\]: http://evil"),
        ("back\\slash", "back\\\\slash"),
        ("&lt;script&gt; & co", "\\&lt;script\\&gt; & co"),
        ("C# and F#", "C# and F#"),
        ("plain [participant] text", "plain [participant] text"),
    ],
)
def test_escape_markdown_neutralises_markdown_syntax(raw, escaped):
    assert escape_markdown(raw) == escaped


def test_escape_markdown_away_from_a_line_start_leaves_leading_dashes_alone():
    assert escape_markdown("- not a list", line_start=False) == "- not a list"


def test_a_statement_with_a_long_run_of_punctuation_inside_renders_in_linear_time():
    # "[.;,:\s]+$" searched from each position of a run that does not end the text took quadratic time.
    statement = "a" + ". " * 32_000 + "b."
    text = finishes_within(10, render_markdown, with_statement(statement))
    assert "a. . . " in text
    assert ". . b" in text
