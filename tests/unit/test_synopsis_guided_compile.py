"""Guided themes in the compiled synopsis: headings become themes, the rest keeps the machine grouping."""

from __future__ import annotations

from synopsis.compile import compile_synopsis
from synopsis.grouping import CHOSEN
from synopsis.guided import GuidedParams
from synopsis.model import ChallengeInput, ContributionInput, DialogueInput, SynopsisInput
from synopsis.render_json import render_json
from synopsis.render_markdown import render_markdown

START = 1_796_083_200.0
HEADINGS = (
    "Withdrawal from the Convention and a firm response",
    "Predictable funding for victim assistance and survivors",
)
TEXTS = {
    "w1": "States parties should respond firmly to the withdrawal from the Convention.",
    "w2": "The withdrawal needs a firm collective response.",
    "w3": "A withdrawal from the Convention weakens everyone.",
    "a1": "Victim assistance for survivors needs predictable funding.",
    "a2": "Survivors depend on funding that is predictable.",
    "z1": "Could tomorrow's session start half an hour earlier?",
    "z2": "Could tomorrow's session start half an hour earlier please?",
}


def data(headings: tuple[str, ...] = HEADINGS, texts: dict[str, str] = TEXTS) -> SynopsisInput:
    return SynopsisInput(
        dialogue=DialogueInput("Strengthening the norms", START, START, 1),
        challenges=(ChallengeInput(1, "Norms", "What challenges the norms?", headings),),
        contributions=tuple(
            ContributionInput(ref, 1, text, f"m-{ref}", created_at=START) for ref, text in texts.items()
        ),
        k=3,
    )


def test_contributions_go_under_the_secretariats_headings_in_heading_order():
    section = compile_synopsis(data()).sections[0]
    guided = [theme for theme in section.themes if theme.heading is not None]
    assert [(theme.heading, set(theme.refs)) for theme in guided] == [
        (HEADINGS[0], {"w1", "w2", "w3"}),
        (HEADINGS[1], {"a1", "a2"}),
    ]
    assert [theme.number for theme in section.themes[:2]] == [1, 2]


def test_what_no_heading_takes_keeps_the_machine_grouping():
    section = compile_synopsis(data()).sections[0]
    machine = [theme for theme in section.themes if theme.heading is None]
    assert [set(theme.refs) for theme in machine] == [{"z1", "z2"}]


def test_a_contribution_raising_two_points_is_listed_under_both_but_counted_once():
    texts = {
        **TEXTS,
        "b1": "The withdrawal from the Convention and predictable funding for victim assistance and survivors.",
    }
    # A margin wide enough that this two-point message is a near tie between the headings.
    synopsis = compile_synopsis(data(texts=texts), CHOSEN, GuidedParams(tie_margin=0.4))
    holding = [theme.heading for theme in synopsis.sections[0].themes if "b1" in theme.refs]
    assert holding == list(HEADINGS)
    assert (
        synopsis.method.contribution_count_band
        == compile_synopsis(data(headings=(), texts=texts)).method.contribution_count_band
    )


def test_the_markdown_and_json_show_the_headings():
    synopsis = compile_synopsis(data())
    assert HEADINGS[0] in render_markdown(synopsis)
    assert '"heading": "Withdrawal from the Convention and a firm response"' in render_json(synopsis)


def test_without_headings_the_grouping_is_the_machines_alone():
    section = compile_synopsis(data(headings=())).sections[0]
    assert all(theme.heading is None for theme in section.themes)
