"""The secretariat's wording through a real Synapse: a theme's wording and a challenge's lead are used in the pulled
draft, the annex lists every contribution by reference, and nobody is named in either."""

from __future__ import annotations

import json
import re

import pytest

from demo.events import body_of
from tests.integration.test_dialogue import run_dialogue
from tests.integration.test_synopsis import pull

pytestmark = pytest.mark.integration

NAMES = ("Zephyrine Quarterbridge", "Ottoline Vasquez-Marlow", "Casimir Oyelaran")
ROSTER = (
    "Republic of Tarvania ; State party",
    "Human Rights Watch ; civil society",
    "Kingdom of Elbonia ; State party",
)
FORMS = ("Zephyrine", "Quarterbridge", "Ottoline", "Vasquez", "Marlow", "Casimir", "Oyelaran", "Tarvania", "Elbonia")
TEXTS = (
    "We believe that transfers through the territory of States parties must be challenged, as Zephyrine said.",
    "We think transfers through the territory of States parties must be challenged by Tarvania too.",
    "Our delegation says transfers through the territory of States parties must be challenged.",
    "I would like the stockpile destruction deadlines of Elbonia to get a closer look.",
)


async def test_theme_wording_and_lead_are_used_and_the_annex_lists_every_contribution_naming_nobody(
    make_user, bot_factory
):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=3)
    for person, name, entry in zip(d.participants, NAMES, ROSTER, strict=True):
        await person.client.set_displayname(name)
        await d.in_backroom(f"!dialogue roster set {person.user_id} {entry}")
    for index, text in enumerate(TEXTS):
        author = d.participants[index % 3]
        await d.acknowledged(author, await author.send_thread_reply(d.room, d.root, text))
    listing = await d.contributions()
    refs = [line.split(": ", 1)[0] for line in listing.splitlines()[1:]]
    assert len(refs) == len(TEXTS)

    themes = body_of(await d.in_backroom("!dialogue themes 1"))
    theme_ref = re.search(r"^1\. .* — (\w+)", themes, re.MULTILINE).group(1)
    worded = body_of(
        await d.in_backroom(
            f"!dialogue theme wording {theme_ref} Transit through States Parties, raised by Ottoline, must be "
            "challenged."
        )
    )
    assert worded.endswith("Transit through States Parties, raised by [participant], must be challenged.")
    led = body_of(await d.in_backroom("!dialogue lead 1 Transfers, which Casimir Oyelaran opened, led the debate."))
    assert led == "Challenge 1 opens with: Transfers, which [participant] opened, led the debate."
    relisted = body_of(await d.in_backroom("!dialogue themes 1")).splitlines()
    worded_at = next(index for index, line in enumerate(relisted) if line.startswith("1. ") and theme_ref in line)
    assert relisted[worded_at + 1] == (
        '   worded by the secretariat: "Transit through States Parties, raised by [participant], must be challenged."'
    )

    markdown = (await pull(d, "md")).decode()
    structure = json.loads(await pull(d, "json"))
    body, annex = markdown.split("## Annex: Contributions by theme", 1)
    assert "Transit through States Parties, raised by [participant], must be challenged (" in body
    assert "Transfers, which [participant] opened, led the debate." in body
    assert "challenge 1, lead paragraph" in body and "challenge 1, theme 1" in body
    section = structure["sections"][0]
    assert section["lead"] == "Transfers, which [participant] opened, led the debate."
    assert section["themes"][0]["edited_by_secretariat"] is True
    for ref in refs:
        assert re.search(rf"^\s+- {ref}: ", annex, re.MULTILINE), ref
    listed = [entry["ref"] for theme in structure["annex"][0]["themes"] for entry in theme["contributions"]]
    listed += [point["ref"] for point in structure["annex"][0]["other_points"]]
    assert sorted(listed) == sorted(refs)
    everything = markdown + json.dumps(structure, ensure_ascii=False)
    leaked = [form for form in FORMS if form.casefold() in everything.casefold()]
    leaked += [person.user_id for person in d.participants if person.user_id in everything]
    assert leaked == []
