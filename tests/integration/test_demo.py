"""`dialogue-bot demo --quick` runs end to end, writes the synopsis in three formats, names nobody, leaves nothing."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from demo import script
from privacy.scrub import AFFILIATION

pytestmark = pytest.mark.integration


def _quick_contributions() -> list[tuple[script.Person, str]]:
    """What each participant says in the quick demo (a quoted reply may come from the next participant instead)."""
    people = script.QUICK_PARTICIPANTS
    said = [item for _, _, items in script.CHALLENGES for item in items[:3]]
    said += [script.EDIT, script.WITHDRAWN, script.QUOTED_REPLY, script.PRIVATE]
    return [(people[index % len(people)], text) for index, text in said]


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{entry.name}: {cmdline}")
    return found


async def test_the_quick_demo_writes_an_anonymous_synopsis_and_stops_everything(tmp_path):
    out, data_dir = tmp_path / "out", tmp_path / "hs"
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "demo", "--quick", "--out", str(out), "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"

    markdown = (out / "synopsis.md").read_text(encoding="utf-8")
    assert "Draft synopsis, prepared under the Chatham House Rule" in markdown
    assert "II. Synopsis of considerations and concerns" in markdown
    word = docx.Document(io.BytesIO((out / "synopsis.docx").read_bytes()))
    word_text = "\n".join(p.text for p in word.paragraphs)
    structure = json.loads((out / "synopsis.json").read_text(encoding="utf-8"))
    assert structure["sections"]

    everything = "\n".join([markdown, json.dumps(structure, ensure_ascii=False), word_text])
    server = "localhost"
    for person in script.PEOPLE:
        assert f"@{person.localpart}-" not in everything
        assert f":{server}" not in everything
        assert person.display_name not in everything
        for part in person.display_name.split():
            if part[0].isupper() and part not in ("Moderator", "Secretariat", "Officer"):
                assert part not in everything, part
        if person.affiliation:
            assert person.affiliation not in everything

    # Participants name their own State ("As the Republic of Ruritania, we …"): the roster's affiliation was scrubbed
    # before storage, so the synopsis shows the placeholder where it stood, and no trace of the name.
    naming_own = [(person, text) for person, text in _quick_contributions() if person.affiliation in text]
    assert naming_own, "the demo script should have a participant name their own affiliation"
    scrubbed = [text.replace(person.affiliation, AFFILIATION) for person, text in naming_own]
    assert any(text in markdown for text in scrubbed), markdown
    for person, _ in naming_own:
        assert person.affiliation.split()[-1] not in everything

    assert not _processes_mentioning(str(data_dir)), "the demo left processes behind"
