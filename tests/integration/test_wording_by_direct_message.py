"""The secretariat words the draft from an encrypted direct message with the bot, naming the dialogue: through a real
Synapse, the wording reaches the pulled synopsis scrubbed against the dialogue room, and nobody else may do it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from demo.events import body_of, is_reply_from
from tests.integration.helpers import invite_bot_and_wait
from tests.integration.test_dialogue import run_dialogue
from tests.integration.test_synopsis import download, is_file_from

pytestmark = pytest.mark.integration

NAMES = ("Philippa Quennevault", "Ignatius Brocklehurst", "Wilhelmina Okonkwo-Daly")
TEXTS = (
    "We believe that transfers through the territory of States parties must be challenged.",
    "Transfers through the territory of States parties must be challenged firmly.",
    "Survivors need sustained victim assistance funding.",
)
THEME = "Transit through States Parties, which Philippa Quennevault raised, must be challenged."
LEAD = "Transfers, which Brocklehurst opened, led the debate."
FORWARD = "Map the transit routes with Wilhelmina."
SCRUBBED = {
    THEME: "Transit through States Parties, which [participant] raised, must be challenged.",
    LEAD: "Transfers, which [participant] opened, led the debate.",
    FORWARD: "Map the transit routes with [participant].",
}


async def direct_room(user: Any, bot_id: str) -> str:
    room = await user.create_room(encrypted=True, is_direct=True)
    await invite_bot_and_wait(user, room, bot_id)
    return str(room)


async def ask(user: Any, room: str, bot_id: str, text: str) -> str:
    asked = await user.send_text(room, text)
    return body_of(await user.wait_for(room, is_reply_from(bot_id, asked), description=text, timeout=60))


async def pull_in(user: Any, room: str, bot_id: str, command: str) -> bytes:
    before = len([event for event in user.events(room) if is_file_from(bot_id)(event)])
    await user.send_text(room, command)
    files = await user.wait_for_count(room, is_file_from(bot_id), before + 1, timeout=60)
    return await download(user, files[-1])


async def test_the_secretariat_words_the_draft_from_a_direct_message_and_no_one_else_may(make_user, bot_factory):
    isu = await make_user("isu")
    d = await run_dialogue(
        make_user, bot_factory, encrypted=True, participants=3, extra_config={"bot": {"isu_users": [isu.user_id]}}
    )
    bot = d.bot.user_id
    for person, name in zip(d.participants, NAMES, strict=True):
        await person.client.set_displayname(name)
    for index, text in enumerate(TEXTS):
        author = d.participants[index]
        await d.acknowledged(author, await author.send_thread_reply(d.room, d.root, text))
    themes = body_of(await d.in_backroom("!dialogue themes 1"))
    theme_ref = re.search(r"^1\. .* — (\w+)", themes, re.MULTILINE).group(1)
    listing = await d.contributions()
    survivors_ref = next(line.split(": ", 1)[0] for line in listing.splitlines()[1:] if TEXTS[2] in line)

    # A second room's dialogue, run by another moderator: the first room's moderator may not word it.
    other_moderator = await make_user("mod2")
    other_room = await other_moderator.create_room(encrypted=True)
    await invite_bot_and_wait(other_moderator, other_room, bot)
    await other_moderator.send_text(other_room, "!dialogue start Another dialogue")
    await other_moderator.wait_for(other_room, lambda e: e.sender == bot and "Chatham House Rule" in body_of(e))
    await ask(other_moderator, other_room, bot, "!dialogue challenge add Elsewhere ; What else?")

    dm = await direct_room(isu, bot)
    dialogues = await ask(isu, dm, bot, "!dialogue dialogues")
    numbers = {line.split(". ", 1)[1].split(" (")[0]: line.split(".", 1)[0] for line in dialogues.splitlines()[1:-1]}
    ours, theirs = numbers["Strengthening the norms"], numbers["Another dialogue"]

    unnamed = await ask(isu, dm, bot, "!dialogue lead 1 A paragraph for no dialogue in particular.")
    assert "!dialogue lead dialogue <number>" in unnamed and "!dialogue dialogues lists them" in unnamed

    worded = await ask(isu, dm, bot, f"!dialogue theme wording dialogue {ours} {theme_ref} {THEME}")
    assert worded == f"The theme holding {theme_ref} is now stated as: {SCRUBBED[THEME]}"
    led = await ask(isu, dm, bot, f"!dialogue lead dialogue {ours} 1 {LEAD}")
    assert led == f"Challenge 1 opens with: {SCRUBBED[LEAD]}"
    forward = await ask(isu, dm, bot, f"!dialogue way-forward dialogue {ours} 1 {FORWARD}")
    assert forward.endswith(f"(1 written by the secretariat): {SCRUBBED[FORWARD]}")
    listed = await ask(isu, dm, bot, f"!dialogue way-forward dialogue {ours} {survivors_ref}")
    assert listed == f"Contribution {survivors_ref} is listed under Suggested ways forward."

    # Whoever else tries: a participant in the room and in a direct message, a moderator on another room's dialogue.
    alice = d.participants[0]
    alice_dm = await direct_room(alice, bot)
    for command, rest in (
        ("lead", "1 Alice's own lead."),
        ("theme wording", f"{theme_ref} Alice's own wording."),
        ("way-forward", "1 Alice's own way forward."),
    ):
        in_room = body_of(await d.command(alice, f"!dialogue {command} {rest}"))
        assert in_room == f"Only moderators and the secretariat (ISU) can use !dialogue {command}.", in_room
        refused = await ask(alice, alice_dm, bot, f"!dialogue {command} dialogue {ours} {rest}")
        assert refused.startswith(f"No dialogue {ours} whose draft you may word."), refused
    other = body_of(await d.in_backroom(f"!dialogue lead dialogue {theirs} 1 Not this room's lead."))
    assert other.startswith(f"No dialogue {theirs} whose draft you may word."), other

    markdown = (await pull_in(isu, dm, bot, f"!dialogue synopsis {ours} md")).decode()
    structure = json.loads(await pull_in(isu, dm, bot, f"!dialogue synopsis {ours} json"))
    body = markdown.split("## Annex: Contributions by theme", 1)[0]
    assert SCRUBBED[THEME].removesuffix(".") in body
    assert SCRUBBED[LEAD] in body
    assert SCRUBBED[FORWARD] in body
    assert "Survivors need sustained victim assistance funding" in body.split("III. Suggested ways forward", 1)[1]
    section = structure["sections"][0]
    assert section["lead"] == SCRUBBED[LEAD]
    assert section["themes"][0]["edited_by_secretariat"] is True
    everything = markdown + json.dumps(structure, ensure_ascii=False)
    assert "Alice's own" not in everything
    leaked = [part for name in NAMES for part in re.split(r"[ -]", name) if part.casefold() in everything.casefold()]
    leaked += [person.user_id for person in [*d.participants, d.moderator, isu] if person.user_id in everything]
    assert leaked == []
