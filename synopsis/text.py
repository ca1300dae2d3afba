"""Text helpers for the synopsis compiler: comparison keys, reference ordering and the tokens used for grouping.

Everything here is pure and deterministic. Display text is never changed: these functions only build the keys and
tokens that contributions are compared by.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from privacy.scrub import PLACEHOLDERS
from synopsis.english_stop_words import ENGLISH_STOP_WORDS

_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"\w+")
_DIGITS = re.compile(r"(\d+)")
# Scrubbed placeholders say only that *something* was removed; as tokens they would pull unrelated contributions
# together (every "[affiliation] said …" would look alike), so they are blanked before tokenising.
PLACEHOLDER_RE = re.compile("|".join(re.escape(placeholder) for placeholder in PLACEHOLDERS))

DOMAIN_STOP_WORDS: frozenset[str] = frozenset(
    {
        # Dialogue filler: how people frame a point, not what the point is.
        "agree",
        "also",
        "believe",
        "important",
        "just",
        "let",
        "like",
        "make",
        "need",
        "needed",
        "needs",
        "really",
        "said",
        "say",
        "think",
        "want",
        "way",
        "ways",
        "would",
        "could",
        "should",
        "must",
        "shall",
        "may",
        "might",
        "point",
        "points",
        "us",
        # Placeholder words, in case a placeholder was written without its brackets.
        "participant",
        "participants",
        "affiliation",
    }
)
"""Words too common in any treaty dialogue to tell themes apart (on top of scikit-learn's English list)."""

STOP_WORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS) | DOMAIN_STOP_WORDS


def normalise(text: str) -> str:
    """The comparison key of a contribution: NFKC, casefolded, whitespace collapsed, punctuation trimmed at the ends.

    Two contributions with the same key are exact duplicates.
    """
    folded = _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    start, end = 0, len(folded)
    while start < end and _is_edge_noise(folded[start]):
        start += 1
    while end > start and _is_edge_noise(folded[end - 1]):
        end -= 1
    return folded[start:end]


def _is_edge_noise(char: str) -> bool:
    # Punctuation (P*), symbols such as emoji (S*) and spaces carry no meaning at the ends of a sentence.
    return char.isspace() or unicodedata.category(char)[0] in "PS"


def punctuation_key(normalised: str) -> str:
    """The words of a normalised text in order, without any punctuation: a cheap near-duplicate key."""
    return " ".join(_WORDS.findall(normalised))


_NEGATIONS = frozenset({"not", "no", "never", "nor", "cannot", "without", "neither", "none", "nothing"})


def negation_words(normalised: str) -> frozenset[str]:
    """The negating words of a normalised text ("not", "never", "don't", …): two texts that differ here differ in
    meaning however alike they look."""
    words = _WORDS.findall(normalised.replace("’", "'").replace("n't", " not"))
    return frozenset(word for word in words if word in _NEGATIONS)


def ref_sort_key(ref: str) -> tuple[tuple[int, int, str], ...]:
    """A total order on references that reads naturally ("c2" before "c10") and never ties two distinct refs."""
    parts = tuple((1, int(part), "") if part.isdigit() else (0, 0, part) for part in _DIGITS.split(ref) if part)
    # The raw string last: "c01" and "c1" compare equal by their parts, and still must not tie.
    return (*parts, (2, 0, ref))


@lru_cache(maxsize=1 << 16)  # a dialogue's vocabulary is small and stems are asked for over and over
def stem(word: str) -> str:
    """A light English suffix stripper, so "transfers", "transferred" and "transferring" meet.

    Deliberately small (plurals, -ing/-ed, a final -e, British -is- spellings): a full stemmer would mean another
    dependency, and over-stemming merges words that should stay apart. Keywords are shown in their written form,
    never as stems.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    word = word.replace("isation", "ization").replace("ising", "izing").replace("ised", "ized")
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            if word[-1] == word[-2] and word[-1] not in "aeioulsz":
                word = word[:-1]  # "transferred" → "transferr" → "transfer"
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def without_placeholders(text: str) -> str:
    """`text` with every scrubbing placeholder blanked (before anything that would strip their brackets)."""
    return PLACEHOLDER_RE.sub(" ", text)


def words_of(normalised: str) -> list[str]:
    """Every word of a normalised text, in order, placeholders left out (stop words kept)."""
    return _WORDS.findall(without_placeholders(normalised))


def content_stems(words: Sequence[str]) -> list[str]:
    """The stems of the content words among `words` (casefolded words), in order."""
    return [stemmed for stemmed in map(_content_stem, words) if stemmed is not None]


@lru_cache(maxsize=1 << 16)  # asked for every word of every contribution; a dialogue's vocabulary is small
def _content_stem(word: str) -> str | None:
    return stem(word) if _is_content(word) else None


def _is_content(word: str) -> bool:
    return word not in STOP_WORDS and not _is_noise(word)


def _is_noise(word: str) -> bool:
    # Single characters and bare underscores are tokeniser debris, not words; numbers ("21", "2026") are kept.
    return len(word) < 2 or word.strip("_") == ""


def word_ngrams(stems: Sequence[str], max_n: int = 1) -> list[str]:
    """`stems` plus their runs of 2 to `max_n` (joined by spaces)."""
    tokens = list(stems)
    for n in range(2, max_n + 1):
        tokens.extend(" ".join(stems[i : i + n]) for i in range(len(stems) - n + 1))
    return tokens


def word_tokens(normalised: str, max_n: int = 1) -> list[str]:
    """Stemmed content words of a normalised text, plus word n-grams up to `max_n` (joined by spaces)."""
    return word_ngrams(content_stems(words_of(normalised)), max_n)


@lru_cache(maxsize=1 << 16)  # a dialogue's words repeat across thousands of contributions
def word_char_ngrams(word: str, low: int, high: int) -> tuple[str, ...]:
    """The character n-grams (lengths `low`–`high`) of one word padded with a space on each side.

    The same n-grams as scikit-learn's `analyzer="char_wb"` gives for the word, so a text's n-gram counts are the sum
    of its words' (which is how `synopsis.grouping` builds them, once per distinct word).
    """
    padded = f" {word} "
    grams: list[str] = []
    for n in range(low, high + 1):
        offset = 0
        grams.append(padded[offset : offset + n])
        while offset + n < len(padded):
            offset += 1
            grams.append(padded[offset : offset + n])
        if offset == 0:  # a word shorter than n counts once, as scikit-learn does
            break
    return tuple(grams)


def written_words(text: str) -> list[tuple[str, str]]:
    """(stem, word as written) for each content word of an original (display) text, in order.

    Like `content_stems(words_of(...))`, but the written form keeps its case, so a keyword reads "Article" or "ISU" as
    people wrote it rather than casefolded.
    """
    nfkc = without_placeholders(unicodedata.normalize("NFKC", text))
    pairs = []
    for word in _WORDS.findall(nfkc):
        stemmed = _content_stem(word.casefold())
        if stemmed is not None:
            pairs.append((stemmed, word))
    return pairs
