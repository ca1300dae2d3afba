"""Scheduled actions: opening a challenge at its time, reminding before its window closes, closing it.

The scheduler does not act by itself: at the due time it puts an internal event into the inbox, and the processor
hands it here, inside a transaction like any other event. So a scheduled opening runs the same code as `open`, and
the inbox's unique event IDs (made from the challenge and the due time) make each action happen once, whatever
restarts in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from handlers.dialogue_commands import close_in_room, open_in_room
from handlers.events import InboundEvent
from handlers.outgoing import queue_notice
from handlers.replies import Reply
from scheduling import format_duration

if TYPE_CHECKING:
    from storage import ClosingWindow, Schedule, Transaction

INTERNAL_EVENT_TYPE = "dialogue_bot.scheduled"
ACTIONS = ("open", "missed", "remind", "close")


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One thing the scheduler must do at `run_at` (unix seconds); `due` is the moment it stands for."""

    action: str
    challenge_id: int
    room_id: str
    due: float
    run_at: float

    @property
    def event_id(self) -> str:
        # Made from what the action is about, never from when it happened to run: the same action planned again
        # after a restart gets the same ID, and the inbox takes it only once.
        return f"$dialogue-bot.{self.action}.{self.challenge_id}.{round(self.due * 1000)}"

    def inbox_source(self) -> dict[str, Any]:
        return {
            "type": INTERNAL_EVENT_TYPE,
            "event_id": self.event_id,
            # No sender: every real Matrix event has one, so nobody in a room can forge an internal event.
            "sender": "",
            "room_id": self.room_id,
            "origin_server_ts": round(self.run_at * 1000),
            "content": {"action": self.action, "challenge_id": self.challenge_id, "due": self.due},
        }


def plan_actions(
    schedules: list[Schedule], windows: list[ClosingWindow], *, now: float, grace_seconds: float
) -> list[PlannedAction]:
    """What to do and when, from the stored agenda. Past-due openings within the grace period run now; older ones
    are reported as missed. Past-due reminders and closings run now."""
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
    return sorted(planned, key=lambda item: (item.run_at, item.challenge_id, ACTIONS.index(item.action)))


def is_internal(event: InboundEvent) -> bool:
    return event.type == INTERNAL_EVENT_TYPE and event.sender == ""


async def handle_scheduled(event: InboundEvent, tx: Transaction, now: float, prefix: str) -> None:
    action = event.content.get("action")
    challenge_id = event.content.get("challenge_id")
    if action not in ACTIONS or not isinstance(challenge_id, int):
        return
    challenge = await tx.challenges.get(challenge_id)
    if challenge is None:
        return
    dialogue = await tx.dialogues.get(challenge.dialogue_id)
    if dialogue is None or dialogue.state != "active":
        return
    if action in ("open", "missed"):
        schedule = await tx.schedules.get(challenge_id)
        if schedule is None or schedule.state != "scheduled" or challenge.state != "pending":
            return
        if action == "open":
            await open_in_room(tx, dialogue, challenge, now)
            await tx.schedules.mark(challenge_id, "opened")
            if schedule.window_seconds:
                await tx.schedules.set_closes_at(challenge_id, now + schedule.window_seconds)
        else:
            await tx.schedules.mark(challenge_id, "missed")
            await queue_notice(
                tx,
                dialogue.room_id,
                Reply.plain(
                    f"Challenge {challenge.number} was due to open while the bot was not running, too long ago to "
                    f"open it late, so it was not opened. Moderators: {prefix} open {challenge.number} opens it now, "
                    f"or {prefix} schedule {challenge.number} <when> plans it again."
                ),
                now,
            )
        return
    closes_at = await tx.schedules.closes_at(challenge_id)
    if challenge.state != "open" or closes_at is None or abs(closes_at - float(event.content.get("due", -1))) > 0.001:
        return  # closed by hand meanwhile, or re-timed: this action is stale
    root = await tx.outbox.sent_event_id(challenge.prompt_txn_id) if challenge.prompt_txn_id else None
    if action == "remind":
        left = format_duration(timedelta(seconds=max(1, round(closes_at - now))))
        notice = Reply.plain(f"Challenge {challenge.number} closes in {left}.")
        await queue_notice(tx, dialogue.room_id, notice, now, thread_root=root)
    else:
        await close_in_room(tx, dialogue.room_id, challenge, now)
