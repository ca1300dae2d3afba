"""The scrubber's common-word check answers exactly as wordfreq would, from the small list shipped in the package.

The reference here is wordfreq itself (a test dependency): `is_common_word` and the check for State names that are
ordinary words must give wordfreq's answer on every word sampled, in every language and at every threshold the
scrubber uses, and the shipped list must be what `python -m privacy.build_common_words` makes from the installed
wordfreq, so the two cannot drift apart.
"""

from __future__ import annotations

import random

import pytest
from wordfreq import get_frequency_list, zipf_frequency

from privacy import forms
from privacy.forms import _is_ordinary_word, is_common_word, territory_names
from privacy.scripts import is_arabic, is_cyrillic, is_han

LATIN = ("en", "fr", "es")
LANGUAGES = ("en", "fr", "es", "ru", "ar")
THRESHOLDS = (4.0, 4.5, 5.0, 6.0)  # every floor privacy/forms.py compares a zipf frequency with
PER_LANGUAGE = 4000


def _reference_common(word: str, threshold: float) -> bool:
    """privacy.forms.is_common_word as it was written against wordfreq."""
    if is_arabic(word) or is_han(word):
        return False
    languages = (*LATIN, "ru") if is_cyrillic(word) else LATIN
    return any(zipf_frequency(word.casefold(), language) >= threshold for language in languages)


def _sample() -> list[str]:
    """Words around and above every threshold in each language, rarer ones, and name-like forms built from them."""
    chance = random.Random(20261208)
    words: set[str] = set()
    for language in LANGUAGES:
        buckets = get_frequency_list(language)
        common = [word for bucket in buckets[:560] for word in bucket]
        rare = [word for bucket in buckets[560:] for word in bucket]
        words.update(common)  # everything above the lowest threshold, and a little below
        picked = chance.sample(rare, PER_LANGUAGE)
        words.update(picked)
        two = chance.sample(common, 400)
        words.update(f"{a}-{b}" for a, b in zip(two[::2], two[1::2], strict=True))
        words.update(f"l'{w}" for w in chance.sample(common, 200))
        words.update(f"d’{w}" for w in chance.sample(common, 100))
        words.update(f"o'{w}" for w in chance.sample(rare, 100))
        words.update(f"{w}." for w in chance.sample(common, 100))
        words.update(w.upper() for w in chance.sample(common, 300))
        words.update(w.capitalize() for w in chance.sample(common + picked, 600))
    words.update(["U.S.", "Jean-Pierre", "aujourd'hui", "Aujourd’hui", "qu'il", "O'Brien", "al-Hashimi", "Nguyễn"])
    words.update(["ﻻ", "الحمــــــد", "كَلِمَة", "Ёлка", "ёлка", "naïve", "Straße", "ǅemal", "x·y", "a:b", "l@s"])
    return sorted(w for w in words if not any(ch.isdigit() for ch in w))


SAMPLE = _sample()


def test_the_sample_is_large_and_spans_every_language() -> None:
    assert len(SAMPLE) > 40_000
    assert any(is_cyrillic(w) for w in SAMPLE) and any(is_arabic(w) for w in SAMPLE)


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_is_common_word_answers_as_wordfreq_on_every_sampled_word(threshold: float) -> None:
    forms.is_common_word.cache_clear()
    wrong = [w for w in SAMPLE if is_common_word(w, threshold) != _reference_common(w, threshold)]
    assert wrong == []


def test_the_check_for_ordinary_state_names_answers_as_wordfreq() -> None:
    def reference(name: str) -> bool:
        if len(name.split()) != 1:
            return False
        lowered = name.casefold()
        language = "ar" if is_arabic(name) else "ru" if is_cyrillic(name) else None
        if language is None:
            return False
        if zipf_frequency(lowered, language) >= 6.0:
            return True
        return (
            language == "ar"
            and not lowered.startswith("ال")
            and zipf_frequency(lowered, "ar") >= 4.5
            and zipf_frequency("ال" + lowered, "ar") >= 4.0
        )

    import pycountry

    names = {n for c in pycountry.countries for n in territory_names(str(c.alpha_2))}
    names.update(w for w in SAMPLE if is_arabic(w) or is_cyrillic(w))
    assert {"Того", "مالي"} <= names
    wrong = [n for n in sorted(names) if _is_ordinary_word(n) != reference(n)]
    assert wrong == []


def test_the_shipped_list_is_what_the_build_script_makes_from_the_installed_wordfreq() -> None:
    from privacy.build_common_words import build
    from privacy.common_words import DATA_FILE

    assert DATA_FILE.read_text(encoding="utf-8") == build()


def test_a_word_with_a_digit_is_never_common() -> None:
    assert zipf_frequency("2024", "en") >= 4.5  # wordfreq's estimate for a year
    assert not is_common_word("2024")
    assert not is_common_word("Mark2")


def test_a_threshold_below_the_shipped_list_is_refused() -> None:
    from privacy.common_words import is_at_least

    with pytest.raises(ValueError, match="below"):
        is_at_least("the", "en", 3.0)
