"""Telling a flood from a busy participant: more than `limit` events from one sender within a sliding window.

A flood is an episode: it starts with the first event over the limit (the sender is told, once) and lasts until
the sender's count in the window has fallen to half the limit. The gap between the two thresholds keeps someone
who hovers around the limit from being told again with every other message.

Nothing here is stored or logged: the senders are held in memory only, for at most one window after their last
event, and a restart forgets them (at worst, one more notice).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

DEFAULT_LIMIT = 30  # events per window: far above anyone typing, well below a script or a stuck client
DEFAULT_WINDOW_MS = 60_000


@dataclass(frozen=True, slots=True)
class FloodVerdict:
    """`flooding`: the event belongs to a flood episode; `notify`: tell the sender now (once per episode)."""

    flooding: bool
    notify: bool


@dataclass(slots=True)
class _Sender:
    times: deque[int] = field(default_factory=deque)
    in_episode: bool = False
    notified: bool = False


class FloodWatch:
    def __init__(self, limit: int = DEFAULT_LIMIT, window_ms: int = DEFAULT_WINDOW_MS) -> None:
        self._limit = limit
        self._calm = limit // 2
        self._window_ms = window_ms
        self._senders: dict[str, _Sender] = {}
        self._swept_at_ms: int | None = None

    def observe(self, sender: str, timestamp_ms: int, *, notifiable: bool = True) -> FloodVerdict:
        """Count one event of `sender` sent at `timestamp_ms` (the homeserver's time) and judge it.

        The notice goes with the episode's first `notifiable` event (a message can be replied to, a reaction
        cannot), so an episode that starts with reactions is announced at its first message."""
        self._forget_quiet_senders(timestamp_ms)
        state = self._senders.setdefault(sender, _Sender())
        state.times.append(timestamp_ms)
        self._drop_old(state, timestamp_ms)
        count = len(state.times)
        if state.in_episode and count <= self._calm:
            state.in_episode = state.notified = False
        elif not state.in_episode and count > self._limit:
            state.in_episode = True
        notify = state.in_episode and notifiable and not state.notified
        state.notified = state.notified or notify
        return FloodVerdict(flooding=state.in_episode, notify=notify)

    def tracked_senders(self) -> int:
        """How many senders are remembered (for tests: quiet ones must be forgotten)."""
        return len(self._senders)

    def _drop_old(self, state: _Sender, now_ms: int) -> None:
        while state.times and state.times[0] <= now_ms - self._window_ms:
            state.times.popleft()

    def _forget_quiet_senders(self, now_ms: int) -> None:
        # A sweep visits every sender, so it runs once a window, not per event: quiet senders are forgotten within
        # two windows. Timestamps are the homeserver's (and a sender's own claim), so any jump of a window counts.
        if self._swept_at_ms is not None and abs(now_ms - self._swept_at_ms) < self._window_ms:
            return
        self._swept_at_ms = now_ms
        quiet = [key for key, state in self._senders.items() if state.times[-1] <= now_ms - self._window_ms]
        for key in quiet:
            del self._senders[key]
