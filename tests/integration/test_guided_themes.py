"""Guided themes through a real Synapse: the secretariat's headings shape the draft, and nobody is named in it."""

from __future__ import annotations

import json

import pytest

from demo.events import body_of
from tests.integration.helpers import delegates, start_dialogue
from tests.integration.test_dialogue import Dialogue, is_ack_of, is_prompt
from tests.integration.test_synopsis import pull

pytestmark = pytest.mark.integration

HEADINGS = (
    "Withdrawal from the Convention and a firm response by States parties",
    "Predictable funding for victim assistance and survivors",
)
TEXTS = (
    "States parties should respond firmly to the withdrawal from the Convention.",
    "A withdrawal from the Convention needs a firm collective response.",
    "Victim assistance for survivors needs predictable funding.",
    "Survivors depend on funding for victim assistance that is predictable.",
)


async def test_headings_added_in_chat_group_the_contributions_in_markdown_and_json_and_nobody_is_named(
    make_user, bot_factory
):
    bot = await bot_factory()
    moderator = await make_user("mod")
    people = await delegates(make_user, 2, "Quetzal")
    room = await start_dialogue(moderator, bot.user_id, people)
    d = Dialogue(bot, moderator, people, room, root="", encrypted=True)
    await d.command(moderator, "!dialogue challenge add Norms ; What challenges the norms?")
    for heading in HEADINGS:
        answer = await d.in_backroom(f"!dialogue theme add 1 {heading}")
        assert heading in body_of(answer)

    await moderator.send_text(room, "!dialogue open 1")
    prompt = await moderator.wait_for(room, is_prompt(bot.user_id, 1))
    for index, text in enumerate(TEXTS):
        author = people[index % len(people)]
        await author.wait_for(room, lambda event, root=prompt.event_id: event.event_id == root)
        sent = await author.send_thread_reply(
            room, prompt.event_id, f"{text} (as {people[1 - index % 2].user_id} said)"
        )
        await author.wait_for(room, is_ack_of(bot.user_id, sent))

    listing = body_of(await d.in_backroom("!dialogue themes 1"))
    assert f"1. [heading] {HEADINGS[0]}" in listing
    assert f"2. [heading] {HEADINGS[1]}" in listing

    markdown = (await pull(d, "md")).decode()
    structure = json.loads(await pull(d, "json"))
    for heading in HEADINGS:
        assert heading in markdown
    themes = structure["sections"][0]["themes"]
    assert [theme["heading"] for theme in themes] == list(HEADINGS)
    assert [len(theme["refs"]) for theme in themes] == [2, 2]

    everything = markdown + json.dumps(structure)
    for person in [*people, moderator]:
        assert person.user_id not in everything
    assert "Quetzal" not in everything
