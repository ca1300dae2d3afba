"""Numbered schema migrations, and the runner that applies the pending ones when the database is opened.

Each step runs in its own transaction together with the update of the recorded version, so a crash or a
failing statement leaves the database exactly at the previous version, never half-migrated. Add a step by
appending a :class:`Migration` with the next version number to :data:`MIGRATIONS`; never edit a released
step, since databases in the field have already run it.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from privacy.pseudonym import matrix_id_reference
from storage.errors import MigrationError, SchemaTooNewError
from storage.session import Session, immediate_transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: its statements run first, then ``run`` (for steps SQL alone cannot express)."""

    version: int
    description: str
    statements: tuple[str, ...] = ()
    run: Callable[[Session], Awaitable[None]] | None = None


async def _key_matrix_ids(session: Session) -> None:
    """Replace the stored event and room IDs by their keyed references under each dialogue's secret.

    A dialogue without a usable secret (purged) should have no rows left; any that remain get random references,
    so their IDs are gone even though they can no longer be found by event.
    """
    dialogues = {row[0]: bytes(row[1]) for row in await session.fetchall("SELECT id, secret FROM dialogues")}

    def keyed(dialogue_id: int, kind: str, matrix_id: str) -> str:
        secret = dialogues.get(dialogue_id, b"")
        if len(secret) < 16:
            return secrets.token_hex(16)
        return matrix_id_reference(secret, kind, matrix_id)

    for row in await session.fetchall("SELECT id, dialogue_id, event_ref, room_ref FROM contributions"):
        await session.execute(
            "UPDATE contributions SET event_ref = ?, room_ref = ? WHERE id = ?",
            (keyed(row[1], "event", row[2]), keyed(row[1], "room", row[3]), row[0]),
        )
    for table, column in (("contribution_events", "event_ref"), ("support", "reaction_ref")):
        rows = await session.fetchall(
            f"SELECT t.rowid, c.dialogue_id, t.{column} FROM {table} t JOIN contributions c ON c.id = t.contribution_id"
        )
        for rowid, dialogue_id, matrix_id in rows:
            await session.execute(
                f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (keyed(dialogue_id, "event", matrix_id), rowid)
            )


# The version bookkeeping belongs to the runner, not to any step, so that every step (including the
# first) can record itself the same way.
_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
)
"""

# What migration 10 makes of the event types the outbox used before it had a kind column.
_OLD_OUTBOX_KINDS = {
    "m.room.message": "message",
    "m.reaction": "reaction",
    "dialogue_bot.file": "file",
    "dialogue_bot.redact": "redaction",
    "dialogue_bot.delete_media": "media_deletion",
}


def _typed_outbox_fields(kind: str, content: dict[str, object]) -> tuple[dict[str, object], bytes | None]:
    """A pending row's old JSON content as migration 10 stores it: the item's fields, and a file's bytes apart.

    Mirrors storage/outbox.py's encoding as it was at version 10 (a migration must not change when that module does).
    Raises KeyError, ValueError or TypeError for content of the wrong shape."""
    if kind == "reaction":
        relation = content["m.relates_to"]
        if not isinstance(relation, dict):
            raise TypeError("reaction without a relation")
        return {"event_id": str(relation["event_id"]), "key": str(relation["key"])}, None
    if kind == "file":
        data = base64.b64decode(str(content["data"]), validate=True)
        fields = {"filename": content["filename"], "mimetype": content["mimetype"], "dialogue_id": None}
        if isinstance(content.get("dialogue_id"), int):
            fields["dialogue_id"] = content["dialogue_id"]
        return fields, data
    if kind == "redaction":
        return {"event_id": str(content["event_id"]), "reason": content.get("reason")}, None
    if kind == "media_deletion":
        uris = content["mxc_uris"]
        if not isinstance(uris, list):
            raise TypeError("media deletion without a list of URIs")
        return {"mxc_uris": [str(uri) for uri in uris]}, None
    return content, None


async def _copy_outbox_into_typed_rows(session: Session) -> None:
    """Fill migration 10's outbox from the old one: a user ID as room becomes a person, each made-up event type a
    kind, a file's base64 text its bytes. Sequence numbers and transaction IDs are kept, so order and de-duplication
    hold across the upgrade. A pending row whose content cannot be read (none is known to exist) is marked failed, so
    its room's queue is not blocked for good; its error says why."""
    kept = "seq, txn_id, attempts, not_before, event_id, created_at, sent_at"
    for row in await session.fetchall(f"SELECT {kept}, room_id, event_type, content, state, last_error FROM outbox"):
        state, last_error = row["state"], row["last_error"]
        kind = _OLD_OUTBOX_KINDS.get(row["event_type"], "message")
        fields_json: str | None = None
        data: bytes | None = None
        if state == "pending":
            try:
                if row["event_type"] not in _OLD_OUTBOX_KINDS:
                    raise ValueError(f"unknown event type {row['event_type']}")
                old = json.loads(row["content"])
                if not isinstance(old, dict):
                    raise TypeError("content is not an object")
                fields, data = _typed_outbox_fields(kind, old)
                fields_json = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
            except (KeyError, ValueError, TypeError) as error:
                state, data = "failed", None
                last_error = f"unreadable at schema 10: {type(error).__name__}"
        await session.execute(
            f"INSERT INTO outbox_v10 ({kept}, destination_kind, destination, kind, content, data, state, last_error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                *(row[name] for name in kept.split(", ")),
                "person" if row["room_id"].startswith("@") else "room",  # the old rows' only way to tell
                row["room_id"],
                kind,
                fields_json,
                data,
                state,
                last_error,
            ),
        )
    await session.execute("DROP TABLE outbox")
    await session.execute("ALTER TABLE outbox_v10 RENAME TO outbox")
    await session.execute(
        "CREATE INDEX outbox_pending_destination_seq ON outbox (destination_kind, destination, seq) "
        "WHERE state = 'pending'"
    )
    await session.execute("CREATE INDEX outbox_event_id ON outbox (event_id) WHERE event_id IS NOT NULL")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1,
        description="inbox, outbox, rooms and key-value state",
        statements=(
            # Incoming events. `source` holds the raw event only while it still has to be processed: the
            # CHECK makes it impossible to keep a sender or body once the event is done or ignored.
            """
            CREATE TABLE inbox (
                seq         INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id    TEXT    NOT NULL UNIQUE,
                room_id     TEXT    NOT NULL,
                state       TEXT    NOT NULL
                            CHECK (state IN ('pending', 'awaiting_key', 'done', 'quarantined', 'ignored')),
                source      TEXT    NULL,
                attempts    INTEGER NOT NULL DEFAULT 0,
                not_before  REAL    NOT NULL DEFAULT 0,
                error_ref   TEXT    NULL,
                received_at REAL    NOT NULL,
                CHECK ((state IN ('done', 'ignored')) = (source IS NULL))
            )
            """,
            "CREATE INDEX inbox_state_seq ON inbox (state, seq)",
            # Outgoing messages. Content is kept only until the message is sent or given up on.
            """
            CREATE TABLE outbox (
                seq         INTEGER PRIMARY KEY AUTOINCREMENT,
                txn_id      TEXT    NOT NULL UNIQUE,
                room_id     TEXT    NOT NULL,
                event_type  TEXT    NOT NULL,
                content     TEXT    NULL,
                state       TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
                attempts    INTEGER NOT NULL DEFAULT 0,
                not_before  REAL    NOT NULL DEFAULT 0,
                last_error  TEXT    NULL,
                event_id    TEXT    NULL,
                created_at  REAL    NOT NULL,
                sent_at     REAL    NULL,
                CHECK ((state = 'pending') = (content IS NOT NULL))
            )
            """,
            "CREATE INDEX outbox_pending_room_seq ON outbox (room_id, seq) WHERE state = 'pending'",
            """
            CREATE TABLE rooms (
                room_id            TEXT    PRIMARY KEY,
                joined_at_ms       INTEGER NULL,
                has_left           INTEGER NOT NULL DEFAULT 0 CHECK (has_left IN (0, 1)),
                crypto_notice_sent INTEGER NOT NULL DEFAULT 0 CHECK (crypto_notice_sent IN (0, 1))
            )
            """,
            """
            CREATE TABLE kv (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )
            """,
        ),
    ),
    Migration(
        version=2,
        description="dialogues, challenges, contributions, support, roster",
        statements=(
            # Privacy by construction: nothing below has a column for a Matrix user ID or display name.
            # People appear only as `member_key`, a pseudonym the caller derives with the dialogue's secret.
            # Ids use AUTOINCREMENT so that the id of a removed row is never handed to a new one (a scheduled
            # job or a marker still naming the old row must not silently hit the new one).
            #
            # `next_challenge_number` keeps the numbers of removed challenges reserved, so a moderator's
            # "challenge 3" means the same challenge for the whole dialogue.
            """
            CREATE TABLE dialogues (
                id                    INTEGER PRIMARY KEY AUTOINCREMENT,
                room_id               TEXT    NOT NULL,
                title                 TEXT    NOT NULL,
                state                 TEXT    NOT NULL CHECK (state IN ('active', 'ended')),
                secret                BLOB    NOT NULL,
                timezone              TEXT    NULL,
                created_at            REAL    NOT NULL,
                ended_at              REAL    NULL,
                next_challenge_number INTEGER NOT NULL DEFAULT 1,
                CHECK ((state = 'ended') = (ended_at IS NOT NULL))
            )
            """,
            "CREATE UNIQUE INDEX dialogues_one_active_per_room ON dialogues (room_id) WHERE state = 'active'",
            """
            CREATE TABLE challenges (
                id            INTEGER PRIMARY KEY AUTOINCREMENT,
                dialogue_id   INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
                number        INTEGER NOT NULL CHECK (number >= 1),
                title         TEXT    NOT NULL,
                prompt        TEXT    NOT NULL,
                state         TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'open', 'closed')),
                prompt_txn_id TEXT    NULL,
                opened_at     REAL    NULL,
                closed_at     REAL    NULL,
                UNIQUE (dialogue_id, number)
            )
            """,
            "CREATE INDEX challenges_prompt_txn_id ON challenges (prompt_txn_id) WHERE prompt_txn_id IS NOT NULL",
            # Finding the challenge a thread hangs off goes through the outbox row its prompt was sent with.
            "CREATE INDEX outbox_event_id ON outbox (event_id) WHERE event_id IS NOT NULL",
            # `text` is stored already scrubbed by the caller. `origin_ts`/`edited_ts` are the homeserver's
            # timestamps (ms) of the original and of the newest applied edit.
            """
            CREATE TABLE contributions (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                dialogue_id  INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
                challenge_id INTEGER NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
                ref          TEXT    NOT NULL UNIQUE,
                member_key   TEXT    NOT NULL,
                text         TEXT    NOT NULL,
                channel      TEXT    NOT NULL CHECK (channel IN ('thread', 'room', 'dm')),
                event_id     TEXT    NOT NULL UNIQUE,
                room_id      TEXT    NOT NULL,
                created_at   REAL    NOT NULL,
                origin_ts    INTEGER NOT NULL,
                edited_ts    INTEGER NULL
            )
            """,
            "CREATE INDEX contributions_challenge ON contributions (challenge_id, origin_ts)",
            "CREATE INDEX contributions_dialogue_member ON contributions (dialogue_id, member_key)",
            # The original event and every applied edit, so a redaction of any of them finds the contribution.
            """
            CREATE TABLE contribution_events (
                event_id        TEXT    PRIMARY KEY,
                contribution_id INTEGER NOT NULL REFERENCES contributions (id) ON DELETE CASCADE
            )
            """,
            "CREATE INDEX contribution_events_contribution ON contribution_events (contribution_id)",
            """
            CREATE TABLE support (
                contribution_id   INTEGER NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
                member_key        TEXT    NOT NULL,
                reaction_event_id TEXT    NOT NULL UNIQUE
            )
            """,
            "CREATE INDEX support_contribution ON support (contribution_id, member_key)",
            # Redactions that arrived before the event they redact.
            """
            CREATE TABLE tombstones (
                event_id   TEXT PRIMARY KEY,
                created_at REAL NOT NULL
            )
            """,
            """
            CREATE TABLE roster (
                dialogue_id INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
                member_key  TEXT    NOT NULL,
                affiliation TEXT    NOT NULL,
                category    TEXT    NULL,
                PRIMARY KEY (dialogue_id, member_key)
            )
            """,
            """
            CREATE TABLE once_markers (
                scope      TEXT NOT NULL,
                key        TEXT NOT NULL,
                created_at REAL NOT NULL,
                PRIMARY KEY (scope, key)
            )
            """,
            """
            CREATE TABLE confirmations (
                room_id    TEXT NOT NULL,
                member_key TEXT NOT NULL,
                action     TEXT NOT NULL,
                expires_at REAL NOT NULL,
                PRIMARY KEY (room_id, member_key, action)
            )
            """,
        ),
    ),
    Migration(
        version=3,
        description="schedules, closing times and reminders",
        statements=(
            # One schedule per challenge: when its prompt is due, and how long its window stays open.
            # Times are unix seconds in UTC; the dialogue's time zone only matters for reading and writing them.
            """
            CREATE TABLE schedules (
                challenge_id   INTEGER PRIMARY KEY REFERENCES challenges (id) ON DELETE CASCADE,
                opens_at       REAL NOT NULL,
                window_seconds REAL NULL CHECK (window_seconds IS NULL OR window_seconds > 0),
                state          TEXT NOT NULL CHECK (state IN ('scheduled', 'opened', 'missed')),
                created_at     REAL NOT NULL
            )
            """,
            "ALTER TABLE challenges ADD COLUMN closes_at REAL NULL",
            # NULL means reminders are off for the dialogue.
            "ALTER TABLE dialogues ADD COLUMN reminder_seconds REAL NULL DEFAULT 600",
        ),
    ),
    Migration(
        version=4,
        description="daily digest time per dialogue",
        statements=(
            # Local wall time "HH:MM" in the dialogue's time zone; NULL means no digest.
            "ALTER TABLE dialogues ADD COLUMN digest_time TEXT NULL",
        ),
    ),
    Migration(
        version=5,
        description="synopsis corrections, adopted synopses and the purge audit",
        statements=(
            # Moderators' corrections, keyed by contribution references so they survive recompilation.
            """
            CREATE TABLE synopsis_overrides (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                dialogue_id INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
                kind        TEXT NOT NULL
                            CHECK (kind IN ('join', 'move', 'exclude', 'include', 'forward', 'unforward')),
                ref         TEXT NOT NULL,
                target_ref  TEXT NULL,
                created_at  REAL NOT NULL
            )
            """,
            "CREATE INDEX synopsis_overrides_by_dialogue ON synopsis_overrides (dialogue_id, id)",
            # The adopted draft, as rendered: it outlives the purge of everything it was made from.
            """
            CREATE TABLE adopted_synopses (
                dialogue_id INTEGER PRIMARY KEY REFERENCES dialogues (id) ON DELETE CASCADE,
                adopted_at  REAL NOT NULL,
                markdown    BLOB NOT NULL,
                docx        BLOB NOT NULL,
                json        BLOB NOT NULL
            )
            """,
            # What was done to a dialogue's data, and when: never content, never people.
            """
            CREATE TABLE audit (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                dialogue_id INTEGER NOT NULL,
                action      TEXT NOT NULL,
                at          REAL NOT NULL
            )
            """,
            "ALTER TABLE dialogues ADD COLUMN purged_at REAL NULL",
        ),
    ),
    Migration(
        version=6,
        description="tombstones record where and by whom (pseudonymously) an unseen event was redacted",
        statements=(
            # A redaction that arrives before its target may suppress it only if it came from the same room and
            # from the target's own sender or a moderator. So each redaction is its own row (a stranger's
            # redaction recorded first must not hide the author's own), `redactor_key` is a keyed hash, never a
            # Matrix ID, and rows from before this step (NULLs) keep suppressing their target as they always did.
            """
            CREATE TABLE tombstones_v6 (
                event_id     TEXT    NOT NULL,
                created_at   REAL    NOT NULL,
                room_id      TEXT    NULL,
                redactor_key TEXT    NULL,
                by_moderator INTEGER NOT NULL DEFAULT 0 CHECK (by_moderator IN (0, 1)),
                UNIQUE (event_id, room_id, redactor_key)
            )
            """,
            "INSERT INTO tombstones_v6 (event_id, created_at) SELECT event_id, created_at FROM tombstones",
            "DROP TABLE tombstones",
            "ALTER TABLE tombstones_v6 RENAME TO tombstones",
            "CREATE INDEX tombstones_event ON tombstones (event_id)",
        ),
    ),
    Migration(
        version=7,
        description="keyed references instead of raw event and room IDs; uploaded synopsis files",
        statements=(
            # RENAME keeps the UNIQUE constraints and the foreign keys pointing at contributions; rebuilding the
            # tables instead would cascade-delete edits and support (foreign keys are on during migrations).
            "ALTER TABLE contributions RENAME COLUMN event_id TO event_ref",
            "ALTER TABLE contributions RENAME COLUMN room_id TO room_ref",
            "ALTER TABLE contribution_events RENAME COLUMN event_id TO event_ref",
            "ALTER TABLE support RENAME COLUMN reaction_event_id TO reaction_ref",
            # Past their week, tombstones only record which events were redacted (see storage/contributions.py).
            "DELETE FROM tombstones WHERE created_at < unixepoch() - 7 * 24 * 3600",
            # Synopsis files the bot uploaded, so a purge can have them deleted from the media store.
            """
            CREATE TABLE uploaded_media (
                mxc_uri     TEXT    PRIMARY KEY,
                dialogue_id INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
                uploaded_at REAL    NOT NULL
            )
            """,
            "CREATE INDEX uploaded_media_by_dialogue ON uploaded_media (dialogue_id)",
        ),
        run=_key_matrix_ids,
    ),
    Migration(
        version=8,
        description="affiliation aliases on the roster; whether scrubbing changed a contribution",
        statements=(
            # Other ways people write an affiliation ("Tarvania", "RT"), one per line; only the scrubber reads them.
            "ALTER TABLE roster ADD COLUMN aliases TEXT NOT NULL DEFAULT ''",
            # Counted (as a band) in the synopsis's method annex. Contributions from before are taken as unchanged.
            "ALTER TABLE contributions ADD COLUMN scrubbed INTEGER NOT NULL DEFAULT 0 CHECK (scrubbed IN (0, 1))",
        ),
    ),
    Migration(
        version=9,
        description="moderators' back-rooms linked to dialogue rooms",
        statements=(
            # A link is between rooms, not dialogues: it holds for every dialogue the room runs. Each room is on at
            # most one side of one link, so a back-room never serves two dialogue rooms, nor is one itself.
            """
            CREATE TABLE backrooms (
                dialogue_room_id TEXT PRIMARY KEY,
                backroom_id      TEXT NOT NULL UNIQUE CHECK (backroom_id <> dialogue_room_id),
                linked_at        REAL NOT NULL
            )
            """,
        ),
    ),
    Migration(
        version=10,
        description="typed outbox and inbox rows: destinations, item kinds, file bytes, origin and decryption columns",
        statements=(
            # Where an item goes is a room or a person (whose direct room the sender finds), never guessed from an ID's
            # first character; what it is is a kind, not a made-up event type; `content` holds the kind's fields as
            # JSON and `data` a file's bytes. Both are dropped once the item is sent or given up on.
            """
            CREATE TABLE outbox_v10 (
                seq              INTEGER PRIMARY KEY AUTOINCREMENT,
                txn_id           TEXT    NOT NULL UNIQUE,
                destination_kind TEXT    NOT NULL CHECK (destination_kind IN ('room', 'person')),
                destination      TEXT    NOT NULL,
                kind             TEXT    NOT NULL
                                 CHECK (kind IN ('message', 'reaction', 'file', 'redaction', 'media_deletion')),
                content          TEXT    NULL,
                data             BLOB    NULL,
                state            TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
                attempts         INTEGER NOT NULL DEFAULT 0,
                not_before       REAL    NOT NULL DEFAULT 0,
                last_error       TEXT    NULL,
                event_id         TEXT    NULL,
                created_at       REAL    NOT NULL,
                sent_at          REAL    NULL,
                CHECK ((state = 'pending') = (content IS NOT NULL)),
                CHECK ((state = 'pending' AND kind = 'file') = (data IS NOT NULL))
            )
            """,
            # Who put an event in the inbox, and whether it arrived encrypted: columns only the bot writes, instead
            # of an empty sender and a key inside the event's JSON.
            "ALTER TABLE inbox ADD COLUMN origin TEXT NOT NULL DEFAULT 'sync' CHECK (origin IN ('sync', 'scheduled'))",
            "ALTER TABLE inbox ADD COLUMN was_encrypted INTEGER NOT NULL DEFAULT 0 CHECK (was_encrypted IN (0, 1))",
            # The scheduler's events had no sender and an ID it made up; no homeserver event has an empty sender.
            """
            UPDATE inbox SET origin = 'scheduled'
            WHERE source IS NOT NULL AND json_extract(source, '$.type') = 'dialogue_bot.scheduled'
                AND json_extract(source, '$.sender') = '' AND event_id LIKE '$dialogue-bot.%'
            """,
            # The sync loop stripped this key from the server's events, so only decryption can have set it.
            """
            UPDATE inbox SET was_encrypted = 1, source = json_remove(source, '$."dialogue_bot.was_encrypted"')
            WHERE source IS NOT NULL AND json_extract(source, '$."dialogue_bot.was_encrypted"')
            """,
        ),
        run=_copy_outbox_into_typed_rows,
    ),
    Migration(
        version=11,
        description="expected-theme headings per challenge (guided themes)",
        statements=(
            # Ordered by id: a heading's position is its rank in its challenge, so no position column to renumber.
            """
            CREATE TABLE theme_headings (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                challenge_id INTEGER NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
                heading      TEXT    NOT NULL,
                created_at   REAL    NOT NULL
            )
            """,
            "CREATE INDEX theme_headings_by_challenge ON theme_headings (challenge_id, id)",
        ),
    ),
    Migration(
        version=12,
        description="consensus rounds: theme statements sent by direct message and the votes on them",
        statements=(
            # One round per challenge; the theme statements are a snapshot, so later recompiles do not change what
            # people voted on. `ref` is the theme's first contribution reference, stable across recompiles.
            """
            CREATE TABLE consensus_rounds (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                dialogue_id  INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
                challenge_id INTEGER NOT NULL UNIQUE REFERENCES challenges (id) ON DELETE CASCADE,
                opened_at    REAL    NOT NULL,
                closes_at    REAL    NOT NULL,
                -- whether the room was told the round closed (the scheduler's consensus-close action)
                announced    INTEGER NOT NULL DEFAULT 0 CHECK (announced IN (0, 1))
            )
            """,
            """
            CREATE TABLE consensus_themes (
                round_id  INTEGER NOT NULL REFERENCES consensus_rounds (id) ON DELETE CASCADE,
                position  INTEGER NOT NULL,
                ref       TEXT    NOT NULL,
                statement TEXT    NOT NULL,
                PRIMARY KEY (round_id, position)
            )
            """,
            # The bot's direct message for one theme, by the outbox transaction ID it went out with: a reaction
            # names the sent event, which the outbox row records. Who it went to is not kept here.
            """
            CREATE TABLE consensus_messages (
                txn_id   TEXT    PRIMARY KEY,
                round_id INTEGER NOT NULL REFERENCES consensus_rounds (id) ON DELETE CASCADE,
                position INTEGER NOT NULL
            )
            """,
            # One vote per (round, theme, person), under the pseudonymous key; the reaction that cast it is kept
            # only as a keyed reference, so that redacting it withdraws the vote.
            """
            CREATE TABLE consensus_votes (
                round_id     INTEGER NOT NULL REFERENCES consensus_rounds (id) ON DELETE CASCADE,
                position     INTEGER NOT NULL,
                member_key   TEXT    NOT NULL,
                choice       TEXT    NOT NULL CHECK (choice IN ('agree', 'disagree', 'pass')),
                reaction_ref TEXT    NOT NULL,
                voted_at     REAL    NOT NULL,
                PRIMARY KEY (round_id, position, member_key)
            )
            """,
        ),
    ),
    Migration(
        version=13,
        description="the secretariat's own wording: theme statements, lead paragraphs and ways forward",
        statements=(
            # A theme is named by one of its contributions' references (as merge and move name it), so its wording
            # survives recompilation; leads and ways forward by challenge number. Deleted by the purge.
            """
            CREATE TABLE secretariat_wording (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                dialogue_id  INTEGER NOT NULL REFERENCES dialogues (id) ON DELETE CASCADE,
                kind         TEXT    NOT NULL CHECK (kind IN ('theme', 'lead', 'way_forward')),
                target       TEXT    NOT NULL,
                text         TEXT    NOT NULL,
                created_at   REAL    NOT NULL
            )
            """,
            "CREATE INDEX secretariat_wording_by_dialogue ON secretariat_wording (dialogue_id, id)",
        ),
    ),
    Migration(
        version=14,
        description="each contribution's language",
        statements=(
            # An ISO 639-1 code (synopsis/language.py), or NULL when the detector was unsure. Existing rows stay
            # NULL, as if unsure: a migration must not load a detector, and the language is only ever noted, never
            # relied on. An edit detects it afresh.
            "ALTER TABLE contributions ADD COLUMN language TEXT "
            "CHECK (language IS NULL OR (length(language) = 2 AND language = lower(language)))",
        ),
    ),
    Migration(
        version=15,
        description="the language of a dialogue's messages, and each person's own language",
        statements=(
            # An ISO 639-1 code of a UN language (i18n.UN_LANGUAGES); NULL is English, as every dialogue was before.
            "ALTER TABLE dialogues ADD COLUMN language TEXT "
            "CHECK (language IS NULL OR (length(language) = 2 AND language = lower(language)))",
            # Personal data, under the Matrix ID because it follows the person across dialogues and direct
            # messages: deleted by forget-me confirm (docs/privacy.md).
            """
            CREATE TABLE language_preferences (
                user_id  TEXT PRIMARY KEY,
                language TEXT NOT NULL CHECK (length(language) = 2 AND language = lower(language)),
                set_at   REAL NOT NULL
            )
            """,
        ),
    ),
)


def latest_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """The schema version a database has after all of ``migrations`` ran (0 for none)."""
    return migrations[-1].version if migrations else 0


def _check_numbering(migrations: Sequence[Migration]) -> None:
    # The runner finds the next step by position, so a gap or a duplicate would skip or repeat one.
    for position, migration in enumerate(migrations, start=1):
        if migration.version != position:
            raise ValueError(
                f"migrations must be numbered 1, 2, 3, … in order; position {position} has version {migration.version}"
            )


async def read_version(session: Session) -> int:
    """The schema version recorded in the database; 0 for a database no migration has touched."""
    exists = await session.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
    if exists is None:
        return 0
    version = await session.scalar("SELECT version FROM schema_version WHERE id = 1")
    return 0 if version is None else int(version)


async def _record_version(session: Session, version: int) -> None:
    await session.execute(_VERSION_TABLE)
    await session.execute(
        "INSERT INTO schema_version (id, version) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET version = excluded.version",
        (version,),
    )


async def migrate(conn: aiosqlite.Connection, path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply every pending step, one transaction each, and return the resulting schema version.

    The version is re-read inside each step's transaction (which holds SQLite's write lock), so two
    processes opening the same file at once cannot both apply a step.

    Raises SchemaTooNewError if the file is newer than ``migrations`` know, and MigrationError if a step
    fails (that step is rolled back; earlier steps stay applied).
    """
    _check_numbering(migrations)
    supported = latest_version(migrations)
    while True:
        async with immediate_transaction(conn) as session:
            current = await read_version(session)
            if current > supported:
                raise SchemaTooNewError(path, current, supported)
            if current == supported:
                return current
            step = migrations[current]
            try:
                for statement in step.statements:
                    await session.execute(statement)
                if step.run is not None:
                    await step.run(session)
                await _record_version(session, step.version)
            except Exception as exc:
                raise MigrationError(step.version, step.description, exc) from exc
        logger.info("database migrated to schema %d (%s)", step.version, step.description)
