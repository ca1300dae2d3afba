"""The consensus rule: broad agreement, mixed views or divided, only from k answers, category marks only where each
part has k, and nothing per person."""

from __future__ import annotations

from synopsis.consensus import (
    BROAD_AGREEMENT,
    DIVIDED,
    MIXED_VIEWS,
    ConsensusRoundInput,
    ConsensusThemeInput,
    ConsensusVoteInput,
    consensus_results,
    mark_for,
)


def votes(position: int, *choices: str, prefix: str = "m") -> tuple[ConsensusVoteInput, ...]:
    return tuple(ConsensusVoteInput(position, f"{prefix}{i}", choice) for i, choice in enumerate(choices))


def round_of(*vote_sets: tuple[ConsensusVoteInput, ...], closed: bool = True) -> ConsensusRoundInput:
    themes = tuple(ConsensusThemeInput(position, f"Statement {position}") for position in (1, 2, 3))
    return ConsensusRoundInput(2, themes, tuple(vote for group in vote_sets for vote in group), closed)


def test_a_large_agreeing_majority_with_few_against_is_broad_agreement() -> None:
    assert mark_for(["agree"] * 7 + ["disagree"] * 1 + ["pass"] * 2, 3) == BROAD_AGREEMENT
    assert mark_for(["agree"] * 5, 3) == BROAD_AGREEMENT


def test_substantial_shares_on_both_sides_are_divided() -> None:
    assert mark_for(["agree", "agree", "disagree", "disagree", "pass"], 3) == DIVIDED


def test_anything_else_is_mixed_views() -> None:
    assert mark_for(["agree", "agree", "agree", "pass", "pass"], 3) == MIXED_VIEWS  # 60% agree
    assert mark_for(["agree"] * 7 + ["disagree"] * 2 + ["pass"], 3) == MIXED_VIEWS  # 20% against
    assert mark_for(["disagree"] * 4, 3) == MIXED_VIEWS


def test_passes_count_among_those_who_answered() -> None:
    # 3 of 5 agree when the passes count: not the 100% it would be without them.
    assert mark_for(["agree", "agree", "agree", "pass", "pass"], 3) == MIXED_VIEWS


def test_fewer_than_k_answers_give_no_mark() -> None:
    assert mark_for(["agree", "agree"], 3) is None
    [result] = consensus_results((round_of(votes(1, "agree", "agree")),), 3)
    assert [(mark.mark, mark.voter_band) for mark in result.marks] == [(None, None)] * 3


def test_marks_carry_bands_never_counts_or_keys() -> None:
    [result] = consensus_results((round_of(votes(1, *["agree"] * 5), votes(2, "agree", "disagree", "pass")),), 3)
    first, second, third = result.marks
    assert (first.mark, first.voter_band) == (BROAD_AGREEMENT, "several")
    assert (second.mark, second.voter_band) == (MIXED_VIEWS, "a few")
    assert third.mark is None
    assert "m0" not in repr(result)


def test_an_open_round_shows_no_mark_so_no_one_can_watch_it_move_vote_by_vote() -> None:
    [result] = consensus_results((round_of(votes(1, *["agree"] * 5), closed=False),), 3)
    assert all(mark.mark is None and mark.voter_band is None for mark in result.marks)


def test_category_marks_only_where_every_part_has_k() -> None:
    agree = votes(1, "agree", "agree", "agree", prefix="cs")
    disagree = votes(1, "disagree", "disagree", "disagree", prefix="sp")
    categories = {f"cs{i}": "civil society" for i in range(3)} | {f"sp{i}": "State party" for i in range(3)}
    [result] = consensus_results((round_of(agree + disagree),), 3, categories)
    assert result.marks[0].mark == DIVIDED
    assert [(part.category, part.mark) for part in result.marks[0].by_category] == [
        ("civil society participants", BROAD_AGREEMENT),
        ("States parties", MIXED_VIEWS),
    ]
    # One state fewer: that part has two, so no category is split out at all.
    [result] = consensus_results((round_of(agree + disagree[:2]),), 3, categories)
    assert result.marks[0].mark is not None
    assert result.marks[0].by_category == ()


def test_voters_without_a_category_are_a_part_of_their_own() -> None:
    categorised = votes(1, "agree", "agree", "agree", prefix="cs")
    uncategorised = votes(1, "agree", "pass", prefix="x")
    categories = {f"cs{i}": "civil society" for i in range(3)}
    [result] = consensus_results((round_of(categorised + uncategorised),), 3, categories)
    assert result.marks[0].by_category == ()  # the two without a category would be the rest: too few


def test_every_format_shows_the_marks_and_bands_and_no_key_or_exact_count() -> None:
    import io
    import json
    from dataclasses import replace

    import docx

    from synopsis.compile import compile_synopsis
    from synopsis.render import render
    from tests.unit.test_synopsis_compile import synopsis_input

    keys = tuple(f"voterkey{i:02d}" for i in range(7))
    round_ = ConsensusRoundInput(
        1,
        (ConsensusThemeInput(1, "Universality matters"), ConsensusThemeInput(2, "Funding is short")),
        tuple(ConsensusVoteInput(1, key, "agree") for key in keys)
        + tuple(ConsensusVoteInput(2, key, "disagree") for key in keys[:2]),
        closed=True,
    )
    synopsis = compile_synopsis(replace(synopsis_input([]), consensus=(round_,)))
    markdown = render(synopsis, "md").decode()
    structure = json.loads(render(synopsis, "json"))
    document = docx.Document(io.BytesIO(render(synopsis, "docx")))
    word = "\n".join(paragraph.text for paragraph in document.paragraphs)
    for text in (markdown, word):
        assert "Universality matters (broad agreement; answered by several participants)" in text
        assert "Funding is short" not in text  # two answers: below k, not shown
        assert "no theme is marked" not in text
    assert [(t["mark"], t["voter_band"]) for t in structure["consensus"][0]["themes"]] == [
        ("broad agreement", "several"),
        (None, None),
    ]
    everything = markdown + word + json.dumps(structure)
    assert not any(key in everything for key in keys)
    assert " 7 " not in everything and " 2 " not in everything
