"""Scheduled actions: opening a challenge at its time, reminding before its window closes, closing it.

The scheduler does not act by itself: at the due time it puts an internal event into the inbox (a row whose origin is
'scheduled', which nothing from sync can have), and the processor
hands it here, inside a transaction like any other event. So a scheduled opening runs the same code as `open`, and
the inbox's unique event IDs (made from the challenge and the due time) make each action happen once, whatever
restarts in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dialogue.vocabulary import ChallengeState, DialogueState, EventId, RoomId, ScheduleState, UserId
from handlers.context import RoomSnapshot
from handlers.dialogue_commands import close_in_room, open_in_room, thread_root_of
from handlers.events import InboundEvent
from handlers.languages import STATE_NAMES, language_for_person
from handlers.moderator_notices import room_moderators
from handlers.outgoing import queue_direct_message, queue_notice
from handlers.replies import Reply
from handlers.scheduled_rules import ACTIONS, closing_is_current, opening_step, scheduled_action, time_left
from i18n import bot_marked, bot_text, bot_text_plural
from privacy import band
from privacy.bands import A_FEW, MANY, SEVERAL
from scheduling import WhenError, format_duration, parse_when
from scheduling.zones import dialogue_zone

if TYPE_CHECKING:
    from handlers.handler_settings import HandlerSettings
    from storage import Challenge, ClosingWindow, DigestSetting, Schedule, Transaction
    from storage.consensus import ConsensusClosing

INTERNAL_EVENT_TYPE = "dialogue_bot.scheduled"
# One whole line per band, so no translation is put together from a translated band word.
DIGEST_LINES = {
    A_FEW: bot_marked("{number}. {title} ({state}): contributions from a few participants"),
    SEVERAL: bot_marked("{number}. {title} ({state}): contributions from several participants"),
    MANY: bot_marked("{number}. {title} ({state}): contributions from many participants"),
}


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One thing the scheduler must do at `run_at` (unix seconds); `due` is the moment it stands for.

    `subject_id` is the challenge's ID, for a digest the dialogue's, for a consensus round's closing the round's."""

    action: str
    subject_id: int
    room_id: RoomId
    due: float
    run_at: float

    @property
    def event_id(self) -> EventId:
        # Made from what the action is about, never from when it happened to run: the same action planned again
        # after a restart gets the same ID, and the inbox takes it only once.
        return EventId(f"$dialogue-bot.{self.action}.{self.subject_id}.{round(self.due * 1000)}")

    def inbox_source(self) -> dict[str, Any]:
        return {
            "type": INTERNAL_EVENT_TYPE,
            "event_id": self.event_id,
            # No sender: nobody sent it. It is recognised by the inbox row's origin ('scheduled'), not by this.
            "sender": "",
            "room_id": self.room_id,
            "origin_server_ts": round(self.run_at * 1000),
            "content": {"action": self.action, "subject_id": self.subject_id, "due": self.due},
        }


def plan_actions(
    schedules: list[Schedule],
    windows: list[ClosingWindow],
    *,
    now: float,
    grace_seconds: float,
    digests: Sequence[DigestSetting] = (),
    default_timezone: str = "UTC",
    consensus_closings: Sequence[ConsensusClosing] = (),
) -> list[PlannedAction]:
    """What to do and when, from the stored agenda. Past-due openings within the grace period run now; older ones
    are reported as missed. Past-due reminders and closings run now. Digests run at their next local time; one
    missed while the bot was down is not sent late."""
    planned: list[PlannedAction] = []
    for schedule in schedules:
        if schedule.opens_at > now:
            action, run_at = "open", schedule.opens_at
        elif now - schedule.opens_at <= grace_seconds:
            action, run_at = "open", now
        else:
            action, run_at = "missed", now
        planned.append(PlannedAction(action, schedule.challenge_id, schedule.room_id, schedule.opens_at, run_at))
    for window in windows:
        if window.reminder_seconds and window.closes_at - window.reminder_seconds > 0:
            remind_at = window.closes_at - window.reminder_seconds
            if window.closes_at > now:
                planned.append(
                    PlannedAction("remind", window.challenge_id, window.room_id, window.closes_at, max(now, remind_at))
                )
        planned.append(
            PlannedAction("close", window.challenge_id, window.room_id, window.closes_at, max(now, window.closes_at))
        )
    for digest in digests:
        at = next_digest_time(digest, now, default_timezone)
        if at is not None:
            planned.append(PlannedAction("digest", digest.dialogue_id, digest.room_id, at, at))
    for closing in consensus_closings:
        planned.append(
            PlannedAction(
                "consensus-close", closing.round_id, closing.room_id, closing.closes_at, max(now, closing.closes_at)
            )
        )
    return sorted(planned, key=lambda item: (item.run_at, item.subject_id, ACTIONS.index(item.action)))


def next_digest_time(digest: DigestSetting, now: float, default_timezone: str) -> float | None:
    """The next moment the local clock shows the digest's time (DST-aware), or None if that time does not exist
    tomorrow either (a clock change); the next rebuild tries again."""
    zone = dialogue_zone(digest.timezone, default_timezone)
    try:
        return parse_when(digest.local_time, now=datetime.fromtimestamp(now, UTC), tz=zone).timestamp()
    except WhenError:
        return None


def is_internal(event: InboundEvent) -> bool:
    """An action the bot's scheduler put into the inbox: known by the row's origin, which no room member can set
    (an event from sync is never one, whatever its type and sender say)."""
    return event.origin == "scheduled" and event.type == INTERNAL_EVENT_TYPE


async def handle_scheduled(
    event: InboundEvent, room: RoomSnapshot, tx: Transaction, now: float, settings: HandlerSettings, bot_user_id: UserId
) -> None:
    asked = scheduled_action(event.content)
    if asked is None:
        return
    action, subject_id = asked.action, asked.subject_id
    if action == "digest":
        await send_digest(subject_id, room, tx, now, settings, bot_user_id)
        return
    if action == "consensus-close":
        await announce_consensus_closed(subject_id, tx, now)
        return
    challenge_id = subject_id
    prefix = settings.bot.command_prefix
    challenge = await tx.challenges.get(challenge_id)
    if challenge is None:
        return
    dialogue = await tx.dialogues.get(challenge.dialogue_id)
    if dialogue is None or dialogue.state != DialogueState.ACTIVE:
        return
    if action in ("open", "missed"):
        schedule = await tx.schedules.get(challenge_id)
        step = opening_step(
            action, challenge_state=challenge.state, schedule_state=schedule.state if schedule is not None else None
        )
        if schedule is None or step is None:
            return
        if step == "open":
            await open_in_room(tx, dialogue, challenge, now, room if room.room_id == dialogue.room_id else None)
            await tx.schedules.mark(challenge_id, ScheduleState.OPENED)
            if schedule.window_seconds:
                await tx.schedules.set_closes_at(challenge_id, now + schedule.window_seconds)
        else:
            await tx.schedules.mark(challenge_id, ScheduleState.MISSED)
            await queue_notice(
                tx,
                dialogue.room_id,
                Reply.plain(
                    bot_text(
                        dialogue.language,
                        "Challenge {number} was due to open while the bot was not running, too long ago to open it "
                        "late, so it was not opened. Moderators: {open} opens it now, or {schedule} plans it again.",
                        number=challenge.number,
                        open=f"{prefix} open {challenge.number}",
                        schedule=f"{prefix} schedule {challenge.number} <when>",
                    )
                ),
                now,
            )
        return
    closes_at = await tx.schedules.closes_at(challenge_id)
    if closes_at is None or not closing_is_current(challenge.state, closes_at=closes_at, due=asked.due):
        return  # closed by hand meanwhile, or re-timed: this action is stale
    root = await thread_root_of(tx, challenge)
    if action == "remind":
        left = format_duration(time_left(closes_at=closes_at, now=now), dialogue.language)
        notice = Reply.plain(
            bot_text(dialogue.language, "Challenge {number} closes in {left}.", number=challenge.number, left=left)
        )
        await queue_notice(tx, dialogue.room_id, notice, now, thread_root=root)
    else:
        await close_in_room(tx, dialogue.room_id, challenge, now)


async def announce_consensus_closed(round_id: int, tx: Transaction, now: float) -> None:
    """Tell the dialogue room, once, that a consensus round closed: answers after this are not counted."""
    round_ = await tx.consensus.get(round_id)
    if round_ is None or not await tx.consensus.mark_announced(round_id):
        return
    challenge = await tx.challenges.get(round_.challenge_id)
    dialogue = await tx.dialogues.get(round_.dialogue_id)
    if challenge is None or dialogue is None:
        return
    notice = Reply.plain(
        bot_text(
            dialogue.language,
            "The consensus round on challenge {number} has closed. The draft synopsis marks each of its themes on "
            "which enough people answered; no one's answer is shown.",
            number=challenge.number,
        )
    )
    await queue_notice(tx, dialogue.room_id, notice, now)


async def send_digest(
    dialogue_id: int, room: RoomSnapshot, tx: Transaction, now: float, settings: HandlerSettings, bot_user_id: UserId
) -> None:
    """Tell each moderator, by direct message, how the dialogue stands: open challenges and participation bands."""
    dialogue = await tx.dialogues.get(dialogue_id)
    if dialogue is None or dialogue.state != DialogueState.ACTIVE:
        return
    k = settings.privacy.k_threshold
    challenges = await tx.challenges.list(dialogue.id)
    bands = [band(await tx.contributions.distinct_members_for_challenge(challenge.id), k) for challenge in challenges]
    for user_id in room_moderators(room, settings.bot.moderator_power_level, bot_user_id):
        language = await language_for_person(tx, user_id, dialogue)
        await queue_direct_message(tx, user_id, _digest(dialogue.title, challenges, bands, k, language), now)


def _digest(
    title: str, challenges: Sequence[Challenge], bands: Sequence[str | None], k: int, language: str | None
) -> Reply:
    open_count = sum(1 for challenge in challenges if challenge.state == ChallengeState.OPEN)
    lines = [
        bot_text_plural(
            language,
            "Daily digest of “{title}”: {count} challenge open of {total}.",
            "Daily digest of “{title}”: {count} challenges open of {total}.",
            open_count,
            title=title,
            total=len(challenges),
        )
    ]
    for challenge, shown in zip(challenges, bands, strict=True):
        values = {
            "number": challenge.number,
            "title": challenge.title,
            "state": bot_text(language, STATE_NAMES.get(challenge.state, challenge.state)),
        }
        if shown is None:
            lines.append(
                bot_text(language, "{number}. {title} ({state}): fewer than {k} contributors so far", k=k, **values)
            )
        else:
            lines.append(bot_text(language, DIGEST_LINES[shown], **values))
    return Reply.plain("\n".join(lines))
