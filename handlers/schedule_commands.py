"""Planning the agenda ahead: schedule, unschedule, time zone and reminders.

Times are read and shown in the dialogue's time zone (set with `timezone`, else the configured default) and stored
in UTC. Scheduling only records the plan; the scheduler (bot/scheduler.py) carries it out through the same code
that `open` and `close` use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dialogue.vocabulary import ChallengeState, ScheduleState
from handlers.arguments import challenge_number
from handlers.commands import CommandCall, CommandRefused, UsageError
from handlers.dialogue_commands import active_dialogue, challenge_numbered
from handlers.replies import Reply
from i18n import bot_marked, bot_text
from scheduling import WhenError, describe, format_duration, parse_duration, parse_when, split_schedule_arguments
from scheduling.zones import dialogue_zone, is_zone_name

if TYPE_CHECKING:
    from storage import Dialogue, Transaction


# One whole message per state, so that no sentence is put together from a translated state name.
NOT_PENDING_OPEN = bot_marked("Challenge {number} is already open; only pending ones are scheduled.")
NOT_PENDING_CLOSED = bot_marked("Challenge {number} is already closed; only pending ones are scheduled.")


@dataclass(frozen=True, slots=True)
class ScheduleRequest:
    number: int
    when: str
    duration: str | None


def schedule_arguments(raw: str) -> ScheduleRequest | None:
    """Nothing: list the schedule. Otherwise `<n> <when> [for <duration>]`; the times are checked by the handler,
    which knows the dialogue's time zone and the current time."""
    parts = raw.strip().split(maxsplit=1)
    if not parts:
        return None
    if len(parts) < 2:
        raise UsageError(bot_marked("write the challenge number and when it opens, e.g. 2 2026-12-01 10:00 for 1h30m"))
    when, duration = split_schedule_arguments(parts[1])
    return ScheduleRequest(challenge_number(parts[0]), when, duration)


async def schedule(call: CommandCall[ScheduleRequest | None], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    zone = dialogue_zone(dialogue.timezone, call.settings.bot.timezone)
    request: ScheduleRequest | None = call.args
    if request is None:
        return await _list_schedule(dialogue, zone, tx, call.language)
    challenge = await challenge_numbered(call, tx, dialogue, request.number)
    if challenge.state != ChallengeState.PENDING:
        refusal = NOT_PENDING_OPEN if challenge.state == ChallengeState.OPEN else NOT_PENDING_CLOSED
        raise CommandRefused(bot_text(call.language, refusal, number=challenge.number))
    now = datetime.fromtimestamp(call.now, UTC)
    try:
        opens = parse_when(request.when, now=now, tz=zone)
        window = parse_duration(request.duration) if request.duration else None
    except WhenError as problem:
        raise UsageError(problem.message, **problem.values_in(call.language)) from problem
    await tx.schedules.set(challenge.id, opens.timestamp(), window.total_seconds() if window else None, call.now)
    language = call.language
    when = describe(opens, zone, language)
    if window is None:
        return Reply.plain(bot_text(language, "Challenge {number} opens {when}.", number=challenge.number, when=when))
    return Reply.plain(
        bot_text(
            language,
            "Challenge {number} opens {when} for {duration}, closing {closing}.",
            number=challenge.number,
            when=when,
            duration=format_duration(window, language),
            closing=describe(opens + window, zone, language),
        )
    )


async def _list_schedule(dialogue: Dialogue, zone: ZoneInfo, tx: Transaction, language: str | None) -> Reply:
    schedules = [item for item in await tx.schedules.for_dialogue(dialogue.id) if item.state == ScheduleState.SCHEDULED]
    if not schedules:
        return Reply.plain(bot_text(language, "Nothing is scheduled."))
    lines = [bot_text(language, "Scheduled ({zone}):", zone=zone.key)]
    for item in schedules:
        when = describe(datetime.fromtimestamp(item.opens_at, UTC), zone, language)
        if item.window_seconds:
            duration = format_duration(timedelta(seconds=item.window_seconds), language)
            line = bot_text(
                language, "{number}. opens {when} for {duration}", number=item.number, when=when, duration=duration
            )
        else:
            line = bot_text(language, "{number}. opens {when}", number=item.number, when=when)
        lines.append(line)
    return Reply.plain("\n".join(lines))


async def unschedule(call: CommandCall[int], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    challenge = await challenge_numbered(call, tx, dialogue, call.args)
    if not await tx.schedules.cancel(challenge.id):
        raise CommandRefused(bot_text(call.language, "Challenge {number} is not scheduled.", number=challenge.number))
    return Reply.plain(bot_text(call.language, "Challenge {number} is no longer scheduled.", number=challenge.number))


def timezone_argument(raw: str) -> str:
    words = raw.split()
    if len(words) != 1:
        raise UsageError(bot_marked("give one IANA time zone name, e.g. Europe/Zurich"))
    if not is_zone_name(words[0]):
        raise UsageError(bot_marked("'{name}' is not an IANA time zone name (e.g. Europe/Zurich)"), name=words[0])
    return words[0]


async def set_timezone(call: CommandCall[str], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    await tx.dialogues.set_timezone(dialogue.id, call.args)
    zone = ZoneInfo(call.args)
    local = datetime.fromtimestamp(call.now, UTC).astimezone(zone)
    return Reply.plain(
        bot_text(
            call.language,
            "Time zone set to {zone} (it is {clock} there now). Schedules keep their moment.",
            zone=zone.key,
            clock=f"{local:%H:%M}",
        )
    )


def reminder_argument(raw: str) -> timedelta | None:
    text = raw.strip()
    if text.casefold() == "off":
        return None
    if not text:
        raise UsageError(bot_marked("give how long before the close to remind, e.g. 10m, or off"))
    try:
        return parse_duration(text)
    except WhenError as problem:
        raise UsageError(problem.message, **problem.values_in(None)) from problem


async def set_reminder(call: CommandCall[timedelta | None], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    reminder: timedelta | None = call.args
    await tx.schedules.set_reminder(dialogue.id, reminder.total_seconds() if reminder else None)
    if reminder is None:
        return Reply.plain(bot_text(call.language, "Reminders before a challenge closes are off."))
    return Reply.plain(
        bot_text(
            call.language,
            "A reminder will be posted {duration} before each scheduled close.",
            duration=format_duration(reminder, call.language),
        )
    )


def digest_argument(raw: str) -> str | None:
    text = raw.strip()
    if text.casefold() == "off":
        return None
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text)
    if match is None:
        raise UsageError(bot_marked("give a local time like 08:30, or off"))
    return f"{int(match.group(1)):02d}:{match.group(2)}"


async def set_digest(call: CommandCall[str | None], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    await tx.schedules.set_digest(dialogue.id, call.args)
    if call.args is None:
        return Reply.plain(bot_text(call.language, "The daily digest is off."))
    zone = dialogue_zone(dialogue.timezone, call.settings.bot.timezone)
    return Reply.plain(
        bot_text(
            call.language,
            "Every day at {clock} ({zone}) each moderator gets a digest by direct message: open challenges and "
            "participation bands, never names.",
            clock=call.args,
            zone=zone.key,
        )
    )
