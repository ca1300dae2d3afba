"""Sentence embeddings for heading/text similarity, from `wordllama` (MIT, numpy only, weights in the package).

The model is loaded lazily, once per process, from the package's own folder with downloads disabled, so it never
touches the network (`WordLlama.load(cache_dir=<package folder>, disable_download=True)`: 0.4.0 looks for its
weights elsewhere otherwise). Loading takes about half a second and some 70 MB; embedding is numpy work. Without the
package, `embedder()` returns None after one log line and callers use TF-IDF alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from synopsis.load_once import loaded_once

log = logging.getLogger(__name__)

Embedder = Callable[[Sequence[str]], np.ndarray]
"""Texts in, one L2-normalised row per text out."""

_lock = threading.Lock()
_loaded: list[Embedder | None] = []  # empty: not tried yet; [None]: tried and unavailable


def embedder() -> Embedder | None:
    """The process's embedding model, loaded on first use (thread-safe: compiles run in worker threads)."""
    return loaded_once(_lock, _loaded, _load)


def _load() -> Embedder | None:
    try:
        import wordllama
        from wordllama import WordLlama
    except ImportError:
        log.warning("wordllama is not installed: guided themes use character n-gram TF-IDF alone")
        return None
    try:
        model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    except Exception:  # a broken install must not stop the synopsis: TF-IDF still works
        log.exception("wordllama failed to load: guided themes use character n-gram TF-IDF alone")
        return None

    def embed(texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1))
        return np.asarray(model.embed(list(texts), norm=True), dtype=np.float64)

    return embed
