"""How long to wait before trying the homeserver again, and which failures are worth a log line.

One policy for the sender, the sync loop and the start-up: the wait doubles from about a second up to a cap
(`matrix.retry_max_seconds`), with jitter so that many clients coming back after an outage do not all knock at
once. Nothing is given up for a passing fault; the cap only bounds how long the bot may take to notice the end of
an outage.
"""

from __future__ import annotations

import random
from collections.abc import Callable

# The default cap: a homeserver back from an outage is noticed within five minutes.
DEFAULT_MAX_DELAY_SECONDS = 300.0


def backoff_delay(
    failures: int, max_delay: float = DEFAULT_MAX_DELAY_SECONDS, rng: Callable[[], float] = random.random
) -> float:
    """The wait after the `failures`-th failure in a row: 1, 2, 4 … seconds up to `max_delay`, less up to half as
    jitter, so the cap is never exceeded."""
    base = min(max_delay, 2.0 ** min(max(0, failures - 1), 64))
    return base * (0.5 + rng() / 2)


def worth_logging(failures: int) -> bool:
    """Whether the `failures`-th failure in a row gets a log line: the 1st, 2nd, 4th, 8th …, so an outage of hours
    leaves a handful of lines, not one per try."""
    return failures >= 1 and failures & (failures - 1) == 0
