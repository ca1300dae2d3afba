"""The few SQL fragments that differ between SQLite and PostgreSQL, so that repositories speak one SQL otherwise.

Repositories write portable SQL with ``?`` placeholders (``ON CONFLICT``, ``RETURNING``, window functions and partial
indexes mean the same on both); where no portable form exists (a JSON array or object bound as one parameter and read
as rows, a field of the inbox's JSON text, the row identifier for "delete up to N rows"), they take the fragment from
their session's :class:`Dialect`. Each fragment is a fixed string per backend, never a rewrite of the caller's SQL.
(Column types in migrations are mapped by ``storage.migrations.postgres_ddl``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BackendName = Literal["sqlite", "postgres"]


@dataclass(frozen=True, slots=True)
class Dialect:
    """One backend's spelling of the fragments below."""

    name: BackendName
    json_text_values: str
    """A subquery yielding each element of the JSON array of strings bound to its ``?``, as ``IN (...)`` wants.

    One parameter instead of one placeholder per value: no limit on how many are asked about, and one statement text
    (so one prepared statement) whatever the count."""
    json_int_values: str
    """Like :attr:`json_text_values`, for a JSON array of integers."""
    json_object_pairs: str
    """A row source over the JSON object (string -> integer) bound to its ``?``, with columns ``key`` and ``value``;
    give it an alias after it."""
    row_identity: str
    """The physical row identifier, for tables without a key that a ``DELETE ... LIMIT`` subquery must name. Stable
    for the length of one statement on both backends, which is all such a subquery needs."""
    sender_of_source: str
    """The ``sender`` field of the JSON event kept in the inbox's ``source`` column (NULL when absent)."""
    table_exists: str
    """A query yielding a row if the table named by its ``?`` exists (in the current schema)."""


SQLITE = Dialect(
    name="sqlite",
    json_text_values="SELECT value FROM json_each(?)",
    json_int_values="SELECT value FROM json_each(?)",
    json_object_pairs="json_each(?)",
    row_identity="rowid",
    sender_of_source="json_extract(source, '$.sender')",
    table_exists="SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
)

POSTGRES = Dialect(
    name="postgres",
    json_text_values="SELECT json_array_elements_text(CAST(? AS json))",
    json_int_values="SELECT CAST(json_array_elements_text(CAST(? AS json)) AS BIGINT)",
    # json_each_text yields text values; the cast makes them compare with integer id columns as SQLite's do.
    json_object_pairs="(SELECT key, CAST(value AS BIGINT) AS value FROM json_each_text(CAST(? AS json)))",
    row_identity="ctid",
    sender_of_source="(CAST(source AS json) ->> 'sender')",
    table_exists="SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?",
)
