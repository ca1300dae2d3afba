"""Language detection stays off the event loop only where it could block it: loading the model, a long text."""

from __future__ import annotations

import threading

import pytest

from synopsis import language
from synopsis.language import INLINE_MAX_CHARS, detect_language, detect_language_off_loop

SHORT = "Transfers through the territory of States parties erode the norm against these weapons."


@pytest.fixture
def threads_used(monkeypatch) -> list[str]:
    """The names of the threads detection ran in."""
    used: list[str] = []
    original = language.detect_language

    def recording(text: str) -> str | None:
        used.append(threading.current_thread().name)
        return original(text)

    monkeypatch.setattr(language, "detect_language", recording)
    return used


async def test_once_the_model_is_loaded_a_short_text_is_detected_on_the_loop(threads_used):
    detect_language(SHORT)  # loads the model
    assert await detect_language_off_loop(SHORT) == "en"
    assert threads_used == [threading.current_thread().name]


async def test_a_long_text_is_detected_in_a_worker_thread(threads_used):
    detect_language(SHORT)
    long_text = " ".join([SHORT] * (INLINE_MAX_CHARS // len(SHORT) + 1))
    assert await detect_language_off_loop(long_text) == "en"
    assert threads_used and threads_used[0] != threading.current_thread().name


async def test_the_first_detection_loads_the_model_in_a_worker_thread(threads_used, monkeypatch):
    monkeypatch.setattr(language, "_loaded", [])  # a fresh process: nothing loaded yet
    assert await detect_language_off_loop(SHORT) == "en"
    assert threads_used and threads_used[0] != threading.current_thread().name
