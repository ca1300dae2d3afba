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

pytestmark = pytest.mark.integration


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

    assert not _processes_mentioning(str(data_dir)), "the demo left processes behind"
