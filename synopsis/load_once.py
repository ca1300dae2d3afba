"""A model loaded once per process, on first use, even when several worker threads ask for it at the same time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def loaded_once(lock: threading.Lock, cache: list[T], load: Callable[[], T]) -> T:
    """`cache[0]`, made by `load()` under `lock` the first time (an empty `cache` means not tried yet).

    The caller passes its module's own lock, cache list and loader, so a test can reset the cache to an empty list
    (a fresh process) or swap the loader."""
    if cache:
        return cache[0]
    with lock:
        if not cache:
            cache.append(load())
    return cache[0]
