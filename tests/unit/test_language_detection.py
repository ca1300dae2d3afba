"""Each contribution's language, detected offline among the six UN languages; None when the text cannot tell."""

from __future__ import annotations

import asyncio

import pytest

from synopsis.language import INLINE_MAX_CHARS, UN_LANGUAGES, detect_language, detect_language_off_loop

# Not in the benchmark's set, so the threshold is not only right for the texts it was chosen on.
SAMPLES = {
    "en": "Mine action operators need predictable funding to plan surveys beyond one year.",
    "fr": "Les opérateurs de déminage ont besoin d'un financement prévisible pour planifier leurs enquêtes.",
    "es": "Los operadores de desminado necesitan financiación previsible para planificar sus estudios.",
    "ru": "Операторам по разминированию нужно предсказуемое финансирование для планирования обследований.",
    "ar": "يحتاج مشغلو إزالة الألغام إلى تمويل يمكن التنبؤ به لتخطيط عمليات المسح.",
    "zh": "排雷行动者需要可预测的资金，以便规划一年以上的调查工作。",
}


def test_the_six_un_languages_are_the_ones_detected() -> None:
    assert set(UN_LANGUAGES) == set(SAMPLES)


@pytest.mark.parametrize(("code", "text"), sorted(SAMPLES.items()))
def test_a_contribution_in_each_un_language_is_detected_as_that_language(code: str, text: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize(
    "text",
    ["", "   ", "OK", "+1", "Article 21", "CCM / ISU", "UXO, ERW", "2026-2030", "ISU: 21.3(b)", "[participant]"],
)
def test_a_text_too_short_or_without_a_language_of_its_own_gets_none(text: str) -> None:
    assert detect_language(text) is None


def test_scrubbing_placeholders_do_not_make_a_french_contribution_english() -> None:
    # The placeholders are English words the scrubber put there, not the writer's.
    text = "[participant] [affiliation] : d'accord avec [participant] et [affiliation] sur ce point"
    assert detect_language(text) == "fr"


def test_an_acronym_or_article_number_inside_a_sentence_does_not_change_its_language() -> None:
    assert detect_language("La ISU debería publicar una guía sobre el artículo 21 y la CCM.") == "es"
    assert detect_language("我们支持 CCM 第21条和 ISU 的工作。") == "zh"


async def test_detection_off_the_event_loop_gives_the_same_answer_while_the_loop_keeps_running() -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    try:
        # A text long enough to go to a worker thread even with the model loaded (short ones run on the loop).
        long_text = " ".join([SAMPLES["ru"]] * (INLINE_MAX_CHARS // len(SAMPLES["ru"]) + 1))
        assert await detect_language_off_loop(long_text) == "ru"
    finally:
        ticker.cancel()
    assert ticks > 0
