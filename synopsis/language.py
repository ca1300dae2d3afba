"""The language of a contribution, among the six UN languages, detected offline; None when the text cannot tell.

The detector is py3langid (BSD, numpy only; its model ships in the wheel), restricted to Arabic, Chinese, English,
French, Russian and Spanish. It was chosen over lingua-language-detector by `benchmarks/language_detection.py`
(figures in benchmarks/README.md): on short contribution-like texts it got every labelled text right, and with the
confidence floor below it was unsure of every text with no language of its own ("Article 21", "CCM / ISU", "+1"),
where lingua's high-accuracy mode lost a labelled text at the floor that made it unsure of those, and its
low-accuracy mode got one wrong and needed a floor of 0.9, losing two.

Confidence. py3langid's probabilities (normalised over the six languages, tempered by the text's length) were at
least 0.98 for every labelled text of the benchmark's set and at most 0.68 for the texts without a language of their
own; :data:`MIN_CONFIDENCE` 0.8 sits between, with room either side, so a short or ambiguous text gets None rather
than a guess ("Je soutiens" is still French at 0.86; "Article 21 de la Convention", at 0.68, is unknown). Scrubbing
placeholders ("[participant]", …) are English words the bot wrote, not the writer's, and are left out first.

Loading takes about half a second and some 120 MB (mostly the full model, before it is cut to six languages), once
per process, on first use and under a lock (compiles and handlers may ask from worker threads); detection itself takes
about 0.05 ms for a sentence and 2 ms for the longest contribution allowed. :func:`detect_language_off_loop` runs the
load and long texts in a worker thread, so neither ever holds up the event loop, and short texts on the loop.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Protocol

from synopsis.load_once import loaded_once
from synopsis.text import without_placeholders

UN_LANGUAGES: tuple[str, ...] = ("ar", "zh", "en", "fr", "ru", "es")
"""ISO 639-1 codes of the six UN languages, the only answers detection gives."""

MIN_CONFIDENCE = 0.8
"""Below this (py3langid's normalised probability), the language is reported as unknown: see the module docstring."""


class _Identifier(Protocol):
    def classify(self, text: str) -> tuple[str, float]: ...


_lock = threading.Lock()
_loaded: list[_Identifier] = []


def _identifier() -> _Identifier:
    return loaded_once(_lock, _loaded, _load)


def _load() -> _Identifier:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(UN_LANGUAGES))
    return identifier


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of `text`'s language among :data:`UN_LANGUAGES`, or None when unsure.

    Blocking (loads the model on the first call): on the event loop use :func:`detect_language_off_loop`."""
    own = without_placeholders(text).strip()
    if not any(character.isalpha() for character in own):
        return None
    code, confidence = _identifier().classify(own)
    return code if code in UN_LANGUAGES and confidence >= MIN_CONFIDENCE else None


INLINE_MAX_CHARS = 2_000
"""Once the model is loaded, a text up to this long is detected on the loop (about 0.2 ms at most): the trip to a
worker thread and back would cost more than detection itself."""


async def detect_language_off_loop(text: str) -> str | None:
    """:func:`detect_language`, in a worker thread whenever it could block the loop: loading the model, a long text."""
    if _loaded and len(text) <= INLINE_MAX_CHARS:
        return detect_language(text)
    return await asyncio.to_thread(detect_language, text)
