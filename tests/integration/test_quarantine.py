"""A real event quarantined by the running bot, listed by `dialogue-bot quarantine` by reference only, and handled
once `dialogue-bot quarantine requeue REF` hands it back, while the bot runs."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.integration.test_dialogue import run_dialogue
from tests.integration.test_operations import run_cli
from tests.integration.test_outage import until

pytestmark = pytest.mark.integration

MARKER = "refusedbythetest"


def refuse_contributions_containing(db_path: Path, marker: str) -> None:
    """A trigger only this test adds: storing a contribution with `marker` fails, so handling the event fails."""
    with closing(sqlite3.connect(db_path)) as db:
        db.execute(
            f"CREATE TRIGGER test_refuse BEFORE INSERT ON contributions WHEN instr(NEW.text, '{marker}') > 0 "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
        db.commit()


def drop_refusal(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as db:
        db.execute("DROP TRIGGER test_refuse")
        db.commit()


def quarantined_count(db_path: Path) -> int:
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
        return int(db.execute("SELECT count(*) FROM inbox WHERE state = 'quarantined'").fetchone()[0])


async def test_a_quarantined_event_is_listed_by_reference_only_and_handled_after_requeue(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1)
    alice = d.participants[0]
    db_path = d.bot.data_dir / "bot.db"
    refuse_contributions_containing(db_path, MARKER)

    text = f"My point, {MARKER}: transfers erode the norm."
    event_id = await alice.send_thread_reply(d.room, d.root, text)
    await until(lambda: quarantined_count(db_path) == 1, "the event quarantined")

    code, listing = await run_cli("quarantine", "--config", d.bot.config_path)
    assert code == 0, listing
    lines = listing.strip().splitlines()
    assert lines[0].startswith("inbox\treference"), listing
    assert len(lines) == 2, listing
    seq, reference, _arrived, tries, _room = lines[1].split("\t")
    assert tries == "3"
    for secret in [alice.user_id, alice.user_id[1:].split(":")[0], d.moderator.user_id, event_id, d.room, d.root]:
        assert secret not in listing, secret
    assert MARKER not in listing and "transfers" not in listing

    drop_refusal(db_path)
    code, output = await run_cli("quarantine", "requeue", reference, "--config", d.bot.config_path)
    assert code == 0, output
    assert "requeued 1 event" in output
    await d.acknowledged(alice, event_id)
    assert (await d.contributions()).count(text) == 1
    assert quarantined_count(db_path) == 0
    code, listing = await run_cli("quarantine", "--config", d.bot.config_path)
    assert code == 0 and listing.strip() == "no quarantined events", listing
    assert seq.isdigit()
