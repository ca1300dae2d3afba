"""Consensus rounds through a real Synapse with encrypted rooms: participants answer the theme statements by
reacting to the bot's direct messages, and the draft synopsis marks the themes without any per-person data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from demo.events import body_of
from tests.integration.test_dialogue import Dialogue, is_ack_of, run_dialogue
from tests.integration.test_guided_themes import HEADINGS, TEXTS
from tests.integration.test_synopsis import pull

pytestmark = pytest.mark.integration

# Long enough for the bot to create and fill five encrypted direct rooms before it closes.
WINDOW = "75s"
LATE = "has closed, so this answer"


def bot_says(bot_id: str, text: str):
    return lambda event: event.sender == bot_id and text in body_of(event)


async def consensus_dialogue(make_user, bot_factory, participants: int) -> Dialogue:
    """A closed challenge 1 with two themes (the secretariat's headings), its contributions from the participants."""
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=participants)
    for index, person in enumerate(d.participants):
        await person.client.set_displayname(f"Delegate Quetzal-{index}")
    for heading in HEADINGS:
        await d.in_backroom(f"!dialogue theme add 1 {heading}")
    for index, text in enumerate(TEXTS):
        author = d.participants[index % len(d.participants)]
        await author.wait_for(d.room, is_ack_of(d.bot.user_id, await author.send_thread_reply(d.room, d.root, text)))
    return d


async def close_challenge(d: Dialogue) -> None:
    await d.moderator.send_text(d.room, "!dialogue close 1")
    await d.moderator.wait_for(d.room, bot_says(d.bot.user_id, "Challenge 1 is closed"))


async def statements(d: Dialogue, person: Any) -> tuple[str, list[Any]]:
    """The person's direct room with the bot and the two statement messages in it."""
    room, first = await person.wait_for_any_room(
        bot_says(d.bot.user_id, "statement 1 of 2"), timeout=60, description="statement 1"
    )
    second = await person.wait_for(room, bot_says(d.bot.user_id, "statement 2 of 2"), timeout=60)
    return room, [first, second]


async def answer_late_and_sync(d: Dialogue, person: Any, room: str, message: Any) -> None:
    """A reaction after the window: answered with the one late notice, which also shows the person's earlier
    reactions were all handled (each person's events are handled in order)."""
    await person.send_reaction(room, message.event_id, "➖")
    await person.wait_for(room, bot_says(d.bot.user_id, LATE), timeout=30)


def assert_names_no_one(d: Dialogue, text: str) -> None:
    for person in [*d.participants, d.moderator]:
        assert person.user_id not in text
    assert "Quetzal" not in text


async def test_five_participants_vote_by_direct_message_and_the_synopsis_marks_the_themes_without_names(
    make_user, bot_factory
):
    d = await consensus_dialogue(make_user, bot_factory, participants=5)
    refused = body_of(await d.command(d.moderator, "!dialogue consensus 1"))
    assert "Challenge 1 is still open" in refused
    await close_challenge(d)
    opened = body_of(await d.command(d.moderator, f"!dialogue consensus 1 for {WINDOW}"))
    assert opened.startswith("Consensus round on challenge 1: each participant gets its 2 theme statements")

    inboxes = [await statements(d, person) for person in d.participants]
    for room, messages in inboxes:
        assert room != d.room
        assert HEADINGS[0] in body_of(messages[0]) and HEADINGS[1] in body_of(messages[1])
        for message in messages:
            assert_names_no_one(d, json.dumps(message.source))

    # Theme 1: everyone agrees (the first person changes their mind: the last reaction counts).
    # Theme 2: two agree, two disagree; the fifth disagrees and withdraws it by redacting the reaction.
    first_choices = ["👍"] * 5
    second_choices = ["👍", "👍", "👎", "👎", None]
    p0_room, p0_messages = inboxes[0]
    await d.participants[0].send_reaction(p0_room, p0_messages[0].event_id, "👎")
    for person, (room, messages), first, second in zip(
        d.participants, inboxes, first_choices, second_choices, strict=True
    ):
        await person.send_reaction(room, messages[0].event_id, first)
        if second is not None:
            await person.send_reaction(room, messages[1].event_id, second)
    p4, (p4_room, p4_messages) = d.participants[4], inboxes[4]
    withdrawn = await p4.send_reaction(p4_room, p4_messages[1].event_id, "👎")
    await p4.redact(p4_room, withdrawn)

    await d.moderator.wait_for(
        d.room, bot_says(d.bot.user_id, "The consensus round on challenge 1 has closed"), timeout=120
    )
    for person, (room, messages) in zip(d.participants, inboxes, strict=True):
        await answer_late_and_sync(d, person, room, messages[0])
    # A second late answer gets no second notice.
    await d.participants[0].send_reaction(p0_room, p0_messages[1].event_id, "➖")
    await d.participants[0].send_text(p0_room, "!dialogue ping")
    await d.participants[0].wait_for(p0_room, bot_says(d.bot.user_id, "pong"), timeout=30)
    late_notices = [e for e in d.participants[0].events(p0_room) if bot_says(d.bot.user_id, LATE)(e)]
    assert len(late_notices) == 1

    structure = json.loads(await pull(d, "json"))
    markdown = (await pull(d, "md")).decode()
    [round_] = structure["consensus"]
    assert round_["challenge_number"] == 1
    assert [(t["number"], t["statement"], t["mark"], t["voter_band"]) for t in round_["themes"]] == [
        (1, HEADINGS[0], "broad agreement", "several"),
        (2, HEADINGS[1], "divided", "a few"),  # four answers: the withdrawn one does not count
    ]
    assert "broad agreement; answered by several participants" in markdown
    assert "divided; answered by a few participants" in markdown
    assert "Passes count among those who answered" in markdown
    everything = markdown + json.dumps(structure)
    assert_names_no_one(d, everything)
    for forbidden in ("member_key", "agree_count", "votes"):
        assert forbidden not in json.dumps(structure["consensus"])


async def test_with_fewer_than_k_answers_the_synopsis_marks_no_theme(make_user, bot_factory):
    d = await consensus_dialogue(make_user, bot_factory, participants=3)
    await close_challenge(d)
    await d.command(d.moderator, f"!dialogue consensus 1 for {WINDOW}")
    inboxes = [await statements(d, person) for person in d.participants]
    for person, (room, messages) in zip(d.participants[:2], inboxes[:2], strict=True):
        for message in messages:
            await person.send_reaction(room, message.event_id, "👍")

    await d.moderator.wait_for(
        d.room, bot_says(d.bot.user_id, "The consensus round on challenge 1 has closed"), timeout=120
    )
    for person, (room, messages) in zip(d.participants[:2], inboxes[:2], strict=True):
        await answer_late_and_sync(d, person, room, messages[0])

    structure = json.loads(await pull(d, "json"))
    markdown = (await pull(d, "md")).decode()
    assert [(t["mark"], t["voter_band"]) for t in structure["consensus"][0]["themes"]] == [(None, None)] * 2
    assert "On challenge 1, no theme is marked" in markdown
    assert "answered by" not in markdown
    assert_names_no_one(d, markdown + json.dumps(structure))
