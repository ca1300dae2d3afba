"""Work a handler needs that must not run inside the event's transaction: fetching a file, compiling a synopsis,
joining the room that replaced a dialogue room.

The database has one connection and its transactions run one after another, so a handler that downloaded a file or
compiled a synopsis inside its event's transaction would stall the sync loop and the sender meanwhile. Instead a
handler asks `SlowWork` for the result. When it is not at hand yet, the request surfaces as `SlowWorkNeeded`: the
processor rolls the transaction back (nothing the handler did so far counts), does the work outside any transaction,
and runs the event again from the start with the result at hand. That second run reads everything afresh, so what
changed meanwhile is seen; a result is used only while it still fits what the handler now asks for
(`satisfied_by`), otherwise the work is done again. A crash between the two runs leaves the event pending, and the
next start handles it from the beginning.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dialogue.vocabulary import EventId, RoomId
from i18n import bot_marked, bot_text

if TYPE_CHECKING:
    from config import SynopsisSettings
    from synopsis.model import Synopsis, SynopsisInput


class AttachmentError(Exception):
    """A file a command needs could not be fetched; the message says why, in words for the user.

    The message is marked whole (``bot_marked``), with named placeholders filled from `values` after the reply
    translates it (:func:`attachment_problem`); ``str()`` gives the English, filled."""

    def __init__(self, message: str, /, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values

    def __str__(self) -> str:
        return self.message.format(**self.values) if self.values else self.message


def attachment_problem(problem: AttachmentError, language: str | None) -> str:
    """What `problem` says, in `language`."""
    return bot_text(language, problem.message, **problem.values)


AttachmentSource = Callable[[RoomId, EventId], Awaitable[bytes]]


async def no_attachments(room_id: RoomId, event_id: EventId) -> bytes:
    raise AttachmentError(bot_marked("Files cannot be read here."))


@dataclass(frozen=True, slots=True)
class FetchAttachment:
    """The file attached to the message `event_id` (network I/O, up to the roster file limit)."""

    room_id: RoomId
    event_id: EventId

    def satisfied_by(self, done: SlowRequest) -> bool:
        return self == done


@dataclass(frozen=True, slots=True)
class CompileSynopsis:
    """Compile `data` into a synopsis and render it in `formats` (CPU work, in a worker thread)."""

    data: SynopsisInput
    settings: SynopsisSettings
    formats: tuple[str, ...] = ()

    def satisfied_by(self, done: SlowRequest) -> bool:
        """A compile done earlier still serves if it rendered what is wanted from the same material, or from
        material that has since only gained contributions: that document is the one a request made a moment
        earlier would have got. Anything edited, withdrawn, corrected or re-rostered since calls for a new compile,
        so nothing taken back ever goes out."""
        return (
            isinstance(done, CompileSynopsis)
            and done.settings == self.settings
            and set(self.formats) <= set(done.formats)
            and only_added_to(self.data, done.data)
        )


@dataclass(frozen=True, slots=True)
class CheckReplacement:
    """Join `replacement_room_id`, which a tombstone in `old_room_id` names, and read its `m.room.create` (network
    I/O, with a short wait for an invite that is on its way): see bot/room_follow.py."""

    old_room_id: RoomId
    replacement_room_id: str
    via_server: str | None = None

    def satisfied_by(self, done: SlowRequest) -> bool:
        return self == done


@dataclass(frozen=True, slots=True)
class ReplacementCheck:
    """What the bot found in the room a tombstone names: whether it is in it, and the room it says it replaces."""

    joined: bool
    predecessor: str | None = None
    problem: str = ""  # why it could not join, in words for the moderators (no person named)


SlowRequest = FetchAttachment | CompileSynopsis | CheckReplacement


def only_added_to(current: SynopsisInput, earlier: SynopsisInput) -> bool:
    """Whether `current` is `earlier` with nothing changed or removed, at most new contributions added."""
    if replace(current, contributions=()) != replace(earlier, contributions=()):
        return False
    return set(earlier.contributions) <= set(current.contributions)


@dataclass(frozen=True, slots=True)
class CompiledSynopsis:
    synopsis: Synopsis
    rendered: Mapping[str, bytes]  # format -> document, for the formats asked for


def compile_and_render(request: CompileSynopsis) -> CompiledSynopsis:
    """The CPU-heavy part, pure: the running bot runs it in a child process (bot/compile_worker.py), tests and
    tools in a worker thread (a large dialogue takes seconds)."""
    # Imported here, not at the top: the synopsis stack (numpy, scikit-learn...) takes over 100 MB, and the bot's
    # own process, which imports this module, must never load it (see bot/compile_worker.py).
    from handlers.synopsis_input import grouping_params
    from synopsis.compile import compile_synopsis
    from synopsis.render import render

    synopsis = compile_synopsis(request.data, grouping_params(request.settings))
    return CompiledSynopsis(synopsis, {fmt: render(synopsis, fmt) for fmt in request.formats})


SlowWorkRunner = Callable[[SlowRequest], Awaitable[object]]


def local_runner(fetch_attachment: AttachmentSource = no_attachments) -> SlowWorkRunner:
    """A runner without the bot: compiles in a worker thread, fetches files through `fetch_attachment` (for tests,
    which get no files unless they pass one)."""

    async def run(request: SlowRequest) -> object:
        if isinstance(request, FetchAttachment):
            return await fetch_attachment(request.room_id, request.event_id)
        if isinstance(request, CheckReplacement):
            return ReplacementCheck(joined=False, problem="no homeserver here")
        return await asyncio.to_thread(compile_and_render, request)

    return run


class SlowWorkNeeded(Exception):
    """Not an error: the handler stopped where it needs `request` done outside the transaction (see above)."""

    def __init__(self, request: SlowRequest) -> None:
        super().__init__(type(request).__name__)
        self.request = request


@dataclass(frozen=True, slots=True)
class _Done:
    request: SlowRequest
    result: object
    problem: AttachmentError | None


class SlowWork:
    """What handlers ask for slow work through, and the results done so far for the event in hand.

    `inline`: do missing work at once, inside the transaction. The processor allows that only for an event whose
    material kept changing under repeated work outside (so it finishes eventually); tests and tools without a
    processor use it throughout.
    """

    def __init__(self, runner: SlowWorkRunner | None = None, *, inline: bool = True) -> None:
        self._runner = runner or local_runner()
        self.inline = inline
        self._done: list[_Done] = []

    async def fetch_attachment(self, room_id: RoomId, event_id: EventId) -> bytes:
        """The file attached to `event_id`; raises AttachmentError with a reason a person can act on."""
        data = await self._result_of(FetchAttachment(room_id, event_id))
        assert isinstance(data, bytes)
        return data

    async def compile_synopsis(
        self, data: SynopsisInput, settings: SynopsisSettings, formats: tuple[str, ...] = ()
    ) -> CompiledSynopsis:
        compiled = await self._result_of(CompileSynopsis(data, settings, formats))
        assert isinstance(compiled, CompiledSynopsis)
        return compiled

    async def check_replacement(
        self, old_room_id: RoomId, replacement_room_id: str, via_server: str | None
    ) -> ReplacementCheck:
        checked = await self._result_of(CheckReplacement(old_room_id, replacement_room_id, via_server))
        assert isinstance(checked, ReplacementCheck)
        return checked

    async def perform(self, request: SlowRequest) -> None:
        """Do `request` now and keep its result for the handler's next run.

        A file that cannot be had is an answer for the user (kept, and raised where the handler asks for it); any
        other failure propagates, and the processor treats it as the handler's failure."""
        try:
            result = await self._runner(request)
        except AttachmentError as problem:
            self._done.append(_Done(request, None, problem))
            return
        self._done.append(_Done(request, result, None))

    async def _result_of(self, request: SlowRequest) -> object:
        done = self._find(request)
        if done is None:
            if not self.inline:
                raise SlowWorkNeeded(request)
            await self.perform(request)
            done = self._done[-1]
        if done.problem is not None:
            raise done.problem
        return done.result

    def _find(self, request: SlowRequest) -> _Done | None:
        return next((done for done in reversed(self._done) if request.satisfied_by(done.request)), None)
