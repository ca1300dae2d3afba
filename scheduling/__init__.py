"""Scheduling agenda items: reading and echoing the times moderators give to `!dialogue schedule`.

Pure functions only (no I/O, no clock reads): callers pass `now` in, so every rule can be tested at any moment.
"""

from scheduling.when import (
    MAX_AHEAD,
    MAX_DURATION,
    WhenError,
    describe,
    format_duration,
    parse_duration,
    parse_when,
    split_schedule_arguments,
)

__all__ = [
    "MAX_AHEAD",
    "MAX_DURATION",
    "WhenError",
    "describe",
    "format_duration",
    "parse_duration",
    "parse_when",
    "split_schedule_arguments",
]
