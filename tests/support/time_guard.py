"""Run a function in a forked child and fail the test if it has not finished within a timeout.

For tests that a piece of code finishes on adversarial input: a regular expression that backtracks does not return
to Python (so an alarm cannot interrupt it), but a child process can be killed. Fork is used so the child shares
the test's imports and compiled patterns and starts in milliseconds.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

import pytest


def _run(function: Callable[..., Any], args: tuple[Any, ...], results: multiprocessing.Queue) -> None:
    results.put(function(*args))


def finishes_within(seconds: float, function: Callable[..., Any], *args: Any) -> Any:
    """`function(*args)`, computed in a forked child; the test fails if that takes longer than `seconds`."""
    forking = multiprocessing.get_context("fork")
    results = forking.Queue()
    child = forking.Process(target=_run, args=(function, args, results), daemon=True)
    child.start()
    try:
        return results.get(timeout=seconds)
    except Exception as error:
        pytest.fail(f"{getattr(function, '__name__', function)} did not finish within {seconds} s ({error!r})")
    finally:
        child.kill()
        child.join()
