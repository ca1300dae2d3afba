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

Loading takes about half a second (mostly unpacking the model file) and some 25 MiB, numpy's 13 included (`_load`
keeps only the six languages' part of the model, its state machine compacted: py3langid's own loader kept about 75
MiB), once per process, on first use and under a lock (compiles and handlers may ask from worker threads); detection
itself takes about 0.05 ms for a sentence and 2 ms for the longest contribution allowed.
:func:`detect_language_off_loop` runs the load and long texts in a worker thread, so neither ever holds up the event
loop, and short texts on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import threading
from array import array
from collections import Counter
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


_BLOCK = 16
"""The state machine's rows of 256 next states are kept as 16 blocks of 16, each block stored once (see `_load`)."""


def _load() -> _Identifier:
    """py3langid's identifier over the six languages only, built from its model file without the rest.

    py3langid's own loader keeps the full model (142 columns of feature weights, 27 MiB) beside the six-language
    cut, its state machine's transitions as 38,346 rows of 256 four-byte next states (40 MiB), and each of its
    104,583 states as Python ints in lists (some 8 MiB). Read here, only the six columns are kept (the full table is
    freed as soon as they are copied), the per-state tables are packed arrays, and each row is cut into 16 blocks of
    16 next states, each distinct block stored once (55,779 of them: 4 MiB with their index). The machine walks the
    same states and the arithmetic is py3langid's own, on the same numbers, so every answer and confidence is the
    same (tests/unit/test_language_detection_model.py)."""
    import lzma
    import shutil
    import tempfile

    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE

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
            blocks, block_of = _distinct_blocks(np.ascontiguousarray(model["nextmove"]).reshape(-1, _BLOCK))
            first_block = model["nextmove_row"].astype(np.int64) * (256 // _BLOCK)  # each state's row, in blocks
            outputs = model["out_feat"].astype(np.int32)
    identifier: _Identifier = _six_languages_class()(
        weights,
        priors,
        [classes[i] for i in keep],
        _packed(blocks.ravel()),
        _packed(block_of.ravel().astype(np.uint32 if len(blocks) >= 1 << 16 else np.uint16)),
        array("q", first_block.tobytes()),
        array("i", outputs.tobytes()),
    )
    del model, weights, blocks, block_of, first_block, outputs
    _give_back_freed_memory()
    return identifier


def _give_back_freed_memory() -> None:
    """Return the heap freed by the load (the unpacked model, some 80 MB passed through) to the system.

    glibc keeps freed heap for reuse unless told otherwise, and the load leaves 20–25 MiB of it resident."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _distinct_blocks(rows: Any) -> tuple[Any, Any]:
    """Each distinct row of `rows` once, and for every row the index of its own: like numpy's unique by rows, which
    takes 10 s or more here, but by a hash of each row (0.1 s), checked against the rows themselves."""
    import numpy as np

    words = rows.view(np.uint64)  # two next states to a word, no copy
    multipliers = np.random.default_rng(0).integers(1, 1 << 63, size=words.shape[1], dtype=np.uint64) | np.uint64(1)
    hashes = np.zeros(len(words), dtype=np.uint64)
    with np.errstate(over="ignore"):  # the hash wraps around, as it should
        for column, multiplier in enumerate(multipliers):
            hashes += words[:, column] * multiplier
    _, first, block_of = np.unique(hashes, return_index=True, return_inverse=True)
    blocks = rows[first]
    if not np.array_equal(blocks[block_of], rows):  # two different rows with one hash: never seen, but then exactly
        blocks, block_of = np.unique(
            rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))), return_inverse=True
        )
        blocks = blocks.view(rows.dtype).reshape(-1, rows.shape[1])
    return blocks, block_of


def _packed(values: Any) -> array[int]:
    """A numpy array of unsigned ints as a stdlib array (Python indexes those faster than numpy's)."""
    import numpy as np

    contiguous = np.ascontiguousarray(values)
    packed = array({2: "H", 4: "I", 8: "Q"}[contiguous.dtype.itemsize])
    packed.frombytes(contiguous.tobytes())
    return packed


def _six_languages_class() -> type:
    # Defined on first use: py3langid, which it extends, imports numpy.
    from py3langid.langid import LanguageIdentifier

    class SixLanguages(LanguageIdentifier):  # type: ignore[misc]
        """py3langid's identifier with its state machine's rows stored as shared blocks (see `_load`)."""

        def __init__(
            self,
            weights: Any,
            priors: Any,
            classes: list[str],
            blocks: array[int],
            block_of: array[int],
            first_block: array[int],
            outputs: array[int],
        ) -> None:
            super().__init__(weights, priors, classes, blocks, outputs, norm_probs=True, tk_row=[])
            self._block_of = block_of
            self._first_block = first_block

        def _raw_score(self, text: bytes) -> Any:
            # py3langid's _raw_score and visit_counts, with a next state looked up through its block.
            import numpy as np

            blocks, block_of, first_block, outputs = self.tk_nextmove, self._block_of, self._first_block, self.tk_output
            state, indexes = 0, []
            for letter in text:
                state = blocks[(block_of[first_block[state] + (letter >> 4)] << 4) | (letter & 15)]
                feature = outputs[state]
                if feature >= 0:
                    indexes.append(feature)
            if indexes:
                return self._sparse_score(Counter(indexes), self.nb_ptc)
            return np.full(len(self.nb_classes), 0.0, dtype=np.float32)  # no features: uniform, so unsure

    return SixLanguages


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
