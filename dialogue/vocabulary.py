"""Names for what the bot's layers pass each other, so a type checker can tell them apart.

The identifiers are `NewType`s over `str`: free at run time, but a room ID can no longer be handed where a user ID
is expected. The states and kinds are `StrEnum`s whose values are exactly the strings stored in the database (and
allowed by its CHECK constraints, storage/migrations.py), so a member compares equal to its stored string, and
nothing stored changes. Compare them with ``==`` (or ``in``), not ``is``: a value read from an older code path may
still be the plain string.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NewType

RoomId = NewType("RoomId", str)
"""A Matrix room ID, ``!opaque:server``."""

UserId = NewType("UserId", str)
"""A Matrix user ID, ``@localpart:server``. Never stored with a contribution, never logged at INFO or above."""

EventId = NewType("EventId", str)
"""A Matrix event ID, ``$opaque``, or the fixed ID of an internal (scheduled) event."""

MemberKey = NewType("MemberKey", str)
"""A participant's pseudonymous key in one dialogue: an HMAC of the user ID under the dialogue's secret
(privacy/pseudonym.py). What contributions, support, votes and the roster are stored under instead of the user ID."""


class DialogueState(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class ChallengeState(StrEnum):
    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"


class ScheduleState(StrEnum):
    """A scheduled opening: still to come, done, or missed (its time passed while the bot was down too long)."""

    SCHEDULED = "scheduled"
    OPENED = "opened"
    MISSED = "missed"


class CorrectionKind(StrEnum):
    """A moderator's or the secretariat's correction of the draft synopsis, kept across recompilations."""

    JOIN = "join"  # `merge`: the theme holding `ref` joins the one holding `target_ref`
    MOVE = "move"  # `move`: `ref` to the theme holding `target_ref`, or to one of its own (no target)
    EXCLUDE = "exclude"
    INCLUDE = "include"
    FORWARD = "forward"  # `way-forward <ref>`: listed under the suggested ways forward
    UNFORWARD = "unforward"  # `way-forward <ref> off`


class Channel(StrEnum):
    """Where a contribution was written."""

    THREAD = "thread"
    ROOM = "room"
    DM = "dm"


class WordingKind(StrEnum):
    """What a piece of the secretariat's own wording is (storage/secretariat_wording.py)."""

    THEME = "theme"  # a theme's statement, keyed by a contribution reference in it
    LEAD = "lead"  # a challenge's lead paragraph
    WAY_FORWARD = "way_forward"  # a way forward written for a challenge
