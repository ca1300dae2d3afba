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

Loading takes about half a second and some 40 MiB (numpy, the state machine and the six languages' columns of the
model: `_load` keeps nothing else), once per process, on first use and under a lock (compiles and handlers may ask
from worker threads); detection itself takes
about 0.05 ms for a sentence and 2 ms for the longest contribution allowed. :func:`detect_language_off_loop` runs both
in a worker thread, so neither ever holds up the event loop.
"""

from __future__ import annotations

import asyncio
import threading
from array import array
from typing import Any, Protocol

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
    """py3langid's identifier over the six languages only, built from its model file without the rest.

    py3langid's own loader keeps the full model (142 columns of feature weights, 27 MiB) beside the six-language cut,
    and each of the state machine's 104,583 states as Python ints in lists (some 8 MiB); read here, only the six
    columns are kept (the full table is freed as soon as they are copied) and the per-state tables are packed
    arrays. The arithmetic is py3langid's own (its `classify`), on the same numbers, so every answer and confidence
    is the same (tests/unit/test_language_detection_model.py)."""
    import lzma
    import shutil
    import tempfile

    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    with tempfile.TemporaryFile(suffix=".npz") as unpacked:
        with lzma.open(MODEL_DIR / MODEL_FILE) as packed:
            shutil.copyfileobj(packed, unpacked, length=1 << 20)
        unpacked.seek(0)
        with np.load(unpacked, allow_pickle=False) as model:
            classes: list[str] = model["classes"].tolist()
            # The columns py3langid's set_languages keeps, in the same order (a label may have two: script aliases).
            keep = [i for i, code in enumerate(classes) if code in UN_LANGUAGES]
            weights = np.ascontiguousarray(model["ptc"][:, keep])
            priors = np.asarray(model["pc"])[keep]
            next_move = _packed(model["nextmove"])
            rows = model["nextmove_row"].astype(np.int64) << 8  # each state's offset into `next_move`
            outputs = model["out_feat"].astype(np.int32)
    identifier = LanguageIdentifier(
        weights,
        priors,
        [classes[i] for i in keep],
        next_move,
        array("i", outputs.tobytes()),
        norm_probs=True,
        tk_row=[],
    )
    # What its constructor computes from tk_row (a list of Python ints, one per state), as a packed array instead.
    identifier._rowbase = array("q", rows.tobytes())
    return identifier


def _packed(values: Any) -> array[int]:
    """A numpy array of unsigned ints as the stdlib array py3langid indexes (as py3langid.modelio does)."""
    import numpy as np

    contiguous = np.ascontiguousarray(values)
    packed = array({2: "H", 4: "I", 8: "Q"}[contiguous.dtype.itemsize])
    packed.frombytes(contiguous.tobytes())
    return packed


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of `text`'s language among :data:`UN_LANGUAGES`, or None when unsure.

    Blocking (loads the model on the first call): on the event loop use :func:`detect_language_off_loop`."""
    own = without_placeholders(text).strip()
    if not any(character.isalpha() for character in own):
        return None
    code, confidence = _identifier().classify(own)
    return code if code in UN_LANGUAGES and confidence >= MIN_CONFIDENCE else None


async def detect_language_off_loop(text: str) -> str | None:
    """:func:`detect_language` in a worker thread, so that loading the model or a long text never blocks the loop."""
    return await asyncio.to_thread(detect_language, text)
