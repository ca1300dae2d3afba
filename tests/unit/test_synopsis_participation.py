"""Participation per challenge and per day, as bands, never below k: in the model, the annex and the JSON."""

from __future__ import annotations

import json
import re
from datetime import date

from synopsis.compile import compile_synopsis
from synopsis.model import ChallengeInput, ContributionInput, DialogueInput, Overrides, SynopsisInput
from synopsis.participation import ChallengeBar, DayBar
from synopsis.render_json import render_json
from synopsis.render_markdown import render_markdown

DAY_ONE = 1_796_112_000.0  # 1 December 2026, 08:00 UTC
DAY_TWO = DAY_ONE + 86_400


def contribution(ref: str, challenge: int, member: str, at: float, text: str = "") -> ContributionInput:
    return ContributionInput(
        ref=ref,
        challenge_number=challenge,
        text=text or f"Transfers through the territory of States parties, point {ref}.",
        member_key=member,
        created_at=at,
    )


def data(contributions: tuple[ContributionInput, ...], **extra) -> SynopsisInput:
    return SynopsisInput(
        dialogue=DialogueInput(title="Norms", started_at=DAY_ONE, ended_at=None, session_count=2),
        challenges=(ChallengeInput(1, "Transfers", "?"), ChallengeInput(2, "Withdrawal", "?")),
        contributions=contributions,
        k=3,
        **extra,
    )


# Challenge 1: six contributions from four people on day one; challenge 2: nine contributions from two people on
# day two (many contributions, too few people to say so).
CONTRIBUTIONS = (
    *(contribution(f"A{i}", 1, f"m{i % 4}", DAY_ONE + i) for i in range(6)),
    *(contribution(f"B{i}", 2, f"m{i % 2}", DAY_TWO + i, f"Withdrawal sets a precedent, {i}.") for i in range(9)),
)


def test_contributions_are_banded_per_challenge_only_where_k_people_stand_behind_them():
    shown = compile_synopsis(data(CONTRIBUTIONS)).participation

    assert shown.by_challenge == (ChallengeBar(1, "several"), ChallengeBar(2, None))


def test_a_day_on_which_fewer_than_k_people_contributed_is_left_out():
    shown = compile_synopsis(data(CONTRIBUTIONS)).participation

    assert shown.by_day == (DayBar(date(2026, 12, 1), "several"),)


def test_excluded_contributions_do_not_count():
    excluded = frozenset({"A0", "A1", "A2", "A4", "A5"})
    shown = compile_synopsis(data(CONTRIBUTIONS, overrides=Overrides(excluded=excluded))).participation

    assert shown.by_challenge == (ChallengeBar(1, None), ChallengeBar(2, None))
    assert shown.by_day == ()
    assert "Annex: Participation" not in render_markdown(compile_synopsis(data(CONTRIBUTIONS[:2])))


def test_the_annex_gives_the_bands_and_no_number():
    markdown = render_markdown(compile_synopsis(data(CONTRIBUTIONS)))
    annex = markdown.split("## Annex: Participation", 1)[1]

    assert "- Challenge 1: several contributions;" in annex
    assert "- Challenge 2: not reported." in annex
    assert "- 1 December 2026: several contributions." in annex
    assert "2 December 2026" not in annex
    assert not re.search(r"\d+ (?:contributions|participants)\b", annex.replace("than 3 distinct participants", ""))


def test_the_annex_is_written_in_the_document_language():
    markdown = render_markdown(compile_synopsis(data(CONTRIBUTIONS, language="fr")))

    assert "## Annexe : Participation" in markdown
    assert "- Défi 1 : plusieurs contributions ;" in markdown or "- Défi 1 : plusieurs contributions;" in markdown
    assert "1 décembre 2026 : plusieurs contributions." in markdown


def test_the_json_gives_the_bands_under_participation():
    document = json.loads(render_json(compile_synopsis(data(CONTRIBUTIONS))))

    assert document["participation"] == {
        "by_challenge": [
            {"challenge_number": 1, "contributions_band": "several"},
            {"challenge_number": 2, "contributions_band": None},
        ],
        "by_day": [{"date": "2026-12-01", "contributions_band": "several"}],
    }
