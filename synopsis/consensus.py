"""Consensus marks: how participants answered a challenge's theme statements, as broad agreement, mixed views or
divided, with nothing about any one person.

The rule (also printed in the method annex, `RULE_TEXT`): a theme is marked only when at least k people answered it
(agree, disagree or pass). With n such people, a agreeing and d disagreeing,
- a/n >= 0.7 and d/n <= 0.15: broad agreement;
- a/n >= 0.35 and d/n >= 0.35: divided;
- otherwise: mixed views.
Passes count in n, as "seen" statements do in Polis's agree ratio (Small et al., "Polis: Scaling deliberation by
mapping high dimensional opinion spaces", 2021): a statement many people passed on has not found broad agreement.
The thresholds follow the spirit of Polis's consensus statements (a large agreeing majority and few against) and of
its "divisive" statements (substantial shares on both sides), as fixed shares rather than group-informed
probabilities, since a dialogue's rounds are too small for stable opinion groups.

Marks by stakeholder category are given only when the voters on a theme fall into at least two parts (categories,
and those without one) and every part has at least k voters: otherwise one small part's answers could be read off
the difference between the whole and the rest. Voter numbers appear only as bands (privacy.bands).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from i18n import document_marked
from privacy.bands import band
from privacy.categories import DEFAULT_CATEGORIES, StakeholderCategories

# The marks are the model's values in English; the renderers write them in the document's language.
BROAD_AGREEMENT = document_marked("broad agreement")
MIXED_VIEWS = document_marked("mixed views")
DIVIDED = document_marked("divided")

AGREE_AT_LEAST = 0.7
DISAGREE_AT_MOST = 0.15
DIVIDED_EACH_AT_LEAST = 0.35

RULE_TEXT = document_marked(
    "In a consensus round after a challenge closed, each participant was sent the challenge's theme statements by "
    "direct message and could answer each with agree, disagree or pass; answers were stored without names and are "
    "never shown per person, and answers after the round's window were not counted. A theme is marked only when at "
    "least {k} people answered it. Of those who answered, if at least 70% agreed and at most 15% disagreed, the "
    "theme is marked broad agreement; if at least 35% agreed and at least 35% disagreed, divided; otherwise mixed "
    "views. Passes count among those who answered, as in the agree ratio of Polis. Marks by stakeholder category are "
    "given only when every category among those who answered, and those without one, has at least {k} of them."
)


@dataclass(frozen=True, slots=True)
class ConsensusVoteInput:
    position: int
    member_key: str
    choice: str  # "agree", "disagree" or "pass"


@dataclass(frozen=True, slots=True)
class ConsensusThemeInput:
    position: int
    statement: str


@dataclass(frozen=True, slots=True)
class ConsensusRoundInput:
    challenge_number: int
    themes: tuple[ConsensusThemeInput, ...]
    votes: tuple[ConsensusVoteInput, ...]
    closed: bool  # marks are given only once the window has closed, so no one can watch them move vote by vote


@dataclass(frozen=True, slots=True)
class CategoryMark:
    category: str  # the category's plural, as in the synopsis's category phrases
    mark: str


@dataclass(frozen=True, slots=True)
class ConsensusMark:
    position: int
    statement: str
    mark: str | None  # None: fewer than k people answered (or the round is still open)
    voter_band: str | None
    by_category: tuple[CategoryMark, ...] = ()


@dataclass(frozen=True, slots=True)
class ConsensusRoundResult:
    challenge_number: int
    marks: tuple[ConsensusMark, ...]


def mark_for(choices: list[str], k: int) -> str | None:
    """The mark for one theme's answers (one per person), or None below k."""
    n = len(choices)
    if n < k or n == 0:
        return None
    agree = choices.count("agree") / n
    disagree = choices.count("disagree") / n
    if agree >= AGREE_AT_LEAST and disagree <= DISAGREE_AT_MOST:
        return BROAD_AGREEMENT
    if agree >= DIVIDED_EACH_AT_LEAST and disagree >= DIVIDED_EACH_AT_LEAST:
        return DIVIDED
    return MIXED_VIEWS


def _by_category(
    votes: list[ConsensusVoteInput], categories: Mapping[str, str], k: int, names: StakeholderCategories
) -> tuple[CategoryMark, ...]:
    parts: dict[str | None, list[str]] = {}
    for vote in votes:
        parts.setdefault(categories.get(vote.member_key) or None, []).append(vote.choice)
    if len(parts) < 2 or any(len(choices) < k for choices in parts.values()):
        return ()
    order = {name: index for index, name in enumerate(names.phrase_order())}
    named = sorted(
        (category for category in parts if category is not None), key=lambda c: (order.get(c, len(order)), c)
    )
    return tuple(CategoryMark(names.plural(category), mark_for(parts[category], k) or "") for category in named)


def consensus_results(
    rounds: tuple[ConsensusRoundInput, ...],
    k: int,
    categories: Mapping[str, str] | None = None,
    names: StakeholderCategories = DEFAULT_CATEGORIES,
) -> tuple[ConsensusRoundResult, ...]:
    """Each round's marks, in challenge order; pure and deterministic."""
    results = []
    for round_ in sorted(rounds, key=lambda item: item.challenge_number):
        marks = []
        for theme in sorted(round_.themes, key=lambda item: item.position):
            votes = [vote for vote in round_.votes if vote.position == theme.position]
            if not round_.closed:
                marks.append(ConsensusMark(theme.position, theme.statement, None, None))
                continue
            mark = mark_for([vote.choice for vote in votes], k)
            by_category = _by_category(votes, categories or {}, k, names) if mark is not None else ()
            marks.append(ConsensusMark(theme.position, theme.statement, mark, band(len(votes), k), by_category))
        results.append(ConsensusRoundResult(round_.challenge_number, tuple(marks)))
    return tuple(results)
