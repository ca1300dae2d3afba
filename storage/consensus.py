"""Consensus rounds: the theme statements a challenge's participants were asked about, and their votes.

A vote is stored under the voter's pseudonymous key, one per (round, theme, person): a later reaction replaces an
earlier one, and redacting the reaction that cast the vote withdraws it. The bot's direct messages are recorded by
their outbox transaction ID only, never by whom they went to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dialogue.vocabulary import EventId, MemberKey, RoomId
from storage.session import Row, Session

Choice = Literal["agree", "disagree", "pass"]


@dataclass(frozen=True, slots=True)
class ConsensusTheme:
    position: int  # 1-based, in the order the statements were sent
    ref: str  # the theme's first contribution reference when the round opened
    statement: str


@dataclass(frozen=True, slots=True)
class ConsensusRound:
    id: int
    dialogue_id: int
    challenge_id: int
    opened_at: float
    closes_at: float


@dataclass(frozen=True, slots=True)
class ConsensusClosing:
    """A round whose closing the room has not been told about yet: the scheduler's timer for it."""

    round_id: int
    room_id: RoomId
    closes_at: float


@dataclass(frozen=True, slots=True)
class ConsensusVote:
    position: int
    member_key: MemberKey
    choice: Choice


@dataclass(frozen=True, slots=True)
class MessageTarget:
    """What a reaction on one of the bot's consensus messages is about."""

    round: ConsensusRound
    position: int


LATE_REPLY_PREFIX = "consensus-late:"


def late_reply_scope(round_id: int) -> str:
    """The once-marker scope for "this person was told the round had closed"; the marker's key is their member key."""
    return f"{LATE_REPLY_PREFIX}{round_id}"


# The late-reply scopes of one dialogue's rounds; parameters: LATE_REPLY_PREFIX, the dialogue's id.
_LATE_SCOPES_OF_DIALOGUE = "SELECT ? || id FROM consensus_rounds WHERE dialogue_id = ?"

_ROUND_COLUMNS = "r.id, r.dialogue_id, r.challenge_id, r.opened_at, r.closes_at"


def _round(row: Row) -> ConsensusRound:
    return ConsensusRound(row[0], row[1], row[2], float(row[3]), float(row[4]))


class ConsensusRepository:
    """Consensus rounds, their messages and votes, within one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def open_round(
        self, dialogue_id: int, challenge_id: int, themes: list[ConsensusTheme], now: float, closes_at: float
    ) -> int:
        round_id = await self._session.scalar(
            "INSERT INTO consensus_rounds (dialogue_id, challenge_id, opened_at, closes_at) VALUES (?, ?, ?, ?) "
            "RETURNING id",
            (dialogue_id, challenge_id, now, closes_at),
        )
        await self._session.executemany(
            "INSERT INTO consensus_themes (round_id, position, ref, statement) VALUES (?, ?, ?, ?)",
            [(round_id, theme.position, theme.ref, theme.statement) for theme in themes],
        )
        return int(round_id)

    async def round_for_challenge(self, challenge_id: int) -> ConsensusRound | None:
        row = await self._session.fetchone(
            f"SELECT {_ROUND_COLUMNS} FROM consensus_rounds r WHERE r.challenge_id = ?", (challenge_id,)
        )
        return None if row is None else _round(row)

    async def rounds(self, dialogue_id: int) -> list[ConsensusRound]:
        rows = await self._session.fetchall(
            f"SELECT {_ROUND_COLUMNS} FROM consensus_rounds r WHERE r.dialogue_id = ? ORDER BY r.id", (dialogue_id,)
        )
        return [_round(row) for row in rows]

    async def get(self, round_id: int) -> ConsensusRound | None:
        row = await self._session.fetchone(
            f"SELECT {_ROUND_COLUMNS} FROM consensus_rounds r WHERE r.id = ?", (round_id,)
        )
        return None if row is None else _round(row)

    async def unannounced_closings(self) -> list[ConsensusClosing]:
        rows = await self._session.fetchall(
            "SELECT r.id, d.room_id, r.closes_at FROM consensus_rounds r JOIN dialogues d ON d.id = r.dialogue_id "
            "WHERE r.announced = 0 ORDER BY r.id"
        )
        return [ConsensusClosing(row[0], row[1], float(row[2])) for row in rows]

    async def mark_announced(self, round_id: int) -> bool:
        """Record that the room was told the round closed; False if it already was."""
        changed = await self._session.execute(
            "UPDATE consensus_rounds SET announced = 1 WHERE id = ? AND announced = 0", (round_id,)
        )
        return changed > 0

    async def themes(self, round_id: int) -> list[ConsensusTheme]:
        rows = await self._session.fetchall(
            "SELECT position, ref, statement FROM consensus_themes WHERE round_id = ? ORDER BY position", (round_id,)
        )
        return [ConsensusTheme(row[0], row[1], row[2]) for row in rows]

    async def record_message(self, txn_id: str, round_id: int, position: int) -> None:
        await self._session.execute(
            "INSERT INTO consensus_messages (txn_id, round_id, position) VALUES (?, ?, ?)", (txn_id, round_id, position)
        )

    async def message_target(self, event_id: EventId, recipient: str) -> MessageTarget | None:
        """The round and theme of the bot's consensus message `event_id`, if it was sent to `recipient`.

        The outbox row the sender marked with the event ID says whom it went to; a reaction from anyone else (on an
        event ID copied into another room, say) is not a vote."""
        row = await self._session.fetchone(
            f"SELECT {_ROUND_COLUMNS}, m.position FROM outbox o JOIN consensus_messages m ON m.txn_id = o.txn_id "
            "JOIN consensus_rounds r ON r.id = m.round_id "
            "WHERE o.event_id = ? AND o.state = 'sent' AND o.destination_kind = 'person' AND o.destination = ?",
            (event_id, recipient),
        )
        return None if row is None else MessageTarget(_round(row), int(row[5]))

    async def vote(
        self, round_id: int, position: int, member_key: MemberKey, choice: Choice, reaction_ref: str, now: float
    ) -> None:
        """Record a vote; the person's earlier vote on the same theme, if any, is replaced (the last one counts)."""
        await self._session.execute(
            "INSERT INTO consensus_votes (round_id, position, member_key, choice, reaction_ref, voted_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, position, member_key) DO UPDATE SET "
            "choice = excluded.choice, reaction_ref = excluded.reaction_ref, voted_at = excluded.voted_at",
            (round_id, position, member_key, choice, reaction_ref, now),
        )

    async def live_rounds(self) -> list[tuple[ConsensusRound, bytes]]:
        """Every round whose dialogue still has its secret, with that secret (to find a vote by its reaction)."""
        rows = await self._session.fetchall(
            f"SELECT {_ROUND_COLUMNS}, d.secret FROM consensus_rounds r JOIN dialogues d ON d.id = r.dialogue_id "
            "WHERE length(d.secret) >= 16 ORDER BY r.id"
        )
        return [(_round(row), bytes(row[5])) for row in rows]

    async def has_vote(self, round_id: int, member_key: MemberKey, reaction_ref: str) -> bool:
        """Whether `reaction_ref` cast this person's current vote on some theme of the round."""
        found = await self._session.scalar(
            "SELECT 1 FROM consensus_votes WHERE round_id = ? AND member_key = ? AND reaction_ref = ?",
            (round_id, member_key, reaction_ref),
        )
        return found is not None

    async def withdraw(self, round_id: int, member_key: MemberKey, reaction_ref: str) -> bool:
        """Withdraw the vote `reaction_ref` cast, if it is still that person's vote; True when one was removed."""
        removed = await self._session.execute(
            "DELETE FROM consensus_votes WHERE round_id = ? AND member_key = ? AND reaction_ref = ?",
            (round_id, member_key, reaction_ref),
        )
        if removed:
            self._session.request_checkpoint()
        return removed > 0

    async def votes(self, round_id: int) -> list[ConsensusVote]:
        rows = await self._session.fetchall(
            "SELECT position, member_key, choice FROM consensus_votes WHERE round_id = ? ORDER BY position, member_key",
            (round_id,),
        )
        return [ConsensusVote(row[0], row[1], row[2]) for row in rows]

    async def delete_late_markers(self, dialogue_id: int) -> None:
        """Purge: the late-reply markers of every round of the dialogue (before the rounds themselves go)."""
        await self._session.execute(
            f"DELETE FROM once_markers WHERE scope IN ({_LATE_SCOPES_OF_DIALOGUE})", (LATE_REPLY_PREFIX, dialogue_id)
        )

    async def delete_votes_by_member(self, dialogue_id: int, member_key: MemberKey) -> None:
        """Forget-me: every vote of this person in the dialogue's rounds, and their late-reply markers."""
        await self._session.execute(
            "DELETE FROM consensus_votes WHERE member_key = ? "
            "AND round_id IN (SELECT id FROM consensus_rounds WHERE dialogue_id = ?)",
            (member_key, dialogue_id),
        )
        await self._session.execute(
            f"DELETE FROM once_markers WHERE key = ? AND scope IN ({_LATE_SCOPES_OF_DIALOGUE})",
            (member_key, LATE_REPLY_PREFIX, dialogue_id),
        )
        self._session.request_checkpoint()  # so the deleted votes leave the write-ahead log as well
