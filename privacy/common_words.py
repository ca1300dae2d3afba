"""How frequent a word is in English, French, Spanish, Russian or Arabic, as wordfreq says, for frequent words only.

The scrubber asks one thing of word frequencies: is this word at least this frequent (zipf 4.0 to 6.0, see
`privacy.forms`)? wordfreq answers from whole lists it keeps in memory once loaded (34–108 MiB per language), so the
bot reads instead the words of zipf :data:`FLOOR` and above, shipped in `privacy/data/common_words.json` (written by
`python -m privacy.build_common_words`; some 45,000 words, about 8 MiB in memory), and computes wordfreq's figure for
them the way wordfreq does: the same normalisation and case folding, the same word breaks (a hyphen splits, an
apostrophe between letters does not, a French elision such as "l'" is its own token), several tokens combined as
1/f = 1/f1 + 1/f2 + …, rounded to three significant digits and then to hundredths of a zipf. A token not in the
file is rarer than the floor, and so is any combination containing it (combining only lowers a frequency), so every
answer at or above the floor is wordfreq's. The unit tests check that on a large sample of words in all five languages.

One difference, on purpose: wordfreq estimates numbers ("2024") from a formula, not a list; here a word with a digit
is never frequent, so a name part such as "Delegate2024" is always taken out, whatever its case.
"""

from __future__ import annotations

import json
import math
import re
import threading
import unicodedata
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ru", "ar")
"""The languages the scrubber looks words up in."""

FLOOR = 4.0
"""The lowest zipf frequency that can be asked about: rarer words are not in the file."""

# wordfreq's buckets are centibels below a frequency of 1 (zipf 9): bucket b is zipf 9 - b/100. A few buckets past
# the floor are kept so that rounding can never put a word left out at or above it.
LAST_BUCKET = round((9 - FLOOR) * 100) + 5

DATA_FILE = Path(__file__).with_name("data") / "common_words.json"

# Word breaks as wordfreq's tokenizer (Unicode's word boundaries, UAX #29) makes them, for text without digits:
# letters, marks and underscores run together, and so do two runs joined by one of these between letters ("o'brien",
# "u.s", "x·y"); each symbol (an emoji) is a token of its own.
_JOINERS = frozenset("'.:·\u0387\u055f\u05f4\u2018\u2019\u2024\u2027\ufe13\ufe52\ufe55\uff07\uff0e\uff1a")
# French and Catalan elision: one or two letters and an ASCII apostrophe before a vowel are a token of their own.
_ELISION = re.compile(r"(?:[^\W\d]|[\u0300-\u036f]){1,2}'(?=[aehiouyáéíóúàèìòùâêîôûåïöœ])")
_TATWEEL = "\u0640"
_MARKS = "".join(chr(c) for c in range(0x300, 0x370))

_lock = threading.Lock()
_loaded: list[dict[str, dict[str, float]]] = []  # empty until first use; then the frequencies by language


def _tables() -> dict[str, dict[str, float]]:
    """The frequencies of the shipped words, by language: read once per process, on first use (about 0.1 s)."""
    if _loaded:
        return _loaded[0]
    with _lock:
        if not _loaded:
            lists: dict[str, list[list[str]]] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
            # The same expression as wordfreq's cB_to_freq(-bucket), so the floats are the same.
            _loaded.append(
                {
                    language: {
                        word: 10 ** (-bucket / 100) for bucket, words in enumerate(lists[language]) for word in words
                    }
                    for language in LANGUAGES
                }
            )
    return _loaded[0]


def _normalised(text: str, language: str) -> str:
    if language == "ar":
        # wordfreq's Arabic preprocessing: NFKC, then vowel marks and tatweels removed.
        # (Marks are removed as they stand after NFKC, not decomposed: "آ" stays "آ".)
        text = unicodedata.normalize("NFKC", text)
        text = "".join(ch for ch in text if ch != _TATWEEL and unicodedata.category(ch) != "Mn")
    else:
        text = unicodedata.normalize("NFC", text)
    return unicodedata.normalize("NFC", text.casefold())


def _is_letter(text: str, at: int) -> bool:
    return 0 <= at < len(text) and unicodedata.category(text[at])[0] == "L"


def _is_word_character(text: str, at: int) -> bool:
    return 0 <= at < len(text) and (text[at].isalnum() or unicodedata.category(text[at]) in ("Pc", "Mn", "Mc"))


def _gender_ending(text: str, at: int, after_word: bool) -> str:
    """ "@s" or "@" when wordfreq's tokenizer ends a word with it at `at`, else ""."""
    if text[at + 1 : at + 2] == "s" and not _is_word_character(text, at + 2):
        return "@s"
    return "@" if after_word and not _is_word_character(text, at + 1) else ""


def _runs(text: str) -> list[str]:
    runs: list[str] = []
    current = ""
    symbol = False  # whether `current` is a symbol's token, which a letter does not continue
    skip = 0
    for i, ch in enumerate(text):
        if skip:
            skip -= 1
            continue
        category = unicodedata.category(ch)
        if category[0] == "L" or category == "Pc":
            if symbol:
                runs.append(current)
                current, symbol = "", False
            current += ch
        elif category[0] == "M" or category == "Cf":
            if current:
                current += ch  # a mark, or a joiner such as ZWJ, belongs to the character before it
        elif (
            ch in _JOINERS
            and current
            and not symbol
            and _is_letter(text, i + 1)
            and _is_letter(stem := current.rstrip(_MARKS), len(stem) - 1)
        ):
            current += ch
        elif ch == "@" and not symbol and (ending := _gender_ending(text, i, bool(current))):
            # Spanish gender-neutral "niñ@s", "l@s": wordfreq keeps the "@" (and an "s" after it) in the word.
            runs.append(current + ending)
            current, skip = "", len(ending) - 1
        else:
            if current:
                runs.append(current)
            current, symbol = (ch, True) if category == "So" else ("", False)
    if current:
        runs.append(current)
    return runs


def tokens(text: str, language: str) -> list[str]:
    """The tokens wordfreq would look `text` up as, in `language` (text without digits)."""
    found: list[str] = []
    for run in _runs(_normalised(text, language)):
        while (elided := _ELISION.match(run)) is not None:
            found.append(elided.group(0).strip("'"))
            run = run[elided.end() :]
        found.append(run.strip("'").replace("\u2019", "'").replace("\u2018", "'"))
    return [token for token in found if token]


def zipf(word: str, language: str) -> float:
    """wordfreq's `zipf_frequency(word, language)` when it is :data:`FLOOR` or more, else some lower figure (0.0)."""
    if any(ch.isdigit() for ch in word):
        return 0.0
    table = _tables()[language]
    parts = tokens(word, language)
    if not parts:
        return 0.0
    one_over = 0.0
    for part in parts:
        frequency = table.get(part)
        if frequency is None:
            return 0.0
        one_over += 1.0 / frequency
    frequency = 1.0 / one_over
    # wordfreq's rounding: three significant digits, then the zipf figure to hundredths.
    rounded = round(frequency, math.floor(-math.log(frequency, 10)) + 3)
    return round(math.log(rounded, 10) + 9, 2)


def is_at_least(word: str, language: str, threshold: float) -> bool:
    """Whether `word`'s zipf frequency in `language` is `threshold` or more (as wordfreq says)."""
    if threshold < FLOOR:
        raise ValueError(f"zipf {threshold} is below the {FLOOR} the common-word list goes down to")
    return zipf(word, language) >= threshold
