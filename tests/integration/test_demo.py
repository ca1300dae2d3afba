"""`dialogue-bot demo --quick` runs end to end, writes the synopsis in three formats, names nobody, leaves nothing;
it fails in one line, stops everything in one line on SIGINT or SIGTERM, and with --keep it serves until Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

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


def _kill(found: list[str]) -> None:
    """SIGKILL processes listed by _processes_mentioning (only ever ones a test here started)."""
    for entry in found:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(entry.split(":", 1)[0]), signal.SIGKILL)


def _http_json(url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


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

    assert_expected_themes_and_consensus_marks(markdown, word_text, structure)

    assert not _processes_mentioning(str(data_dir)), "the demo left processes behind"

    # --data-dir keeps the homeserver's state, so the demo can run again on it (with a new bot account each time).
    again = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "demo", "--quick", "--out", str(tmp_path / "again"), "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert again.returncode == 0, f"{again.stdout}\n{again.stderr}"
    assert not _processes_mentioning(str(data_dir)), "the second run left processes behind"


def assert_expected_themes_and_consensus_marks(markdown: str, word_text: str, structure: dict[str, Any]) -> None:
    """Challenge 1 had the secretariat's headings, and its contributions are listed under them; its consensus round
    gave marks of at least two kinds, shown per heading in every format with the answers as a band only; challenge 2
    has the secretariat's lead and wording."""
    number = script.HEADINGS_CHALLENGE
    [section] = [s for s in structure["sections"] if s["number"] == number]
    assert [theme["heading"] for theme in section["themes"] if theme["heading"]] == list(script.QUICK_HEADINGS)
    [annex] = [a for a in structure["annex"] if a["challenge_number"] == number]
    under = {theme["wording"]: [entry["text"] for entry in theme["contributions"]] for theme in annex["themes"]}
    transfers = script.CHALLENGES[number - 1][2][0][1]
    assert transfers in under[script.QUICK_HEADINGS[0]], under
    assert script.EDIT[1] in under[script.QUICK_HEADINGS[1]], under
    body = markdown.split("## Annex", 1)[0]
    own_part = body.split(f"### Challenge {number}:", 1)[1].split("### Challenge", 1)[0]
    for heading in script.QUICK_HEADINGS:
        assert f"- {heading}" in own_part, own_part
        assert heading in word_text

    [round_] = structure["consensus"]
    assert round_["challenge_number"] == number
    marks = {theme["statement"]: theme["mark"] for theme in round_["themes"]}
    assert marks == script.QUICK_MARKS
    assert len(set(marks.values())) >= 2
    assert all(theme["voter_band"] == "a few" for theme in round_["themes"])  # four participants answered each
    consensus_annex = markdown.split("## Annex: Consensus round", 1)[1]
    for heading, mark in script.QUICK_MARKS.items():
        assert f"{heading} ({mark}; answered by a few participants)" in consensus_annex, consensus_annex
        assert f"{mark}; answered by a few participants" in word_text
    for forbidden in ("member_key", "agree_count", "votes"):
        assert forbidden not in json.dumps(structure["consensus"])

    # The secretariat's own words for challenge 2: a lead paragraph and a theme's statement.
    [second] = [s for s in structure["sections"] if s["number"] == 2]
    assert second["lead"] == script.ISU_LEAD
    assert [t["wording"] for t in second["themes"] if t["edited_by_secretariat"]] == [script.ISU_WORDING]
    assert script.ISU_LEAD in body and script.ISU_WORDING.rstrip(".") in body


async def _read_until(demo: asyncio.subprocess.Process, marker: str, printed: list[str]) -> None:
    """Collect the demo's output lines into `printed` until one contains `marker` (the demo must not end first)."""
    assert demo.stdout is not None
    async with asyncio.timeout(240):
        while not printed or marker not in printed[-1]:
            line = await demo.stdout.readline()
            assert line, f"the demo ended before printing {marker!r}:\n" + "".join(printed)
            printed.append(line.decode())


@pytest.mark.parametrize("option", ["--out", "--data-dir"])
async def test_a_folder_that_is_a_file_fails_the_demo_at_once_in_one_line(tmp_path, option):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder\n")
    folders = {"--out": str(tmp_path / "out"), "--data-dir": str(tmp_path / "hs"), option: str(a_file)}
    command = [sys.executable, "-m", "bot", "demo", "--quick", *(part for pair in folders.items() for part in pair)]

    result = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=60)

    assert result.returncode == 1, f"{result.stdout}\n{result.stderr}"
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"demo failed: {option} {a_file} is a file, not a folder"]
    assert a_file.read_text() == "not a folder\n"
    assert not _processes_mentioning(str(tmp_path))


async def test_keep_serves_the_homeserver_until_ctrl_c_then_stops_everything(tmp_path):
    out, data_dir = tmp_path / "out", tmp_path / "hs"
    demo = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "bot", "demo", "--quick", "--keep", "--out", str(out), "--data-dir", str(data_dir)],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert demo.stdout is not None
    printed: list[str] = []
    try:
        await _read_until(demo, "press Ctrl-C", printed)
        text = "".join(printed)
        homeserver = re.search(r"^Homeserver: (http://\S+)$", text, re.M)
        accounts = re.findall(r"^  (@\S+)  password: (\S+)  \(", text, re.M)
        assert homeserver and accounts, text
        url = homeserver.group(1)

        versions = await asyncio.to_thread(_http_json, f"{url}/_matrix/client/versions")
        assert versions["versions"]
        user_id, password = accounts[0]
        login = await asyncio.to_thread(
            _http_json,
            f"{url}/_matrix/client/v3/login",
            {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user_id}, "password": password},
        )
        assert login["user_id"] == user_id

        demo.send_signal(signal.SIGINT)
        async with asyncio.timeout(60):
            rest = (await demo.stdout.read()).decode()
            code = await demo.wait()
    finally:
        if demo.returncode is None:
            demo.kill()
            await demo.wait()
        left_behind = _processes_mentioning(str(data_dir))
        _kill(left_behind)

    assert code == 0, text + rest
    assert "stopping Synapse and the bot …" in rest.splitlines()
    assert "Traceback" not in rest
    assert not left_behind, "the demo left processes behind"
    with pytest.raises(urllib.error.URLError):
        await asyncio.to_thread(_http_json, f"{url}/_matrix/client/versions")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"])
async def test_a_signal_in_the_middle_of_the_dialogue_stops_everything_in_one_line(tmp_path, sig, code):
    out, data_dir = tmp_path / "out", tmp_path / "hs"
    demo = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "bot", "demo", "--quick", "--out", str(out), "--data-dir", str(data_dir)],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert demo.stdout is not None
    printed: list[str] = []
    try:
        # Synapse and the bot run, everyone is logged in, the dialogue has started: a step in the middle.
        await _read_until(demo, "moderator opens challenge 1", printed)
        demo.send_signal(sig)
        async with asyncio.timeout(60):
            rest, errors = await demo.communicate()
    finally:
        if demo.returncode is None:
            demo.kill()
            await demo.wait()
        left_behind = _processes_mentioning(str(data_dir))
        _kill(left_behind)

    output = "".join(printed) + rest.decode()
    assert demo.returncode == code, output + errors.decode()
    assert errors.decode().splitlines() == [f"demo interrupted by {sig.name}: stopping Synapse and the bot …"]
    assert "Traceback" not in output
    assert not left_behind, "the demo left processes behind"
