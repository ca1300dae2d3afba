"""The synopsis compiler: duplicates, themes, other points, bands, overrides, ways forward and determinism."""

from __future__ import annotations

import random
from dataclasses import replace

from synopsis.compile import compile_synopsis
from synopsis.grouping import CHOSEN
from synopsis.model import (
    ChallengeInput,
    ContributionInput,
    DialogueInput,
    Overrides,
    Synopsis,
    SynopsisInput,
    Theme,
)

START = 1_796_083_200.0  # 1 December 2026, 00:00 UTC
DAY = 86_400.0

WITHDRAWAL = (
    "States parties should respond firmly to the withdrawal from the Convention.",
    "The withdrawal from the Convention needs a firm response from States parties.",
    "A firm collective response to the withdrawal from the Convention is needed.",
)
ASSISTANCE = (
    "Victim assistance for survivors needs predictable funding.",
    "Predictable funding for victim assistance and survivors is essential.",
    "Survivors depend on predictable victim assistance funding.",
)
TRANSFERS = (
    "Transfers of cluster munitions must be challenged.",
    "Transfers of cluster munitions must be challenged publicly.",
    "All transfers of cluster munitions should be challenged.",
    "Cluster munition transfers must always be challenged.",
)
NO_OVERRIDES = Overrides()
OFF_TOPIC = "Could tomorrow's session start half an hour earlier?"


def contribution(
    ref: str,
    text: str,
    member: str | None = None,
    *,
    challenge: int = 1,
    supporters: tuple[str, ...] = (),
    at: float = START,
) -> ContributionInput:
    return ContributionInput(
        ref=ref,
        challenge_number=challenge,
        text=text,
        member_key=member or f"m-{ref}",
        supporter_keys=frozenset(supporters),
        created_at=at,
    )


def synopsis_input(
    contributions: list[ContributionInput] | tuple[ContributionInput, ...],
    *,
    challenges: int = 1,
    overrides: Overrides = NO_OVERRIDES,
    categories: dict[str, str] | None = None,
    k: int = 3,
    ended_at: float | None = START + 2 * DAY,
    timezone: str = "UTC",
) -> SynopsisInput:
    return SynopsisInput(
        dialogue=DialogueInput("Strengthening the norms", START, ended_at, 2, timezone),
        challenges=tuple(ChallengeInput(n, f"Challenge {n}", f"Prompt {n}") for n in range(1, challenges + 1)),
        contributions=tuple(contributions),
        categories=categories or {},
        overrides=overrides,
        k=k,
    )


def numbered(prefix: str, texts: tuple[str, ...], **kwargs: object) -> list[ContributionInput]:
    return [contribution(f"{prefix}{n}", text, **kwargs) for n, text in enumerate(texts, start=1)]  # type: ignore[arg-type]


def two_themes_and_an_outlier() -> list[ContributionInput]:
    return [*numbered("w", WITHDRAWAL), *numbered("a", ASSISTANCE), contribution("z1", OFF_TOPIC)]


def theme_holding(synopsis: Synopsis, ref: str, challenge: int = 1) -> Theme:
    return next(theme for theme in synopsis.sections[challenge - 1].themes if ref in theme.refs)


def all_refs(synopsis: Synopsis) -> set[str]:
    refs = {ref for section in synopsis.sections for theme in section.themes for ref in theme.refs}
    refs |= {ref for section in synopsis.sections for point in section.other_points for ref in point.refs}
    return refs | {ref for way in synopsis.ways_forward for ref in way.refs}


# ---------------------------------------------------------------- duplicates, themes, other points


def test_exact_duplicates_merge_into_one_theme_keeping_every_ref_and_the_count():
    text = "The stigma against cluster munitions must be rebuilt."
    synopsis = compile_synopsis(synopsis_input([contribution(f"d{n}", text) for n in range(1, 4)]))
    (theme,) = synopsis.sections[0].themes
    assert (theme.refs, len(theme.refs), theme.statement) == (("d1", "d2", "d3"), 3, text)


def test_near_duplicates_merge_into_one_theme_keeping_every_ref_and_the_count():
    texts = (
        "The stigma against cluster munitions must be rebuilt.",
        "the stigma against cluster munitions must be rebuilt!!",
        "The stigma against cluster munition must be rebuilt",
    )
    synopsis = compile_synopsis(synopsis_input(numbered("n", texts)))
    (theme,) = synopsis.sections[0].themes
    assert (theme.refs, len(theme.refs)) == (("n1", "n2", "n3"), 3)
    assert synopsis.sections[0].other_points == ()


def test_distinct_themes_stay_apart():
    synopsis = compile_synopsis(synopsis_input(two_themes_and_an_outlier()))
    assert sorted(theme.refs for theme in synopsis.sections[0].themes) == [("a1", "a2", "a3"), ("w1", "w2", "w3")]


def test_a_contribution_matching_no_other_is_kept_under_other_points():
    synopsis = compile_synopsis(synopsis_input(two_themes_and_an_outlier()))
    (point,) = synopsis.sections[0].other_points
    assert (point.statement, point.refs) == (OFF_TOPIC, ("z1",))


def test_the_statement_is_the_contribution_most_similar_to_the_rest_of_its_theme():
    texts = (
        "Survivors need victim assistance.",
        "Survivors need victim assistance and predictable funding.",
        "Victim assistance needs predictable funding.",
    )
    synopsis = compile_synopsis(synopsis_input(numbered("s", texts)))
    (theme,) = synopsis.sections[0].themes
    assert theme.statement == texts[1]


def test_the_label_names_distinctive_keywords_as_they_were_written():
    synopsis = compile_synopsis(synopsis_input([*numbered("t", TRANSFERS), *numbered("a", ASSISTANCE)]))
    words = theme_holding(synopsis, "t1").label.split(", ")
    assert 2 <= len(words) <= 4
    assert "transfers" in words or "challenged" in words


def test_scrubbed_placeholders_stay_intact_in_statements():
    texts = (
        "[participant] said survivors in [affiliation] wait years for victim assistance.",
        "[participant] said survivors in [affiliation] wait years for victim assistance.",
    )
    synopsis = compile_synopsis(synopsis_input([*numbered("p", texts), contribution("q1", "[participant] agreed.")]))
    assert synopsis.sections[0].themes[0].statement == texts[0]
    assert synopsis.sections[0].other_points[0].statement == "[participant] agreed."


def test_a_challenge_without_contributions_gets_a_section_with_no_themes():
    synopsis = compile_synopsis(synopsis_input(numbered("w", WITHDRAWAL), challenges=2))
    empty = synopsis.sections[1]
    assert (empty.number, empty.title, empty.themes, empty.other_points) == (2, "Challenge 2", (), ())
    assert empty.participation_band is None


def test_a_dialogue_without_any_contribution_compiles():
    synopsis = compile_synopsis(synopsis_input([], challenges=2, ended_at=None))
    assert [section.themes for section in synopsis.sections] == [(), ()]
    assert (synopsis.participation_band, synopsis.period) == (None, "1 December 2026")


def test_contributions_to_a_challenge_the_dialogue_does_not_list_are_left_out():
    synopsis = compile_synopsis(
        synopsis_input([*numbered("w", WITHDRAWAL), contribution("x1", OFF_TOPIC, challenge=9)])
    )
    assert "x1" not in all_refs(synopsis)


def test_themes_are_numbered_by_support_then_size():
    many_people = numbered("w", WITHDRAWAL, supporters=("s1", "s2", "s3"))
    bigger = [*numbered("t", TRANSFERS)]
    synopsis = compile_synopsis(synopsis_input([*many_people, *bigger, *numbered("a", ASSISTANCE)]))
    themes = synopsis.sections[0].themes
    assert [theme.number for theme in themes] == [1, 2, 3]
    assert [theme.refs[0] for theme in themes] == ["w1", "t1", "a1"]


def test_equal_themes_are_ordered_by_their_first_ref():
    synopsis = compile_synopsis(synopsis_input([*numbered("b", ASSISTANCE), *numbered("a", WITHDRAWAL)]))
    assert [theme.refs[0] for theme in synopsis.sections[0].themes] == ["a1", "b1"]


def test_refs_are_sorted_in_natural_order():
    text = "The stigma against cluster munitions must be rebuilt."
    synopsis = compile_synopsis(synopsis_input([contribution(ref, text) for ref in ("c10", "c9", "c1")]))
    assert synopsis.sections[0].themes[0].refs == ("c1", "c9", "c10")


# ---------------------------------------------------------------- bands and categories


def test_support_below_k_is_not_shown():
    synopsis = compile_synopsis(synopsis_input(numbered("w", WITHDRAWAL[:2])))
    assert synopsis.sections[0].themes[0].support_band is None


def test_support_counts_contributors_and_supporters_as_a_band():
    synopsis = compile_synopsis(synopsis_input(numbered("w", WITHDRAWAL[:2], supporters=("s1", "s2"))))
    assert synopsis.sections[0].themes[0].support_band == "a few"  # 2 writers + 2 supporters = 4


def test_a_supporter_of_several_contributions_in_a_theme_is_counted_once():
    synopsis = compile_synopsis(synopsis_input(numbered("w", WITHDRAWAL, supporters=("s1", "s2"))))
    assert synopsis.sections[0].themes[0].support_band == "several"  # 3 writers + 2 supporters = 5, not 9


def test_a_contributor_who_also_supports_is_counted_once():
    contributions = [
        contribution("w1", WITHDRAWAL[0], "alice", supporters=("bob",)),
        contribution("w2", WITHDRAWAL[1], "bob", supporters=("alice",)),
        contribution("w3", WITHDRAWAL[2], "alice"),
    ]
    synopsis = compile_synopsis(synopsis_input(contributions))
    assert synopsis.sections[0].themes[0].support_band is None  # two people, below k = 3


def test_a_higher_k_hides_what_a_lower_k_shows():
    contributions = numbered("w", WITHDRAWAL, supporters=("s1",))  # 4 people
    assert compile_synopsis(synopsis_input(contributions, k=3)).sections[0].themes[0].support_band == "a few"
    assert compile_synopsis(synopsis_input(contributions, k=5)).sections[0].themes[0].support_band is None


def test_only_categories_reaching_k_are_named():
    contributions = numbered("w", WITHDRAWAL, supporters=("s1", "s2"))
    categories = {"m-w1": "civil society", "m-w2": "civil society", "s1": "civil society", "m-w3": "survivor"}
    synopsis = compile_synopsis(synopsis_input(contributions, categories=categories))
    assert synopsis.sections[0].themes[0].category_phrase == "including civil society participants"


def test_no_category_reaching_k_gives_no_category_phrase():
    contributions = numbered("w", WITHDRAWAL)
    categories = {"m-w1": "civil society", "m-w2": "survivor", "unknown-key": "survivor"}
    synopsis = compile_synopsis(synopsis_input(contributions, categories=categories))
    assert synopsis.sections[0].themes[0].category_phrase is None


def test_a_variant_category_spelling_counts_and_an_unknown_one_is_ignored():
    contributions = numbered("w", WITHDRAWAL)
    categories = {"m-w1": "CSO", "m-w2": "NGOs", "m-w3": "civil society", "m-x": "astronaut"}
    synopsis = compile_synopsis(synopsis_input(contributions, categories=categories))
    assert synopsis.sections[0].themes[0].category_phrase == "including civil society participants"


def test_participation_is_a_band_of_distinct_contributors_per_section_and_overall():
    contributions = [
        *numbered("w", WITHDRAWAL, supporters=("s1", "s2", "s3")),
        contribution("a1", ASSISTANCE[0], "m-w1", challenge=2),
    ]
    synopsis = compile_synopsis(synopsis_input(contributions, challenges=2))
    assert synopsis.participation_band == "a few"  # m-w1, m-w2, m-w3 (supporters are not contributors)
    assert [section.participation_band for section in synopsis.sections] == ["a few", None]


def test_the_method_note_counts_contributions_and_exclusions_as_bands():
    contributions = [*numbered("w", WITHDRAWAL), *numbered("a", ASSISTANCE), contribution("z1", OFF_TOPIC)]
    overrides = Overrides(excluded=frozenset({"a1", "a2", "a3", "gone"}))
    method = compile_synopsis(synopsis_input(contributions, overrides=overrides)).method
    assert (method.k, method.contribution_count_band, method.excluded_count_band) == (3, "a few", "a few")
    assert "0.94" in method.grouping and "3 people" in method.grouping


# ---------------------------------------------------------------- overrides and ways forward


def test_excluded_refs_are_absent_everywhere():
    overrides = Overrides(excluded=frozenset({"w1", "z1"}), ways_forward=frozenset({"w1"}))
    synopsis = compile_synopsis(synopsis_input(two_themes_and_an_outlier(), overrides=overrides))
    assert all_refs(synopsis) == {"w2", "w3", "a1", "a2", "a3"}
    assert synopsis.method.excluded_count_band is None  # two exclusions, below k


def test_a_join_merges_the_first_refs_theme_into_the_seconds():
    overrides = Overrides(joins=(("w2", "a3"),))
    synopsis = compile_synopsis(synopsis_input(two_themes_and_an_outlier(), overrides=overrides))
    (theme,) = synopsis.sections[0].themes
    assert theme.refs == ("a1", "a2", "a3", "w1", "w2", "w3")


def test_a_move_puts_a_ref_into_the_target_refs_theme():
    overrides = Overrides(moves=(("z1", "w1"),))
    synopsis = compile_synopsis(synopsis_input(two_themes_and_an_outlier(), overrides=overrides))
    assert theme_holding(synopsis, "w1").refs == ("w1", "w2", "w3", "z1")
    assert synopsis.sections[0].other_points == ()


def test_a_move_to_nowhere_takes_a_ref_out_on_its_own():
    overrides = Overrides(moves=(("w3", None),))
    synopsis = compile_synopsis(synopsis_input(two_themes_and_an_outlier(), overrides=overrides))
    assert theme_holding(synopsis, "w1").refs == ("w1", "w2")
    assert ("w3",) in [point.refs for point in synopsis.sections[0].other_points]


def test_moves_apply_after_joins():
    overrides = Overrides(joins=(("w1", "a1"),), moves=(("w2", None),))
    synopsis = compile_synopsis(synopsis_input(two_themes_and_an_outlier(), overrides=overrides))
    assert theme_holding(synopsis, "a1").refs == ("a1", "a2", "a3", "w1", "w3")


def test_joins_and_moves_survive_a_new_contribution():
    overrides = Overrides(joins=(("w2", "a3"),), moves=(("z1", "t1"),))
    before = [*two_themes_and_an_outlier(), *numbered("t", TRANSFERS)]
    after = [*before, contribution("n1", "A new contribution about victim assistance and predictable funding.")]
    for contributions in (before, after):
        synopsis = compile_synopsis(synopsis_input(contributions, overrides=overrides))
        assert {"w1", "w2", "w3", "a1", "a2", "a3"} <= set(theme_holding(synopsis, "a1").refs)
        assert "z1" in theme_holding(synopsis, "t1").refs


def test_overrides_naming_refs_that_no_longer_exist_are_ignored():
    overrides = Overrides(joins=(("gone", "w1"), ("w1", "gone")), moves=(("gone", "w1"), ("w1", "gone")))
    plain = compile_synopsis(synopsis_input(two_themes_and_an_outlier()))
    assert compile_synopsis(synopsis_input(two_themes_and_an_outlier(), overrides=overrides)) == plain


def test_overrides_across_challenges_are_ignored():
    contributions = [*numbered("w", WITHDRAWAL), *numbered("a", ASSISTANCE, challenge=2)]
    overrides = Overrides(joins=(("w1", "a1"),), moves=(("w2", "a2"),))
    synopsis = compile_synopsis(synopsis_input(contributions, challenges=2, overrides=overrides))
    assert [theme.refs for theme in synopsis.sections[0].themes] == [("w1", "w2", "w3")]


def test_ways_forward_are_listed_per_challenge_in_ref_order_and_still_count_in_their_theme():
    contributions = [*numbered("w", WITHDRAWAL), *numbered("a", ASSISTANCE, challenge=2)]
    overrides = Overrides(ways_forward=frozenset({"a2", "w3", "w1"}))
    synopsis = compile_synopsis(synopsis_input(contributions, challenges=2, overrides=overrides))
    listed = [(way.challenge_number, way.refs, way.statement) for way in synopsis.ways_forward]
    assert listed == [(1, ("w1",), WITHDRAWAL[0]), (1, ("w3",), WITHDRAWAL[2]), (2, ("a2",), ASSISTANCE[1])]
    assert len(theme_holding(synopsis, "w1").refs) == 3


# ---------------------------------------------------------------- determinism


def test_compiling_twice_gives_equal_synopses():
    data = synopsis_input([*two_themes_and_an_outlier(), *numbered("t", TRANSFERS)])
    assert compile_synopsis(data) == compile_synopsis(data)


def test_shuffled_contribution_order_gives_an_equal_synopsis():
    contributions = [*two_themes_and_an_outlier(), *numbered("t", TRANSFERS), *numbered("x", WITHDRAWAL)]
    expected = compile_synopsis(synopsis_input(contributions))
    for seed in range(5):
        shuffled = contributions[:]
        random.Random(seed).shuffle(shuffled)
        assert compile_synopsis(synopsis_input(shuffled)) == expected


def test_the_large_challenge_path_is_order_independent_and_said_in_the_method_note():
    texts = [*WITHDRAWAL, *ASSISTANCE, *TRANSFERS, OFF_TOPIC]
    contributions = [contribution(f"c{n}", f"{text} ({n % 7})") for n, text in enumerate(texts * 4)]
    params = replace(CHOSEN, large_threshold=10)
    expected = compile_synopsis(synopsis_input(contributions), params)
    shuffled = contributions[:]
    random.Random(1).shuffle(shuffled)
    assert compile_synopsis(synopsis_input(shuffled), params) == expected
    assert "fixed sample of 10" in expected.method.grouping
    refs = theme_holding(expected, "c0").refs  # WITHDRAWAL[0] is c0, c11, c22 and c33, with different suffixes
    assert {"c0", "c11", "c22", "c33"} <= set(refs)
    assert not {"c3", "c4", "c5"} & set(refs)  # ASSISTANCE


# ---------------------------------------------------------------- period


def test_the_period_of_a_one_day_dialogue_is_that_day():
    data = synopsis_input(numbered("w", WITHDRAWAL), ended_at=START + 3_600)
    assert compile_synopsis(data).period == "1 December 2026"


def test_the_period_within_a_month_names_the_month_once():
    assert compile_synopsis(synopsis_input(numbered("w", WITHDRAWAL))).period == "1–3 December 2026"


def test_the_period_across_months_and_years_names_both_ends():
    nov_30 = START - DAY
    data = synopsis_input([], ended_at=START + DAY)
    across_months = replace(data, dialogue=replace(data.dialogue, started_at=nov_30))
    assert compile_synopsis(across_months).period == "30 November – 2 December 2026"
    across_years = replace(data, dialogue=replace(data.dialogue, ended_at=START + 32 * DAY))
    assert compile_synopsis(across_years).period == "1 December 2026 – 2 January 2027"


def test_an_open_dialogue_runs_to_its_last_contribution_in_its_own_time_zone():
    contributions = [contribution("w1", WITHDRAWAL[0], at=START + DAY + 23.5 * 3_600)]  # 2 Dec 23:30 UTC
    data = synopsis_input(contributions, ended_at=None, timezone="Asia/Tokyo")  # 3 Dec 08:30 in Tokyo
    assert compile_synopsis(data).period == "1–3 December 2026"


def test_a_repeated_ref_is_compiled_once():
    text = "The stigma against cluster munitions must be rebuilt."
    contributions = [contribution("d1", text), contribution("d1", text, "someone-else"), contribution("d2", text)]
    (theme,) = compile_synopsis(synopsis_input(contributions)).sections[0].themes
    assert (theme.refs, len(theme.refs)) == (("d1", "d2"), 2)


# ---------------------------------------------------------------- scrubbing in the synopsis


def test_the_method_note_bands_how_many_contributions_scrubbing_changed():
    contributions = [replace(c, scrubbed=c.ref in ("w1", "w2", "a1", "a3")) for c in two_themes_and_an_outlier()]
    assert compile_synopsis(synopsis_input(contributions)).method.scrubbed_count_band == "a few"
    few = [replace(c, scrubbed=c.ref == "w1") for c in two_themes_and_an_outlier()]
    assert compile_synopsis(synopsis_input(few)).method.scrubbed_count_band is None


def test_a_statement_mostly_of_placeholders_is_passed_over_for_a_readable_one():
    texts = (
        "Survivors need victim assistance.",
        "[participant], [affiliation], [participant] and [affiliation]: survivors need victim assistance and funding.",
        "Victim assistance needs predictable funding.",
    )
    synopsis = compile_synopsis(synopsis_input(numbered("s", texts)))
    (theme,) = synopsis.sections[0].themes
    assert theme.refs == ("s1", "s2", "s3")
    assert theme.statement != texts[1]


def test_a_statement_mostly_of_placeholders_is_kept_when_no_other_is_readable():
    texts = ("[participant] and [affiliation] agree.",) * 3
    synopsis = compile_synopsis(synopsis_input(numbered("s", texts)))
    assert synopsis.sections[0].themes[0].statement == texts[0]
