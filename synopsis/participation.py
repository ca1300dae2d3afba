"""Participation over the dialogue, for the charts: contributions per challenge and per day, as bands, never below k.

A bar is shown only when at least k distinct people made the contributions it stands for, and then as the band of
the number of contributions (privacy.bands), never the number. Per challenge, a challenge below k is listed without
a band (the agenda is public: "not reported"). Per day, in the dialogue's time zone, a day on which fewer than k
people contributed is left out altogether, so the chart does not even tell that someone spoke then.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from privacy.bands import band

if TYPE_CHECKING:  # the model holds a Participation, so it cannot be imported here at run time
    from .model import ContributionInput


@dataclass(frozen=True, slots=True)
class ChallengeBar:
    number: int
    band: str | None  # the contributions' band; None: fewer than k people contributed (not reported)


@dataclass(frozen=True, slots=True)
class DayBar:
    day: date  # in the dialogue's time zone
    band: str  # the contributions' band (a day below k is not listed)


@dataclass(frozen=True, slots=True)
class Participation:
    by_challenge: tuple[ChallengeBar, ...] = ()
    by_day: tuple[DayBar, ...] = ()

    @property
    def any_shown(self) -> bool:
        return bool(self.by_day) or any(bar.band is not None for bar in self.by_challenge)


def _banded(contributions: Sequence[ContributionInput], k: int) -> str | None:
    if len({c.member_key for c in contributions}) < k:
        return None
    return band(len(contributions), k)


def participation(
    kept: Sequence[ContributionInput], challenge_numbers: Iterable[int], timezone: str, k: int
) -> Participation:
    """The charts' bars for the contributions the synopsis draws on (`kept`: excluded ones already left out)."""
    by_challenge = tuple(
        ChallengeBar(number, _banded([c for c in kept if c.challenge_number == number], k))
        for number in sorted(challenge_numbers)
    )
    zone = ZoneInfo(timezone)
    days: dict[date, list[ContributionInput]] = {}
    for contribution in kept:
        days.setdefault(datetime.fromtimestamp(contribution.created_at, zone).date(), []).append(contribution)
    by_day = tuple(DayBar(day, shown) for day in sorted(days) if (shown := _banded(days[day], k)) is not None)
    return Participation(by_challenge, by_day)
