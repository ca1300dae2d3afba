"""Each contribution's language, detected as it is stored, reaches the synopsis pulled through a real Synapse."""

from __future__ import annotations

import json

import pytest

from demo.events import body_of
from tests.integration.test_dialogue import run_dialogue
from tests.integration.test_synopsis import download, is_file_from

pytestmark = pytest.mark.integration

FRENCH = "Les survivants doivent participer aux organes nationaux de coordination dès le départ."
ENGLISH = "Clearance deadlines keep slipping because of access problems and a lack of survey data."


async def test_a_french_and_an_english_contribution_carry_fr_and_en_into_the_synopsis(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=2)
    francophone, anglophone = d.participants
    for author, text in ((francophone, FRENCH), (anglophone, ENGLISH)):
        sent = await author.send_thread_reply(d.room, d.root, text)
        await d.acknowledged(author, sent)

    documents: dict[str, bytes] = {}
    backroom = await d.backroom_id()
    for fmt in ("json", "md"):
        await d.moderator.send_text(backroom, f"!dialogue synopsis {fmt}")
        file_event = await d.moderator.wait_for(
            backroom,
            lambda e, ext=f".{fmt}": is_file_from(d.bot.user_id)(e) and body_of(e).endswith(ext),
            timeout=60,
            description=f"the {fmt} synopsis",
        )
        documents[fmt] = await download(d.moderator, file_event)

    structure = json.loads(documents["json"])
    assert structure["languages"] == ["en", "fr"]
    [annex] = structure["annex"]
    listed = [entry for theme in annex["themes"] for entry in theme["contributions"]] + annex["other_points"]
    assert sorted((entry["text"], entry["language"]) for entry in listed) == sorted([(FRENCH, "fr"), (ENGLISH, "en")])
    refs = {entry["language"]: entry["ref"] for entry in listed}
    markdown = documents["md"].decode()
    assert f"{refs['fr']} (fr): Les survivants" in markdown
    assert f"{refs['en']} (en): Clearance deadlines" in markdown
