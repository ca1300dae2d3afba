"""`dialogue-bot`: the command line.

Subcommands: `run` (the bot), `check-config` (every configuration problem at once), `config-reference` (every
configuration key, generated from the settings model), `commands` (the command reference, generated from the same
table as the in-chat help), `serve` and `web-link` (the read-only web view, web/), `reset-session` (last resort:
forget a revoked login), `backup` and `restore` (the data and the secrets in separate parts), `quarantine` (list and
requeue the events the bot gave up on), and, on the database without a homeserver, `dialogues`, `synopsis`, `end`,
`adopt` and `purge`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import exit_codes
from bot.errors import BotError
from bot.file_modes import restrict_umask
from config import ConfigError, Settings, check_config, load_settings
from i18n import COMPLETE_LANGUAGES

log = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dialogue-bot", description=__doc__.splitlines()[0])
    config_help = "the TOML config file (default: $DIALOGUE_BOT_CONFIG, else ./config.toml)"
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run the bot until SIGINT or SIGTERM")
    run.add_argument("--config", type=Path, help=config_help)
    check = sub.add_parser("check-config", help="validate the configuration and list every problem")
    check.add_argument("--config", type=Path, help=config_help)
    reference = sub.add_parser("config-reference", help="print every configuration key as a Markdown table")
    reference.add_argument(
        "--update-readme", type=Path, metavar="FILE", help="rewrite the table between the config markers in FILE"
    )
    commands = sub.add_parser("commands", help="print the chat command reference as a Markdown table")
    commands.add_argument("--prefix", default="!dialogue")
    commands.add_argument(
        "--update-readme", type=Path, metavar="FILE", help="rewrite the table between the commands markers in FILE"
    )
    reset = sub.add_parser(
        "reset-session",
        help="last resort: forget the stored login and device; the next start logs in as a NEW device, which cannot "
        "read earlier encrypted messages",
    )
    reset.add_argument("--config", type=Path, help=config_help)
    listing = sub.add_parser("dialogues", help="list the dialogues in the bot's database")
    listing.add_argument("--config", type=Path, help=config_help)
    pull = sub.add_parser("synopsis", help="write a dialogue's draft (or adopted) synopsis, without a homeserver")
    pull.add_argument("--config", type=Path, help=config_help)
    pull.add_argument("--dialogue", type=int, required=True, help="the dialogue's number (see `dialogues`)")
    pull.add_argument("--format", choices=("md", "docx", "json"), default="md")
    pull.add_argument("-o", "--output", type=Path, help="the file to write (default: standard output for md/json)")
    pull.add_argument(
        "--adopted", action="store_true", help="the adopted synopsis, not the draft (a purged dialogue has only that)"
    )
    pull.add_argument(
        "--language",
        choices=COMPLETE_LANGUAGES,
        help="write the draft in this language (ISO 639-1; default: the dialogue's language, else English); "
        "contributions are quoted as written",
    )
    serve = sub.add_parser(
        "serve", help="serve the read-only web view (web.listen) on the bot's data directory, without the bot"
    )
    serve.add_argument("--config", type=Path, help=config_help)
    serve.add_argument("--listen", metavar="HOST:PORT", help="instead of web.listen")
    link = sub.add_parser("web-link", help="print a signed link to a dialogue's web view (valid web.link_minutes)")
    link.add_argument("--config", type=Path, help=config_help)
    link.add_argument("--dialogue", type=int, required=True, help="the dialogue's number (see `dialogues`)")
    finish = sub.add_parser("end", help="end a dialogue (it takes no more contributions), without a homeserver")
    finish.add_argument("--config", type=Path, help=config_help)
    finish.add_argument("--dialogue", type=int, required=True, help="the dialogue's number (see `dialogues`)")
    adopt = sub.add_parser("adopt", help="store a dialogue's current draft as its adopted synopsis (before `purge`)")
    adopt.add_argument("--config", type=Path, help=config_help)
    adopt.add_argument("--dialogue", type=int, required=True, help="the dialogue's number (see `dialogues`)")
    erase = sub.add_parser("purge", help="delete an ended dialogue's raw contributions, keeping its adopted synopsis")
    erase.add_argument("--config", type=Path, help=config_help)
    erase.add_argument("--dialogue", type=int, required=True)
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    backup = sub.add_parser("backup", help="copy the data directory (while the bot runs) into DEST, secrets apart")
    backup.add_argument("--config", type=Path, help=config_help)
    backup.add_argument("dest", type=Path, metavar="DEST", help="a new folder: DEST/bot.db and DEST/secrets/")
    restore = sub.add_parser("restore", help="rebuild an empty data directory from a backup (the bot stopped)")
    restore.add_argument("--config", type=Path, help=config_help)
    restore.add_argument("backup", type=Path, metavar="BACKUP", help="the folder `backup` made (holding bot.db)")
    restore.add_argument(
        "--secrets", type=Path, metavar="DIR", help="where the backup's secrets folder is now (default: BACKUP/secrets)"
    )
    quarantine = sub.add_parser(
        "quarantine", help="list the events the bot gave up on (references only); `quarantine requeue` retries them"
    )
    quarantine.add_argument("--config", type=Path, help=config_help)
    quarantine_actions = quarantine.add_subparsers(dest="quarantine_action", metavar="ACTION")
    requeue = quarantine_actions.add_parser(
        "requeue", help="hand quarantined events to the bot again (also while it runs)"
    )
    # SUPPRESS: a --config given before `requeue` is not overwritten by this one's default.
    requeue.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=config_help)
    requeue.add_argument("ref", nargs="?", metavar="REF", help="an error reference or inbox number from the listing")
    requeue.add_argument("--all", action="store_true", help="every quarantined event")
    move = sub.add_parser(
        "migrate-storage", help="copy the SQLite database into an empty PostgreSQL one (the bot stopped)"
    )
    move.add_argument("--from", dest="source", required=True, metavar="sqlite:PATH", help="the bot's bot.db")
    move.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="postgres:DSN",
        help="the target database; `postgres:` alone takes the DSN from $DIALOGUE_BOT_STORAGE__DSN (keeps its "
        "password out of the process list)",
    )
    demo = sub.add_parser("demo", help="run a scripted dialogue on a throwaway Synapse and write its draft synopsis")
    demo.add_argument("--out", default="./demo-output", help="where to write the synopsis (default: ./demo-output)")
    demo.add_argument("--keep", action="store_true", help="leave Synapse and the bot running until Ctrl-C")
    demo.add_argument("--data-dir", help="keep the homeserver's and the bot's state here (default: a temp dir)")
    demo.add_argument("--quick", action="store_true", help="a shorter script (used by the tests)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "check-config":
        return _check_config(args.config)
    if args.command == "commands":
        from handlers.commands import commands_markdown
        from handlers.registry import build_registry

        table = commands_markdown(build_registry(), args.prefix)
        if args.update_readme is None:
            sys.stdout.write(table)
            return exit_codes.OK
        return _replace_between_markers(args.update_readme, "commands", table)
    if args.command == "config-reference":
        from config.reference import config_reference_markdown

        table = config_reference_markdown()
        if args.update_readme is None:
            sys.stdout.write(table)
            return exit_codes.OK
        return _replace_between_markers(args.update_readme, "config", table)
    if args.command == "demo":
        from demo import main as run_demo

        return run_demo(args.out, keep=args.keep, data_dir=args.data_dir, quick=args.quick)
    if args.command == "migrate-storage":
        from bot.migrate_storage import run_migrate_storage

        return run_migrate_storage(args.source, args.target)
    settings = _load_or_report(args.config)
    if settings is None:
        return exit_codes.CONFIG
    # Every command from here on may create files in bot.data_dir (SQLite's WAL, nio's key store, backups):
    # none of them may be readable by others, whatever umask the operator's shell or service manager set.
    restrict_umask()
    from bot.logging_setup import configure_logging

    configure_logging(settings.logging.level, settings.logging.format)
    try:
        if args.command == "run":
            from bot.app import run_bot

            asyncio.run(run_bot(settings))
        elif args.command == "reset-session":
            asyncio.run(_reset_session(settings))
        elif args.command == "backup":
            asyncio.run(_backup(settings, args.dest))
        elif args.command == "restore":
            asyncio.run(_restore(settings, args.backup, args.secrets))
        elif args.command in ("serve", "web-link"):
            from web.cli import run_web_command

            return asyncio.run(run_web_command(settings, args))
        elif args.command == "quarantine":
            from bot.quarantine import run_quarantine_command

            return asyncio.run(run_quarantine_command(settings, args))
        else:
            from bot.offline import ask_on_terminal, run_offline_command

            confirm = ask_on_terminal if args.command == "purge" and not args.yes else None
            return asyncio.run(run_offline_command(settings, args, confirm))
    except BotError as error:
        # One line: the log goes to stderr, so a print beside it would say the same twice.
        log.error("cannot continue: %s", error)
        return error.exit_code
    except KeyboardInterrupt:
        return exit_codes.OK
    except Exception:
        log.exception("unexpected failure")
        return exit_codes.UNEXPECTED
    return exit_codes.OK


def _check_config(path: Path | None) -> int:
    problems = check_config(path)
    if problems:
        print(f"{len(problems)} problem(s) in the configuration:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return exit_codes.CONFIG
    print("configuration OK")
    return exit_codes.OK


def _load_or_report(path: Path | None) -> Settings | None:
    try:
        return load_settings(path)
    except ConfigError as error:
        print(f"dialogue-bot: the configuration has problems:\n{error}", file=sys.stderr)
        return None


async def _reset_session(settings: Settings) -> None:
    from bot.app import open_database
    from bot.session import forget_session

    db = await open_database(settings)
    try:
        existed = await forget_session(db)
    finally:
        await db.close()
    print("stored session removed" if existed else "there was no stored session")


def _refuse_on_postgres(settings: Settings, command: str) -> None:
    # backup and restore copy bot.db with SQLite's own API; a PostgreSQL database is the server's to back up.
    if settings.storage.backend == "postgres":
        from bot.errors import DatabaseError

        raise DatabaseError(
            f"`{command}` copies the SQLite file, but storage.backend is postgres: back the database up with pg_dump "
            "and the data directory (Matrix session, encryption keys) with your file backups (docs/operations.md)"
        )


async def _backup(settings: Settings, dest: Path) -> None:
    from bot.backup import create_backup

    _refuse_on_postgres(settings, "backup")

    summary = await create_backup(settings.bot.data_dir, dest)
    held = [f"{summary.dialogue_secrets} dialogue secret(s)"]
    held += ["the login"] if summary.session else []
    held += ["the encryption store's key"] if summary.pickle_key else []
    held += [f"the encryption store ({summary.crypto_files} file(s))"] if summary.crypto_files else []
    print(f"data:    {summary.database} (no secrets, no login)")
    print(f"secrets: {summary.secrets_dir} ({', '.join(held)})")
    print("Store the two apart: whoever holds both can link contributions to people and act as the bot.")


async def _restore(settings: Settings, backup: Path, secrets_dir: Path | None) -> None:
    from bot.backup import SECRETS_DIR, restore_backup

    _refuse_on_postgres(settings, "restore")

    restored = await restore_backup(backup, secrets_dir or backup / SECRETS_DIR, settings.bot.data_dir)
    print(f"restored into {settings.bot.data_dir}: the database, {restored} dialogue secret(s) and the secrets folder")


def _replace_between_markers(path: Path, name: str, table: str) -> int:
    begin, end = f"<!-- {name}:begin -->\n", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8")
    if begin not in text or end not in text:
        print(f"dialogue-bot: {path} has no {begin.strip()} … {end} markers to write between", file=sys.stderr)
        return exit_codes.USAGE
    start, stop = text.index(begin) + len(begin), text.index(end)
    path.write_text(text[:start] + table + text[stop:], encoding="utf-8")
    return exit_codes.OK
