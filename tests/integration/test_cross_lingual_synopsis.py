"""The same point made in English, French and Spanish is one theme of the synopsis, pulled through a real Synapse."""

from __future__ import annotations

import json

import pytest

from demo.events import body_of
from tests.integration.test_dialogue import run_dialogue
from tests.integration.test_synopsis import download, is_file_from

pytestmark = pytest.mark.integration

POINT = (
    "Every State party must destroy its remaining stockpiles before the deadline.",
    "Chaque État partie doit éliminer ses réserves d'armes avant la date limite.",
    "Todos los Estados partes deben acabar con sus arsenales antes del plazo fijado.",
)


async def test_one_point_in_three_languages_is_one_theme_of_the_synopsis(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=3)
    for author, text in zip(d.participants, POINT, strict=True):
        sent = await author.send_thread_reply(d.room, d.root, text)
        await d.acknowledged(author, sent)

    backroom = await d.backroom_id()
    await d.moderator.send_text(backroom, "!dialogue synopsis json")
    file_event = await d.moderator.wait_for(
        backroom,
        lambda e: is_file_from(d.bot.user_id)(e) and body_of(e).endswith(".json"),
        timeout=60,
        description="the json synopsis",
    )
    structure = json.loads(await download(d.moderator, file_event))
    assert structure["languages"] == ["en", "es", "fr"]
    [annex] = structure["annex"]
    assert annex["other_points"] == []
    [theme] = annex["themes"]
    assert sorted(entry["text"] for entry in theme["contributions"]) == sorted(POINT)
    assert sorted(entry["language"] for entry in theme["contributions"]) == ["en", "es", "fr"]
