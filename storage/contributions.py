"""Contributions to challenges, their edits and redactions, and the support (reactions) they receive.

Who wrote or supported something is recorded only as a ``member_key`` (a pseudonym the caller computes),
never as a Matrix user ID or name; ``text`` arrives already scrubbed. Each contribution gets a short, random
``ref`` that moderators can type to name it.

Event and room IDs are not stored either: the homeserver knows who sent every event and who is in every direct
room, so a raw ID would lead straight back to the author. This repository stores keyed references instead
(:func:`privacy.matrix_id_reference` under the dialogue's secret) and computes them itself, so callers still look
contributions up by event ID. A dialogue's references die with its secret at purge.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass

from dialogue.vocabulary import Channel, EventId, MemberKey, RoomId
from privacy.pseudonym import matrix_id_reference
from storage.dialect import Dialect
from storage.errors import RowNotFoundError, StorageError
from storage.session import Row, Session

logger = logging.getLogger(__name__)

CHANNELS: tuple[str, ...] = ("thread", "room", "dm")

# No 0/O, 1/I/L: a ref read aloud or copied by hand survives. 31**4 is close to a million codes.
REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REF_LENGTH = 4
_MAX_REF_LENGTH = 12
_ATTEMPTS_PER_LENGTH = 10
# A tombstone only has to outlive the wait for the event it names (e.g. one whose room key is late); after that
# it would only be a record of which events were redacted.
TOMBSTONE_SECONDS = 7 * 24 * 3600.0
# Secrets shorter than this are not usable for references: a purged dialogue's secret is empty.
_MIN_SECRET_BYTES = 16


@dataclass(frozen=True, slots=True)
class Contribution:
    """A contribution. ``origin_ts``/``edited_ts`` are homeserver timestamps (ms); ``created_at`` is ours.

    ``event_ref`` and ``room_ref`` are the keyed references of the original event and of the room it was sent
    in (see the module docstring), not the IDs themselves.
    """

    id: int
    dialogue_id: int
    challenge_id: int
    ref: str
    member_key: MemberKey
    text: str
    channel: Channel
    event_ref: str
    room_ref: str
    created_at: float
    origin_ts: int
    edited_ts: int | None
    scrubbed: bool = False
    """Whether scrubbing replaced anything in the text (counted, as a band, in the synopsis's method annex)."""
    language: str | None = None
    """The text's language as an ISO 639-1 code (synopsis/language.py); None when unsure or stored before schema 14."""


@dataclass(frozen=True, slots=True)
class Support:
    """One recorded supporting reaction: whose (a member key) and for which contribution."""

    contribution_id: int
    member_key: MemberKey


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A redaction that arrived before its target. ``room_id`` and ``redactor_key`` are None for rows made
    before schema 6, which did not record them."""

    room_id: RoomId | None
    redactor_key: MemberKey | None
    by_moderator: bool


_FIELDS = (
    "id",
    "dialogue_id",
    "challenge_id",
    "ref",
    "member_key",
    "text",
    "channel",
    "event_ref",
    "room_ref",
    "created_at",
    "origin_ts",
    "edited_ts",
    "scrubbed",
    "language",
)
_COLUMNS = ", ".join(_FIELDS)
_C_COLUMNS = ", ".join(f"c.{column}" for column in _FIELDS)  # the same, in a join aliased `c`


def _row(row: Row) -> Contribution:
    values = {name: row[name] for name in _FIELDS}
    values["scrubbed"] = bool(values["scrubbed"])
    values["channel"] = Channel(values["channel"])
    return Contribution(**values)


def _random_ref(length: int) -> str:
    return "".join(secrets.choice(REF_ALPHABET) for _ in range(length))


# Support rows whose reaction reference is one of the candidates in the JSON object bound to `?` (reference ->
# dialogue ID, from `event_refs`); each candidate counts only for a contribution of the dialogue it was computed for.
def _support_matching_candidates(dialect: Dialect) -> str:
    return (
        "FROM support s JOIN contributions c ON c.id = s.contribution_id "
        f"JOIN {dialect.json_object_pairs} candidate "
        "ON candidate.key = s.reaction_ref AND candidate.value = c.dialogue_id"
    )


def usable_secret(secret: bytes) -> bool:
    """Whether references can be computed under this dialogue secret (not for a purged dialogue's)."""
    return len(secret) >= _MIN_SECRET_BYTES


class ContributionsRepository:
    """Contribution, support and tombstone operations within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def add(
        self,
        *,
        dialogue_id: int,
        challenge_id: int,
        member_key: MemberKey,
        text: str,
        channel: Channel,
        event_id: EventId,
        room_id: RoomId,
        origin_ts: int,
        now: float,
        scrubbed: bool = False,
        language: str | None = None,
    ) -> Contribution:
        """Store a contribution from event ``event_id`` under a fresh ref, with its detected ``language`` (or None).

        The challenge must belong to the dialogue (RowNotFoundError otherwise). An event_id already stored,
        as an original or as an edit, raises StorageError.
        """
        secret = await self._session.scalar(
            "SELECT d.secret FROM challenges c JOIN dialogues d ON d.id = c.dialogue_id "
            "WHERE c.id = ? AND c.dialogue_id = ?",
            (challenge_id, dialogue_id),
        )
        if secret is None:
            raise RowNotFoundError(f"no challenge {challenge_id} in dialogue {dialogue_id}")
        if not usable_secret(bytes(secret)):
            raise StorageError(f"dialogue {dialogue_id} has no usable secret (purged?); it takes no contributions")
        event_ref = matrix_id_reference(bytes(secret), "event", event_id)
        room_ref = matrix_id_reference(bytes(secret), "room", room_id)
        ref = await self._unused_ref()
        row = await self._session.fetchone(
            "INSERT INTO contributions (dialogue_id, challenge_id, ref, member_key, text, channel, event_ref, "
            "room_ref, created_at, origin_ts, scrubbed, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            f"RETURNING {_COLUMNS}",
            (
                dialogue_id,
                challenge_id,
                ref,
                member_key,
                text,
                channel,
                event_ref,
                room_ref,
                now,
                origin_ts,
                scrubbed,
                language,
            ),
        )
        if row is None:  # RETURNING always yields the inserted row
            raise RowNotFoundError("inserting a contribution returned no row")
        contribution = _row(row)
        await self._session.execute(
            "INSERT INTO contribution_events (event_ref, contribution_id) VALUES (?, ?)", (event_ref, contribution.id)
        )
        logger.debug("contributions: added %d to challenge %d", contribution.id, challenge_id)
        return contribution

    async def _unused_ref(self) -> str:
        # Transactions are serialized, so a ref found unused here is still unused when we insert it.
        for length in range(REF_LENGTH, _MAX_REF_LENGTH + 1):
            for _ in range(_ATTEMPTS_PER_LENGTH):
                ref = _random_ref(length)
                if await self._session.scalar("SELECT 1 FROM contributions WHERE ref = ?", (ref,)) is None:
                    return ref
            logger.debug("contributions: %d-character refs keep colliding; trying longer ones", length)
        raise StorageError("could not find an unused contribution ref")

    async def get(self, contribution_id: int) -> Contribution | None:
        """The contribution with this id."""
        row = await self._session.fetchone(f"SELECT {_COLUMNS} FROM contributions WHERE id = ?", (contribution_id,))
        return None if row is None else _row(row)

    async def _live_secrets(self) -> dict[int, bytes]:
        rows = await self._session.fetchall(
            "SELECT id, secret FROM dialogues WHERE length(secret) >= ?", (_MIN_SECRET_BYTES,)
        )
        return {row[0]: bytes(row[1]) for row in rows}

    async def _secret_of(self, contribution_id: int) -> bytes:
        secret = await self._session.scalar(
            "SELECT d.secret FROM contributions c JOIN dialogues d ON d.id = c.dialogue_id WHERE c.id = ?",
            (contribution_id,),
        )
        if secret is None:
            raise RowNotFoundError(f"no contribution with id {contribution_id}")
        return bytes(secret)

    @staticmethod
    def _refs_under(secrets_by_dialogue: dict[int, bytes], event_id: EventId) -> dict[str, int]:
        return {
            matrix_id_reference(secret, "event", event_id): dialogue_id
            for dialogue_id, secret in secrets_by_dialogue.items()
        }

    async def event_refs(self, event_id: EventId) -> dict[str, int]:
        """``event_id``'s reference under each dialogue that still has its secret, mapped to that dialogue.

        An event does not say which dialogue it belongs to (a direct message can belong to any), so lookups by
        event ID try every candidate; there are few dialogues, and an HMAC costs about a microsecond. A row
        matches only if its reference is the one computed under its own dialogue's secret.
        """
        return self._refs_under(await self._live_secrets(), event_id)

    async def by_event(
        self, event_id: EventId, *, room_id: RoomId | None = None, original_only: bool = False
    ) -> Contribution | None:
        """The contribution whose original event, or any recorded edit of it, is ``event_id``.

        With ``original_only``, only a contribution whose original event is ``event_id`` matches (an edit must
        target the original); with ``room_id``, only one sent in that room.

        See :meth:`event_refs` for how the event is matched without storing its ID.
        """
        secrets_by_dialogue = await self._live_secrets()
        refs = self._refs_under(secrets_by_dialogue, event_id)
        if not refs:
            return None
        rows = await self._session.fetchall(
            f"SELECT {_C_COLUMNS}, e.event_ref AS matched_ref FROM contribution_events e "
            "JOIN contributions c ON c.id = e.contribution_id "
            f"WHERE e.event_ref IN ({self._session.dialect.json_text_values})",
            (json.dumps(list(refs)),),
        )
        for row in rows:
            contribution = _row(row)
            if refs[row["matched_ref"]] != contribution.dialogue_id:
                continue  # another dialogue's reference that happens to be equal: not this event
            if original_only and contribution.event_ref != row["matched_ref"]:
                continue
            secret = secrets_by_dialogue[contribution.dialogue_id]
            if room_id is not None and contribution.room_ref != matrix_id_reference(secret, "room", room_id):
                continue
            return contribution
        return None

    async def was_sent_in(self, contribution: Contribution, room_id: RoomId) -> bool:
        """Whether ``contribution`` was sent in ``room_id`` (compared by keyed reference, as the room is not stored)."""
        secret = await self._secret_of(contribution.id)
        return usable_secret(secret) and contribution.room_ref == matrix_id_reference(secret, "room", room_id)

    async def by_ref(self, dialogue_id: int, ref: str) -> Contribution | None:
        """The dialogue's contribution with this ref, however the moderator capitalised it."""
        row = await self._session.fetchone(
            f"SELECT {_COLUMNS} FROM contributions WHERE dialogue_id = ? AND ref = ?",
            (dialogue_id, ref.strip().upper()),
        )
        return None if row is None else _row(row)

    async def apply_edit(
        self,
        contribution_id: int,
        edit_event_id: EventId,
        text: str,
        edit_ts: int,
        *,
        scrubbed: bool = False,
        language: str | None = None,
    ) -> bool:
        """Take an edit's text (and its detected ``language``, which replaces the old one even when None) unless a
        newer edit was already applied; return whether the text changed.

        Edits can arrive out of order: one older than the newest applied (by homeserver timestamp) is not
        applied. Its event id is recorded in any case, so that redacting that edit still finds the
        contribution.
        """
        current = await self._session.fetchone(
            "SELECT text, edited_ts FROM contributions WHERE id = ?", (contribution_id,)
        )
        if current is None:
            raise RowNotFoundError(f"no contribution with id {contribution_id}")
        edit_ref = matrix_id_reference(await self._secret_of(contribution_id), "event", edit_event_id)
        await self._session.execute(
            "INSERT INTO contribution_events (event_ref, contribution_id) VALUES (?, ?) "
            "ON CONFLICT (event_ref) DO NOTHING",
            (edit_ref, contribution_id),
        )
        if current["edited_ts"] is not None and edit_ts < current["edited_ts"]:
            logger.debug("contributions: ignored an out-of-date edit of %d", contribution_id)
            return False
        await self._session.execute(
            "UPDATE contributions SET text = ?, edited_ts = ?, scrubbed = ?, language = ? WHERE id = ?",
            (text, edit_ts, scrubbed, language, contribution_id),
        )
        self._session.request_checkpoint()  # the replaced words must not linger in the log either
        return bool(text != current["text"])

    async def delete(self, contribution_id: int) -> None:
        """Delete a contribution with its edit records and support."""
        changed = await self._session.execute("DELETE FROM contributions WHERE id = ?", (contribution_id,))
        if changed == 0:
            raise RowNotFoundError(f"no contribution with id {contribution_id}")
        self._session.request_checkpoint()
        logger.debug("contributions: deleted %d", contribution_id)

    async def delete_by_member(self, dialogue_id: int, member_key: MemberKey) -> int:
        """Delete everything one member contributed to a dialogue; return how many contributions that was.

        Their support for others' contributions is not touched: see :meth:`remove_support_by_member`.
        """
        deleted = await self._session.execute(
            "DELETE FROM contributions WHERE dialogue_id = ? AND member_key = ?", (dialogue_id, member_key)
        )
        self._session.request_checkpoint()
        logger.debug("contributions: deleted %d of one member's contributions in dialogue %d", deleted, dialogue_id)
        return deleted

    async def for_challenge(self, challenge_id: int) -> list[Contribution]:
        """A challenge's contributions in the order they were written."""
        rows = await self._session.fetchall(
            f"SELECT {_COLUMNS} FROM contributions WHERE challenge_id = ? ORDER BY origin_ts, id", (challenge_id,)
        )
        return [_row(row) for row in rows]

    async def for_dialogue(self, dialogue_id: int) -> list[Contribution]:
        """All of a dialogue's contributions, across challenges, in the order they were written."""
        rows = await self._session.fetchall(
            f"SELECT {_COLUMNS} FROM contributions WHERE dialogue_id = ? ORDER BY origin_ts, id", (dialogue_id,)
        )
        return [_row(row) for row in rows]

    async def count_for_challenge(self, challenge_id: int) -> int:
        """How many contributions a challenge has."""
        return int(
            await self._session.scalar("SELECT COUNT(*) FROM contributions WHERE challenge_id = ?", (challenge_id,))
        )

    async def distinct_members_for_challenge(self, challenge_id: int) -> int:
        """How many different members contributed to a challenge."""
        return int(
            await self._session.scalar(
                "SELECT COUNT(DISTINCT member_key) FROM contributions WHERE challenge_id = ?", (challenge_id,)
            )
        )

    async def add_support(self, contribution_id: int, member_key: MemberKey, reaction_event_id: EventId) -> None:
        """Record a member's supporting reaction; the same reaction event recorded again changes nothing."""
        reaction_ref = matrix_id_reference(await self._secret_of(contribution_id), "event", reaction_event_id)
        await self._session.execute(
            "INSERT INTO support (contribution_id, member_key, reaction_ref) VALUES (?, ?, ?) "
            "ON CONFLICT (reaction_ref) DO NOTHING",
            (contribution_id, member_key, reaction_ref),
        )

    async def remove_support_by_reaction(self, reaction_event_id: EventId) -> bool:
        """Forget the support a (now redacted) reaction gave; return whether there was any."""
        refs = await self.event_refs(reaction_event_id)
        if not refs:
            return False
        removed = await self._session.execute(
            # reaction_ref is unique: it names the row on both backends.
            "DELETE FROM support WHERE reaction_ref IN "
            f"(SELECT s.reaction_ref {_support_matching_candidates(self._session.dialect)})",
            (json.dumps(refs),),
        )
        if removed:
            self._session.request_checkpoint()
        return removed > 0

    async def remove_support_by_member(self, dialogue_id: int, member_key: MemberKey) -> int:
        """Forget all the support one member gave in a dialogue; return how many reactions that was."""
        removed = await self._session.execute(
            "DELETE FROM support WHERE member_key = ? "
            "AND contribution_id IN (SELECT id FROM contributions WHERE dialogue_id = ?)",
            (member_key, dialogue_id),
        )
        self._session.request_checkpoint()
        logger.debug("contributions: removed %d of one member's reactions in dialogue %d", removed, dialogue_id)
        return removed

    async def supporters_by_contribution(self, dialogue_id: int) -> dict[int, frozenset[str]]:
        """Each contribution's supporters (member keys), for a whole dialogue at once."""
        rows = await self._session.fetchall(
            "SELECT s.contribution_id, s.member_key FROM support s JOIN contributions c ON c.id = s.contribution_id "
            "WHERE c.dialogue_id = ?",
            (dialogue_id,),
        )
        found: dict[int, set[str]] = {}
        for contribution_id, member_key in rows:
            found.setdefault(contribution_id, set()).add(member_key)
        return {key: frozenset(value) for key, value in found.items()}

    async def distinct_supporters(self, contribution_id: int) -> int:
        """How many different members support a contribution (several reactions by one count once)."""
        return int(
            await self._session.scalar(
                "SELECT COUNT(DISTINCT member_key) FROM support WHERE contribution_id = ?", (contribution_id,)
            )
        )

    async def support_by_reaction(self, reaction_event_id: EventId) -> Support | None:
        """The support a reaction gave, if it is recorded (matched by keyed reference, as in :meth:`event_refs`)."""
        refs = await self.event_refs(reaction_event_id)
        if not refs:
            return None
        row = await self._session.fetchone(
            f"SELECT s.contribution_id, s.member_key {_support_matching_candidates(self._session.dialect)}",
            (json.dumps(refs),),
        )
        return None if row is None else Support(contribution_id=row["contribution_id"], member_key=row["member_key"])

    async def tombstone(
        self, event_id: EventId, now: float, *, room_id: RoomId, redactor_key: MemberKey, by_moderator: bool
    ) -> None:
        """Remember that ``event_id`` was redacted in ``room_id`` before we saw it, and by whom (a keyed hash).

        Each redactor's redaction is kept apart, so whether one of them may suppress the event is decided when it
        arrives; the same redactor again only adds moderator standing if they have it now. Tombstones older than
        :data:`TOMBSTONE_SECONDS` are pruned here: past that, the event is not coming.
        """
        await self._session.execute("DELETE FROM tombstones WHERE created_at < ?", (now - TOMBSTONE_SECONDS,))
        await self._session.execute(
            "INSERT INTO tombstones (event_id, created_at, room_id, redactor_key, by_moderator) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id, room_id, redactor_key) "
            # A portable max of the two flags (SQLite's two-argument MAX is PostgreSQL's GREATEST).
            "DO UPDATE SET by_moderator = CASE WHEN excluded.by_moderator > tombstones.by_moderator "
            "THEN excluded.by_moderator ELSE tombstones.by_moderator END",
            (event_id, now, room_id, redactor_key, int(by_moderator)),
        )

    async def tombstones_for(self, event_id: EventId) -> list[Tombstone]:
        """The redactions of ``event_id`` that arrived before it."""
        rows = await self._session.fetchall(
            "SELECT room_id, redactor_key, by_moderator FROM tombstones WHERE event_id = ?", (event_id,)
        )
        return [
            Tombstone(room_id=row["room_id"], redactor_key=row["redactor_key"], by_moderator=bool(row["by_moderator"]))
            for row in rows
        ]

    async def prune_tombstones(self, now: float, limit: int) -> int:
        """Delete up to ``limit`` tombstones older than :data:`TOMBSTONE_SECONDS`; return how many.

        The same window :meth:`tombstone` prunes with, but on a schedule, so they also go when no redaction arrives.
        """
        rowid = self._session.dialect.row_identity  # tombstones have no key column
        return await self._session.execute(
            f"DELETE FROM tombstones WHERE {rowid} IN (SELECT {rowid} FROM tombstones WHERE created_at < ? LIMIT ?)",
            (now - TOMBSTONE_SECONDS, limit),
        )
