"""A dialogue in English with French- and Spanish-speaking participants, through a real Synapse, encrypted throughout.

Each participant reads the prompt in their own language (the room's English, or a direct message in the language
they chose), and the synopsis puts the same point, made once in each language, under one theme.
"""

from __future__ import annotations

import json

import pytest

from demo.events import body_of, is_reply_from
from tests.integration.helpers import invite_bot_and_wait
from tests.integration.test_cross_lingual_synopsis import POINT
from tests.integration.test_dialogue import is_prompt, run_dialogue
from tests.integration.test_synopsis import download, is_file_from

pytestmark = pytest.mark.integration


async def test_three_languages_each_reader_gets_the_prompt_in_theirs_and_one_point_is_one_theme(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=3, open_first=False)
    english, french, spanish = d.participants
    bot_id = d.bot.user_id

    # The French and Spanish speakers each choose their language in a direct chat with the bot.
    for person, code, name in ((french, "fr", "français"), (spanish, "es", "español")):
        dm = await person.create_room(encrypted=True, is_direct=True)
        await invite_bot_and_wait(person, dm, bot_id)
        asked = await person.send_text(dm, f"!dialogue my-language {code}")
        chosen = await person.wait_for(dm, is_reply_from(bot_id, asked), timeout=60, description="my-language")
        assert name in body_of(chosen)

    await d.moderator.send_text(d.room, "!dialogue open 1")
    prompt = await english.wait_for(d.room, is_prompt(bot_id, 1), description="prompt in the room")
    assert body_of(prompt).startswith("Challenge 1: New use and transfers\n\nWhat do transfers mean?")

    # The prompt by direct message reaches each in the direct chat the bot keeps with them (whichever room that is).
    _, in_french = await french.wait_for_any_room(
        lambda e: e.sender == bot_id and "Le défi 1" in body_of(e), timeout=60, description="prompt fr"
    )
    assert body_of(in_french).startswith("Le défi 1 du dialogue « Strengthening the norms » est ouvert")
    assert "What do transfers mean?" in body_of(in_french)
    _, in_spanish = await spanish.wait_for_any_room(
        lambda e: e.sender == bot_id and "El desafío 1" in body_of(e), timeout=60, description="prompt es"
    )
    assert body_of(in_spanish).startswith("El desafío 1 del diálogo «Strengthening the norms» está abierto")

    d.root = prompt.event_id
    for person in d.participants:
        await person.wait_for(d.room, lambda e: e.event_id == prompt.event_id)
    for author, text in zip(d.participants, POINT, strict=True):
        await d.acknowledged(author, await author.send_thread_reply(d.room, d.root, text))

    backroom = await d.backroom_id()
    await d.moderator.send_text(backroom, "!dialogue synopsis json")
    file_event = await d.moderator.wait_for(
        backroom,
        lambda e: is_file_from(bot_id)(e) and body_of(e).endswith(".json"),
        timeout=60,
        description="the json synopsis",
    )
    structure = json.loads(await download(d.moderator, file_event))
    assert structure["languages"] == ["en", "es", "fr"]
    [annex] = structure["annex"]
    assert annex["other_points"] == []
    [theme] = annex["themes"]
    assert sorted(entry["text"] for entry in theme["contributions"]) == sorted(POINT)
