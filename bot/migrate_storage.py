"""`dialogue-bot migrate-storage --from sqlite:PATH --to postgres:DSN`: the command line around storage/migrate_storage.

It prints table names and row counts only, never a row, and never the DSN (which may hold a password)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot import exit_codes
from storage.errors import StorageError
from storage.migrate_storage import BotRunningError, migrate_storage

DSN_ENV = "DIALOGUE_BOT_STORAGE__DSN"


def _parse(source: str, target: str, environ: dict[str, str]) -> tuple[Path, str]:
    """The source file and target DSN from ``sqlite:PATH`` and ``postgres:DSN`` (or ``postgres:`` and the env)."""
    if not source.startswith("sqlite:") or not source.removeprefix("sqlite:"):
        raise ValueError("--from must be sqlite:PATH, the bot's bot.db (e.g. sqlite:./data/bot.db)")
    if not target.startswith("postgres:"):
        raise ValueError("--to must be postgres:DSN, or postgres: with the DSN in $" + DSN_ENV)
    dsn = target.removeprefix("postgres:") or environ.get(DSN_ENV, "")
    if not dsn:
        raise ValueError(f"--to postgres: names no database and ${DSN_ENV} is not set")
    if not dsn.startswith(("postgresql://", "postgres://")):
        raise ValueError("the DSN must be a postgresql:// URI")
    return Path(source.removeprefix("sqlite:")).expanduser(), dsn


def run_migrate_storage(source: str, target: str, environ: dict[str, str] | None = None) -> int:
    """Run the copy and report it; the exit code says how it went."""
    try:
        path, dsn = _parse(source, target, dict(os.environ) if environ is None else environ)
    except ValueError as error:
        print(f"dialogue-bot migrate-storage: {error}", file=sys.stderr)
        return exit_codes.USAGE
    print(f"migrate-storage: copying {path} into PostgreSQL; the bot must stay stopped until this is done")
    try:
        copied = asyncio.run(migrate_storage(path, dsn))
    except BotRunningError as error:
        print(f"dialogue-bot migrate-storage: {error}", file=sys.stderr)
        return exit_codes.REFUSED
    except StorageError as error:
        print(f"dialogue-bot migrate-storage: nothing was copied: {error}", file=sys.stderr)
        return exit_codes.DATABASE
    for table in copied:
        print(f"  {table.name}: {table.rows} rows")
    print(
        f"copied {len(copied)} tables, {sum(t.rows for t in copied)} rows, counts verified. Now set "
        'storage.backend = "postgres" and storage.dsn, and start the bot; keep bot.data_dir (the Matrix session '
        "and encryption keys stay there) and keep the old bot.db until you have a PostgreSQL backup."
    )
    return exit_codes.OK
