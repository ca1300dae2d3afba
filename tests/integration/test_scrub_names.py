"""Names and affiliations the way people write them never reach the database, the log or the synopsis.

An encrypted room with three participants of distinctive names and affiliations (two invented States, a real one
and an organisation with an acronym), who write about each other the way people do: short names, demonyms, first
names, surnames, possessives, capitals, an ISO code, an acronym, a hashtag, a URL, a reply quote; in the thread, the
room and a direct message, plus an edit that adds a name. Then the raw database files (bot.db and its -wal/-shm),
every line of the bot's log and the Markdown, DOCX and JSON synopsis are searched for every one of those forms.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
from contextlib import closing

import docx
import pytest

from demo.events import body_of, is_reply_from
from tests.integration.helpers import invite_bot_and_wait
from tests.integration.test_data_gone import raw_bytes
from tests.integration.test_dialogue import run_dialogue
from tests.integration.test_synopsis import pull

pytestmark = pytest.mark.integration

NAMES = ("Zephyrine Quarterbridge", "Ottoline Vasquez-Marlow", "Dr. Casimir Oyelaran-Fitch")
ROSTER = (
    "Republic of Tarvania | RT ; State party",
    "Kingdom of Norway ; State party",
    "Human Rights Watch ; civil society",
)
MODERATOR_ROSTER = "Grand Duchy of Elbonia ; State party"

# Every form the participants write below. Names are searched for in any case; the codes and acronyms, which the
# scrubber only takes in capitals, as written.
NAME_FORMS = ("Zephyrine", "Quarterbridge", "Ottoline", "Vasquez", "Marlow", "Casimir", "Oyelaran", "Fitch")
AFFILIATION_FORMS = (
    "Tarvania",
    "Tarvanian",
    "Elbonia",
    "Elbonian",
    "Norway",
    "Norwegian",
    "Human Rights Watch",
)
CAPITAL_FORMS = ("NOR", "HRW", "RT")


def _contains(haystack: str, form: str) -> bool:
    if form in CAPITAL_FORMS:
        return re.search(rf"(?<![A-Za-z]){form}(?![A-Za-z])", haystack) is not None
    return re.search(rf"(?<![A-Za-z]){re.escape(form)}", haystack, re.IGNORECASE) is not None


def _leaks(text: str, forms: tuple[str, ...]) -> list[str]:
    return [form for form in forms if _contains(text, form)]


async def test_names_and_affiliations_as_people_write_them_are_nowhere_outside_the_room(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=3)
    zephyrine, ottoline, casimir = d.participants
    for person, name in zip(d.participants, NAMES, strict=True):
        await person.client.set_displayname(name)
    for person, entry in zip(d.participants, ROSTER, strict=True):
        await d.in_backroom(f"!dialogue roster set {person.user_id} {entry}")
    await d.in_backroom(f"!dialogue roster set {d.moderator.user_id} {MODERATOR_ROSTER}")

    # In the thread: surnames with honorifics, a half of a double-barrelled name, a demonym, an ISO code, an acronym.
    first = await zephyrine.send_thread_reply(
        d.room,
        d.root,
        "Ms Vasquez-Marlow and Dr. Oyelaran-Fitch are right: the Norwegians, NOR and HRW all back the ban.",
    )
    await d.acknowledged(zephyrine, first)
    # In the room (one challenge is open): a possessive first name, demonyms, a hashtag, an alias, capitals.
    in_room = await ottoline.send_text(
        d.room,
        "I share Zephyrine's concern; the Tarvanians' #TarvaniaFirst line, RT's vote and the ELBONIAN view differ.",
    )
    await d.acknowledged(ottoline, in_room)
    # A reply in the thread quoting another participant (the quote is dropped), naming a surname in lower case.
    reply = await casimir.send_event(
        d.room,
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": f"> <{zephyrine.user_id}> the Norwegians back the ban\n\nquarterbridge and Marlow convinced me.",
            "m.relates_to": {
                "rel_type": "m.thread",
                "event_id": d.root,
                "is_falling_back": False,
                "m.in_reply_to": {"event_id": first},
            },
        },
    )
    await d.acknowledged(casimir, reply)

    # In a direct message: first names, a URL, the real State's short name and an organisation's full name.
    dm = await casimir.create_room(encrypted=True, is_direct=True)
    await invite_bot_and_wait(casimir, dm, d.bot.user_id)
    private = await casimir.send_text(
        dm,
        "Privately: Ottoline and ZEPHYRINE agree with Norway and Human Rights Watch; "
        "see example.org/tarvania-statement and the Elbonian note.",
    )
    echo = await casimir.wait_for(dm, is_reply_from(d.bot.user_id, private), timeout=60)
    assert "Recorded privately" in body_of(echo)
    assert _leaks(body_of(echo), NAME_FORMS + AFFILIATION_FORMS + CAPITAL_FORMS) == []

    # An edit that adds names and a State.
    await zephyrine.edit(
        d.room, first, "As Casimir and Ottoline said, Tarvania and the Elbonians should follow Norway's lead."
    )
    listing = await d.contributions()
    assert "[participant] and [participant] said, [affiliation] and the [affiliation]s" in listing
    assert listing.count("[participant]") >= 6 and listing.count("[affiliation]") >= 10

    documents = {fmt: await pull(d, fmt) for fmt in ("md", "docx", "json")}
    markdown = documents["md"].decode()
    word = "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(documents["docx"])).paragraphs)
    structure = json.dumps(json.loads(documents["json"]), ensure_ascii=False)
    assert "A few contributions named a participant or an affiliation" in markdown

    # The database while the bot runs: no form in any table but the roster (which holds the affiliations and their
    # aliases as the moderator gave them, for scrubbing), and no name and no form a participant wrote that is not
    # part of a roster entry anywhere in the raw files, free pages and write-ahead log included.
    await d.command(d.moderator, "!dialogue ping")
    with closing(sqlite3.connect(d.bot.data_dir / "bot.db")) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        dump = "\n".join(
            " ".join(str(value) for value in row)
            for table in tables
            if table != "roster"
            for row in db.execute(f'SELECT * FROM "{table}"')
        )
        roster_values = " ".join(
            str(value) for row in db.execute("SELECT affiliation, aliases FROM roster") for value in row
        )
    raw = raw_bytes(d.bot.data_dir).decode("utf-8", errors="replace")
    written_only = tuple(form for form in AFFILIATION_FORMS + CAPITAL_FORMS if form not in roster_values)
    assert _leaks(dump, NAME_FORMS + AFFILIATION_FORMS + CAPITAL_FORMS) == []
    assert _leaks(raw, NAME_FORMS + written_only) == []

    assert await d.bot.stop() == 0
    log = d.bot.log_text()
    assert log
    assert _leaks(log, NAME_FORMS + AFFILIATION_FORMS + CAPITAL_FORMS) == []
    for document in (markdown, word, structure):
        assert _leaks(document, NAME_FORMS + AFFILIATION_FORMS + CAPITAL_FORMS) == []
