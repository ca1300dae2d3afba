"""The flood watch: when one sender's burst counts as a flood, and when it is over."""

from __future__ import annotations

from bot.flood import FloodWatch

MINUTE_MS = 60_000


def burst(watch: FloodWatch, sender: str, count: int, start_ms: int = 0, every_ms: int = 100) -> list:
    return [watch.observe(sender, start_ms + n * every_ms) for n in range(count)]


def test_up_to_the_limit_in_a_minute_is_no_flood() -> None:
    watch = FloodWatch(limit=30, window_ms=MINUTE_MS)

    verdicts = burst(watch, "@a:x", 30)

    assert not any(v.flooding for v in verdicts)
    assert not any(v.notify for v in verdicts)


def test_the_first_event_over_the_limit_starts_one_episode_and_the_rest_belong_to_it() -> None:
    watch = FloodWatch(limit=30, window_ms=MINUTE_MS)

    verdicts = burst(watch, "@a:x", 200)

    assert [n for n, v in enumerate(verdicts) if v.notify] == [30]
    assert all(v.flooding for v in verdicts[30:])


def test_a_steady_pace_below_the_limit_never_floods() -> None:
    watch = FloodWatch(limit=30, window_ms=MINUTE_MS)

    verdicts = burst(watch, "@a:x", 300, every_ms=2_100)

    assert not any(v.flooding for v in verdicts)


def test_other_senders_are_not_affected_by_a_flood() -> None:
    watch = FloodWatch(limit=30, window_ms=MINUTE_MS)
    burst(watch, "@a:x", 100)

    assert not watch.observe("@b:x", 10_000).flooding


def test_a_sender_who_slowed_down_and_floods_again_starts_a_new_episode() -> None:
    watch = FloodWatch(limit=30, window_ms=MINUTE_MS)
    first = burst(watch, "@a:x", 40)
    calm = watch.observe("@a:x", 10 * MINUTE_MS)
    second = burst(watch, "@a:x", 40, start_ms=10 * MINUTE_MS + 1)

    assert sum(v.notify for v in first) == 1
    assert not calm.flooding
    assert sum(v.notify for v in second) == 1


def test_hovering_at_the_limit_does_not_start_an_episode_per_message() -> None:
    # Just over the limit, then one message every two seconds: the count stays near the limit, and the sender
    # must not get a notice each time it dips under and back over.
    watch = FloodWatch(limit=30, window_ms=MINUTE_MS)
    verdicts = burst(watch, "@a:x", 31, every_ms=10)
    verdicts += burst(watch, "@a:x", 60, start_ms=2_000, every_ms=2_000)

    assert sum(v.notify for v in verdicts) == 1


def test_forgets_senders_who_went_quiet() -> None:
    watch = FloodWatch(limit=30, window_ms=MINUTE_MS)
    burst(watch, "@a:x", 5)
    watch.observe("@b:x", 5 * MINUTE_MS)

    assert watch.tracked_senders() == 1


def test_an_episode_that_starts_with_reactions_is_announced_at_the_first_message() -> None:
    watch = FloodWatch(limit=30, window_ms=MINUTE_MS)
    reactions = [watch.observe("@a:x", n, notifiable=False) for n in range(40)]
    messages = burst(watch, "@a:x", 5, start_ms=100)

    assert reactions[-1].flooding and not any(v.notify for v in reactions)
    assert [v.notify for v in messages] == [True, False, False, False, False]


def test_senders_quiet_for_two_windows_are_forgotten_however_many_come_and_go() -> None:
    watch = FloodWatch(limit=30, window_ms=MINUTE_MS)
    for n in range(10 * 60):  # a new sender every second for ten minutes, each with one message
        watch.observe(f"@p{n}:x", n * 1_000)
        assert watch.tracked_senders() <= 2 * 60 + 1
