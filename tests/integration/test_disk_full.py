"""A really full disk under the bot's data directory: intake pauses, nothing is quarantined, and every contribution
is stored and acknowledged once when space returns. The data directory is a 16 MiB tmpfs, filled with a ballast file."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from demo.events import ACK
from tests.integration.helpers import raw_room_events
from tests.integration.test_dialogue import run_dialogue
from tests.integration.test_outage import until

pytestmark = pytest.mark.integration

PAUSED = "disk full; intake paused until space returns"
RESUMED = "disk space is back; intake resumed"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs; unmounted afterwards whatever happened. Needs root: without it the test fails, not skips."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs for the full-disk test (run as root): {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path, leave: int = 8 * 1024) -> Path:
    """Write a ballast file until only `leave` bytes are free on `disk`."""
    ballast = disk / "ballast"
    stats = os.statvfs(disk)
    size = max(stats.f_bavail * stats.f_frsize - leave, 0)
    with open(ballast, "wb") as fh:
        chunk = b"\0" * (1 << 20)
        while size > 0:
            with contextlib.suppress(OSError):
                size -= fh.write(chunk[: min(size, len(chunk))])
                continue
            break
    return ballast


def inbox_states(db_path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
        return dict(db.execute("SELECT state, count(*) FROM inbox GROUP BY state").fetchall())


async def test_a_full_disk_pauses_intake_quarantines_nothing_and_every_contribution_lands_once_after(
    small_disk, make_user, bot_factory
):
    data_dir = small_disk / "data"
    data_dir.mkdir(mode=0o700)
    d = await run_dialogue(
        make_user, bot_factory, encrypted=False, participants=2, extra_config={"bot": {"data_dir": str(data_dir)}}
    )
    assert d.bot.data_dir == data_dir
    ballast = fill(small_disk)

    texts = [f"Point {number} made while the disk is full." for number in range(6)]
    sent = []
    for number, text in enumerate(texts):
        person = d.participants[number % 2]
        sent.append((person, await person.send_thread_reply(d.room, d.root, text)))
    await until(lambda: PAUSED in d.bot.log_text(), "the pause warning in the log")
    assert d.bot.is_running(), d.bot.log_tail()
    assert inbox_states(data_dir / "bot.db").get("quarantined", 0) == 0

    ballast.unlink()
    await until(lambda: RESUMED in d.bot.log_text(), "the resume line in the log")
    for person, event_id in sent:
        await d.acknowledged(person, event_id)

    listing = await d.contributions()
    for text in texts:
        assert listing.count(text) == 1, listing
    events = await raw_room_events(d.moderator, d.room)
    for _, event_id in sent:
        acks = [
            e
            for e in events
            if e.get("sender") == d.bot.user_id
            and e.get("type") == "m.reaction"
            and (e.get("content", {}).get("m.relates_to") or {}).get("event_id") == event_id
            and (e.get("content", {}).get("m.relates_to") or {}).get("key") == ACK
        ]
        assert len(acks) == 1, (event_id, acks)
    log = d.bot.log_text()
    assert log.count(PAUSED) == 1 and log.count(RESUMED) == 1
    assert inbox_states(data_dir / "bot.db").get("quarantined", 0) == 0
