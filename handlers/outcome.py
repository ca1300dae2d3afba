"""What handling one event did, as the handlers report it: the processor acts on this and guesses nothing."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.slow_work import SlowRequest


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one run of `handlers.dispatch.handle_event` inside the event's transaction.

    `slow_work` set means the handler stopped before doing anything that counts: it needs that work done outside
    the transaction first (a download, a synopsis compile). The processor then rolls the transaction back, does the
    work, and runs the event again; only a run without `slow_work` marks the event done.
    """

    # Outgoing messages (replies, notices, files, reactions) the handler queued in the transaction.
    messages_queued: int = 0
    # A scheduled action ran, or a command that changes what the scheduler plans (declared in the command table).
    agenda_may_have_changed: bool = False
    slow_work: SlowRequest | None = None

    @property
    def wakes_sender(self) -> bool:
        return self.slow_work is None and self.messages_queued > 0

    @property
    def rebuilds_schedule(self) -> bool:
        return self.slow_work is None and self.agenda_may_have_changed
