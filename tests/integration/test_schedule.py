"""The agenda on a schedule, against a real Synapse: windows open, remind and close by themselves, and restarts
neither lose nor double a prompt."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

import pytest

from demo.events import body_of, is_reply_from
from tests.integration.test_dialogue import is_prompt, run_dialogue

pytestmark = pytest.mark.integration


def bot_says(bot_id: str, text: str):
    return lambda event: event.sender == bot_id and text in body_of(event)


async def wait_until(moment: float) -> None:
    """Let wall-clock time pass while the bot is down: the behaviour under test is what it does about lost time."""
    await asyncio.sleep(max(0.0, moment - time.time()))


async def schedule(d, text: str) -> str:
    reply = body_of(await d.command(d.moderator, f"!dialogue {text}"))
    assert reply.startswith("Challenge 1 opens "), reply
    return reply


async def test_a_scheduled_window_opens_reminds_and_closes_and_only_accepts_contributions_inside_it(
    make_user, bot_factory
):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=1, open_first=False)
    alice = d.participants[0]
    assert body_of(await d.command(d.moderator, "!dialogue reminder 2s")).startswith("A reminder will be posted 2s")
    reply = await schedule(d, "schedule 1 in 2s for 3s")
    assert re.search(r"\(\d\d:\d\d(:\d\d)? UTC\)|UTC", reply) and "for 3s, closing" in reply

    prompt = await alice.wait_for(d.room, is_prompt(d.bot.user_id, 1), timeout=30)
    inside = await alice.send_thread_reply(d.room, prompt.event_id, "A point inside the window.")
    await alice.wait_for(d.room, bot_says(d.bot.user_id, "closes in"), timeout=30)
    await alice.wait_for(d.room, bot_says(d.bot.user_id, "Challenge 1 is closed"), timeout=30)
    after = await alice.send_thread_reply(d.room, prompt.event_id, "A point after the window.")
    refusal = await alice.wait_for(d.room, is_reply_from(d.bot.user_id, after))

    assert "this was not recorded" in body_of(refusal)
    listing = await d.contributions()
    assert "A point inside the window." in listing and "after the window" not in listing
    assert inside


async def test_a_prompt_due_while_the_bot_was_down_is_posted_once_when_it_returns_within_grace(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1, open_first=False)
    await schedule(d, "schedule 1 in 2s")
    await d.bot.kill()
    await wait_until(time.time() + 2.5)

    await d.bot.start()
    await d.moderator.wait_for(d.room, is_prompt(d.bot.user_id, 1), timeout=60)
    await d.command(d.moderator, "!dialogue ping")  # everything the bot had queued before this is out by now

    assert len([e for e in d.moderator.events(d.room) if is_prompt(d.bot.user_id, 1)(e)]) == 1


async def test_a_bot_killed_right_after_posting_a_prompt_does_not_post_it_again(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1, open_first=False)
    await schedule(d, "schedule 1 in 1s for 1h")
    await d.moderator.wait_for(d.room, is_prompt(d.bot.user_id, 1), timeout=30)
    await d.bot.kill()

    await d.bot.start()
    await d.command(d.moderator, "!dialogue ping")
    agenda = body_of(await d.command(d.moderator, "!dialogue agenda"))

    assert len([e for e in d.moderator.events(d.room) if is_prompt(d.bot.user_id, 1)(e)]) == 1
    assert "1. New use and transfers (open) — closes " in agenda


async def test_a_prompt_missed_beyond_the_grace_period_is_not_posted_and_moderators_are_told(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1, open_first=False)
    d.bot.config["bot"]["startup_grace_minutes"] = 0
    d.bot.write_config()
    await schedule(d, "schedule 1 in 2s")
    await d.bot.kill()
    await wait_until(time.time() + 2.5)

    await d.bot.start()
    notice = await d.moderator.wait_for(d.room, bot_says(d.bot.user_id, "was due to open"), timeout=60)
    await d.command(d.moderator, "!dialogue ping")

    assert "!dialogue open 1" in body_of(notice)
    assert not [e for e in d.moderator.events(d.room) if is_prompt(d.bot.user_id, 1)(e)]


async def test_schedules_are_listed_cancelled_and_shown_in_the_dialogues_time_zone(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1, open_first=False)
    assert "Europe/Zurich" in body_of(await d.command(d.moderator, "!dialogue timezone Europe/Zurich"))
    local = datetime.combine(date.today() + timedelta(days=200), dt_time(10, 0), ZoneInfo("Europe/Zurich"))
    shown = f"{local:%a} {local.day} {local:%b %Y}, 10:00 Europe/Zurich ({local.astimezone(UTC):%H:%M} UTC)"
    reply = await schedule(d, f"schedule 1 {local:%Y-%m-%d} 10:00 for 45m")
    assert reply.startswith(f"Challenge 1 opens {shown} for 45m")

    listing = body_of(await d.command(d.moderator, "!dialogue schedule"))
    agenda = body_of(await d.command(d.moderator, "!dialogue agenda"))
    assert f"1. opens {shown} for 45m" in listing
    assert f"— opens {shown}" in agenda

    bad = body_of(await d.command(d.moderator, "!dialogue schedule 1 yesterday-ish"))
    assert bad.startswith("Usage: !dialogue schedule")
    assert body_of(await d.command(d.moderator, "!dialogue unschedule 1")) == "Challenge 1 is no longer scheduled."
    assert body_of(await d.command(d.moderator, "!dialogue schedule")) == "Nothing is scheduled."


async def test_the_daily_digest_reaches_each_moderator_by_direct_message_without_names(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=3)
    for index, person in enumerate(d.participants):
        await d.acknowledged(person, await person.send_thread_reply(d.room, d.root, f"Point {index}."))
    # The next whole minute (UTC is the default zone); the digest goes out when the clock shows it.
    due = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    reply = body_of(await d.command(d.moderator, f"!dialogue digest {due:%H:%M}"))
    assert reply.startswith(f"Every day at {due:%H:%M} (UTC)")

    room, digest = await d.moderator.wait_for_any_room(
        bot_says(d.bot.user_id, "Daily digest"), timeout=120, description="the digest"
    )

    assert room != d.room
    assert "1. New use and transfers (open): contributions from a few participants" in body_of(digest)
    assert "2. Withdrawal (pending): fewer than 3 contributors so far" in body_of(digest)
    for person in d.participants:
        assert person.user_id not in str(digest.source)
