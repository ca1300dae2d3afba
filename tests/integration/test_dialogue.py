"""A dialogue under the Chatham House Rule, run against a real Synapse with real clients."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

import nio
import pytest

from demo.events import body_of, is_ack_of, is_reply_from
from tests.integration.helpers import invite_bot_and_wait, link_backroom, thread_relation, withhold_next_room_key

pytestmark = pytest.mark.integration


@dataclass
class Dialogue:
    bot: Any
    moderator: Any
    participants: list[Any]
    room: str
    root: str  # challenge 1's prompt: the root of its thread
    encrypted: bool = False
    backroom: str = ""  # the moderators' back-room, linked on first use

    async def command(self, user: Any, text: str) -> nio.Event:
        asked = await user.send_text(self.room, text)
        return await user.wait_for(self.room, is_reply_from(self.bot.user_id, asked), description=text)

    async def backroom_id(self) -> str:
        if not self.backroom:
            self.backroom = await link_backroom(self.moderator, self.bot.user_id, self.room, encrypted=self.encrypted)
        return self.backroom

    async def in_backroom(self, text: str) -> nio.Event:
        """A moderator's command in the back-room (the roster, listings, curation): its answer."""
        backroom = await self.backroom_id()
        asked = await self.moderator.send_text(backroom, text)
        return await self.moderator.wait_for(backroom, is_reply_from(self.bot.user_id, asked), description=text)

    async def contributions(self, number: int = 1) -> str:
        return body_of(await self.in_backroom(f"!dialogue contributions {number}"))

    async def acknowledged(self, user: Any, event_id: str) -> None:
        await user.wait_for(self.room, is_ack_of(self.bot.user_id, event_id), description=f"ack of {event_id}")


def is_prompt(bot_id: str, number: int):
    return lambda event: event.sender == bot_id and body_of(event).startswith(f"Challenge {number}:")


async def run_dialogue(
    make_user,
    bot_factory,
    *,
    encrypted: bool,
    participants: int = 3,
    open_first: bool = True,
    power_levels: dict[str, Any] | None = None,
    **bot_options,
):
    bot = await bot_factory(**bot_options)
    moderator = await make_user("mod")
    people = [await make_user(f"p{index}") for index in range(participants)]
    room = await moderator.create_room(
        encrypted=encrypted, invite=[person.user_id for person in people], power_levels=power_levels
    )
    for person in people:
        await moderator.wait_for_membership(room, person.user_id, "join")
    await invite_bot_and_wait(moderator, room, bot.user_id)
    dialogue = Dialogue(bot, moderator, people, room, root="", encrypted=encrypted)
    started = await moderator.send_text(room, "!dialogue start Strengthening the norms")
    await moderator.wait_for(room, lambda e: e.sender == bot.user_id and "Chatham House Rule" in body_of(e))
    assert started
    reply = await dialogue.command(moderator, "!dialogue challenge add New use and transfers ; What do transfers mean?")
    assert body_of(reply) == "Added challenge 1: New use and transfers"
    reply = await dialogue.command(moderator, "!dialogue challenge add Withdrawal ; What follows a withdrawal?")
    assert body_of(reply) == "Added challenge 2: Withdrawal"
    if open_first:
        await moderator.send_text(room, "!dialogue open 1")
        prompt = await moderator.wait_for(room, is_prompt(bot.user_id, 1), description="prompt 1")
        dialogue.root = prompt.event_id
        for person in people:
            await person.wait_for(room, lambda e: e.event_id == prompt.event_id)
    return dialogue


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_thread_and_open_window_messages_are_recorded_and_acknowledged(make_user, bot_factory, encrypted):
    d = await run_dialogue(make_user, bot_factory, encrypted=encrypted, participants=1)
    alice = d.participants[0]

    in_room = await alice.send_text(d.room, "Transfers through the territory of States parties normalise use.")
    in_thread = await alice.send_thread_reply(d.room, d.root, "Stigma erodes when transfers go unchallenged.")
    await d.acknowledged(alice, in_room)
    await d.acknowledged(alice, in_thread)

    listing = await d.contributions()
    assert "Transfers through the territory of States parties normalise use." in listing
    assert "Stigma erodes when transfers go unchallenged." in listing


async def test_with_two_challenges_open_a_room_message_gets_one_request_to_use_threads(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1)
    alice = d.participants[0]
    await d.moderator.send_text(d.room, "!dialogue open 2")
    await d.moderator.wait_for(d.room, is_prompt(d.bot.user_id, 2))

    first = await alice.send_text(d.room, "A general remark.")
    nudge = await alice.wait_for(d.room, is_reply_from(d.bot.user_id, first))
    second = await alice.send_text(d.room, "Another general remark.")
    marker = await d.command(d.moderator, "!dialogue ping")

    assert "Please reply in the thread" in body_of(nudge)
    assert not [e for e in alice.events(d.room) if is_reply_from(d.bot.user_id, second)(e)]
    assert marker is not None
    assert "has no contributions yet" in await d.contributions()


async def test_a_message_to_a_closed_challenge_gets_an_explanation_and_is_not_recorded(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1)
    alice = d.participants[0]
    await d.moderator.send_text(d.room, "!dialogue close 1")
    await alice.wait_for(d.room, lambda e: e.sender == d.bot.user_id and "is closed" in body_of(e))

    late = await alice.send_thread_reply(d.room, d.root, "Too late?")
    answer = await alice.wait_for(d.room, is_reply_from(d.bot.user_id, late))

    assert "Challenge 1 is closed" in body_of(answer)
    assert "has no contributions yet" in await d.contributions()


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_a_direct_message_is_a_private_contribution_echoed_as_stored(make_user, bot_factory, encrypted):
    d = await run_dialogue(make_user, bot_factory, encrypted=encrypted, participants=1)
    alice = d.participants[0]
    dm = await alice.create_room(encrypted=encrypted, is_direct=True)
    await invite_bot_and_wait(alice, dm, d.bot.user_id)

    sent = await alice.send_text(dm, f"Privately: {d.moderator.user_id} and I think assistance must grow.")
    echo = await alice.wait_for(dm, is_reply_from(d.bot.user_id, sent), timeout=60)

    assert "Recorded privately under challenge 1 (New use and transfers)" in body_of(echo)
    assert "Privately: [participant] and I think assistance must grow." in body_of(echo)
    assert d.moderator.user_id not in body_of(echo)
    assert "Privately: [participant] and I think assistance must grow." in await d.contributions()


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_edits_replace_the_text_and_redactions_of_the_original_or_an_edit_remove_it(
    make_user, bot_factory, encrypted
):
    d = await run_dialogue(make_user, bot_factory, encrypted=encrypted, participants=1)
    alice = d.participants[0]
    first = await alice.send_thread_reply(d.room, d.root, "First draft of a point.")
    second = await alice.send_thread_reply(d.room, d.root, "A second point.")
    await d.acknowledged(alice, first)
    await d.acknowledged(alice, second)

    edit = await alice.edit(d.room, first, "Revised point on cooperation and assistance.")
    await alice.edit(d.room, second, "A second point, revised.")
    listing = await d.contributions()
    assert "Revised point on cooperation and assistance." in listing and "First draft" not in listing

    await alice.redact(d.room, edit)  # redacting an edit removes the contribution
    await alice.redact(d.room, second)  # and so does redacting the original
    assert "has no contributions yet" in await d.contributions()


async def test_a_redaction_that_arrives_before_its_target_still_blocks_it(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=1)
    alice = d.participants[0]
    warm_up = await alice.send_thread_reply(d.room, d.root, "Warm-up point.")
    await d.acknowledged(alice, warm_up)

    # The bot cannot read the next message yet (its key is withheld), so it handles the redaction first.
    withheld = withhold_next_room_key(alice, d.room)
    hidden = await alice.client.room_send(
        d.room,
        "m.room.message",
        {"msgtype": "m.text", "body": "A point I will retract.", "m.relates_to": thread_relation(d.root)},
        ignore_unverified_devices=True,
    )
    await alice.redact(d.room, hidden.event_id)
    marker = await d.command(d.moderator, "!dialogue ping")
    assert marker is not None
    await withheld.release()
    after = await alice.send_thread_reply(d.room, d.root, "A point made after the key arrived.")
    await d.acknowledged(alice, after)

    listing = await d.contributions()
    assert "Warm-up point." in listing and "after the key arrived" in listing
    assert "retract" not in listing


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_withdraw_and_forget_me_remove_a_participants_contributions(make_user, bot_factory, encrypted):
    d = await run_dialogue(make_user, bot_factory, encrypted=encrypted, participants=2)
    alice, bob = d.participants
    kept = await bob.send_thread_reply(d.room, d.root, "Bob's point stays.")
    one = await alice.send_thread_reply(d.room, d.root, "Alice point one.")
    two = await alice.send_thread_reply(d.room, d.root, "Alice point two.")
    for event_id, user in ((kept, bob), (one, alice), (two, alice)):
        await d.acknowledged(user, event_id)

    withdraw = await alice.send_text(
        d.room, "!dialogue withdraw", extra_content={"m.relates_to": {"m.in_reply_to": {"event_id": one}}}
    )
    answer = await alice.wait_for(d.room, is_reply_from(d.bot.user_id, withdraw))
    assert body_of(answer).startswith("Withdrawn")
    listing = await d.contributions()
    assert "Alice point one." not in listing and "Alice point two." in listing

    ask = await d.command(alice, "!dialogue forget-me")
    assert "To confirm" in body_of(ask)
    done = await d.command(alice, "!dialogue forget-me confirm")
    assert body_of(done).startswith("Done")
    listing = await d.contributions()
    assert "Alice point" not in listing and "point stays." in listing


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_support_from_distinct_people_shows_only_as_a_band_from_k(make_user, bot_factory, encrypted):
    d = await run_dialogue(make_user, bot_factory, encrypted=encrypted, participants=4)
    author, *supporters = d.participants
    point = await author.send_thread_reply(d.room, d.root, "Synergies with other regimes matter.")
    await d.acknowledged(author, point)

    reactions = [await person.send_reaction(d.room, point, "👍") for person in supporters[:2]]
    await author.send_reaction(d.room, point, "👍")  # one's own support does not count
    assert "supported by" not in await d.contributions()

    reactions.append(await supporters[2].send_reaction(d.room, point, "👍"))
    assert "[supported by a few participants]" in await d.contributions()

    await supporters[0].redact(d.room, reactions[0])
    assert "supported by" not in await d.contributions()


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_a_roster_affiliation_and_quoted_participants_are_scrubbed_before_storage(
    make_user, bot_factory, encrypted
):
    d = await run_dialogue(make_user, bot_factory, encrypted=encrypted, participants=2)
    alice, bob = d.participants
    await alice.client.set_displayname("Amara Okafor")
    await d.in_backroom(f"!dialogue roster set {alice.user_id} Ruritania ; State party")

    point = await alice.send_thread_reply(d.room, d.root, "Ruritania's view: transfers must stop.")
    await d.acknowledged(alice, point)
    quoting = await bob.send_event(
        d.room,
        "m.room.message",
        {
            "msgtype": "m.text",
            "body": f"> <{alice.user_id}> Ruritania's view: transfers must stop.\n\nI agree with Amara Okafor.",
            "format": "org.matrix.custom.html",
            "formatted_body": (
                f'<mx-reply><blockquote><a href="https://matrix.to/#/{alice.user_id}">{alice.user_id}</a><br>'
                "Ruritania's view</blockquote></mx-reply>"
                f'I agree with <a href="https://matrix.to/#/{alice.user_id}">Amara Okafor</a>.'
            ),
            "m.relates_to": {"m.in_reply_to": {"event_id": point}},
        },
    )
    await d.acknowledged(bob, quoting)

    listing = await d.contributions()
    assert "[affiliation]'s view: transfers must stop." in listing
    assert "I agree with [participant]." in listing
    assert "Ruritania" not in listing and "Amara" not in listing and alice.user_id not in listing


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_a_moderator_command_from_a_power_zero_participant_is_refused(make_user, bot_factory, encrypted):
    d = await run_dialogue(make_user, bot_factory, encrypted=encrypted, participants=1, open_first=False)
    reply = await d.command(d.participants[0], "!dialogue open 1")
    assert body_of(reply).startswith("Only moderators")
    status = await d.command(d.participants[0], "!dialogue status")
    assert "No challenge is open." in body_of(status)


async def test_agenda_shows_participation_only_as_a_band_once_k_people_contributed(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=3)
    for index, person in enumerate(d.participants[:2]):
        await d.acknowledged(person, await person.send_thread_reply(d.room, d.root, f"Point {index}."))
    agenda = body_of(await d.command(d.moderator, "!dialogue agenda"))
    assert "1. New use and transfers (open)\n" in agenda + "\n" and "participants" not in agenda

    third = d.participants[2]
    await d.acknowledged(third, await third.send_thread_reply(d.room, d.root, "Point 2."))
    agenda = body_of(await d.command(d.moderator, "!dialogue agenda"))
    assert "1. New use and transfers (open) — contributions from a few participants" in agenda
    assert not re.search(r"\b[0-9]+ participants", agenda)


def is_welcome(bot_id: str):
    return lambda event: event.sender == bot_id and body_of(event).startswith("Welcome.")


async def test_late_joiners_get_the_ground_rules_once_each_by_direct_message_and_the_room_gets_no_notice(
    make_user, bot_factory
):
    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=1)
    late = [await make_user("late"), await make_user("later")]
    for person in late:
        await d.moderator.invite(d.room, person.user_id)
        await d.moderator.wait_for_membership(d.room, person.user_id, "join")

    direct_rooms = []
    for person in late:
        room, welcome = await person.wait_for_any_room(
            is_welcome(d.bot.user_id), timeout=60, description="the ground rules by direct message"
        )
        assert room != d.room
        assert "Chatham House Rule" in body_of(welcome) and "Strengthening the norms" in body_of(welcome)
        assert person.user_id not in str(welcome.source)
        direct_rooms.append(room)
    assert direct_rooms[0] != direct_rooms[1]

    first = late[0]
    await first.leave(d.room)
    await d.moderator.wait_for_membership(d.room, first.user_id, "leave")
    await d.moderator.invite(d.room, first.user_id)
    await d.moderator.wait_for_membership(d.room, first.user_id, "join")
    # The bot handles one sender's events in order, so once it has answered this, it has handled the re-join; a
    # second welcome would then be queued before the answer in the direct room, whose timeline keeps that order.
    await d.command(first, "!dialogue ping")
    asked = await first.send_text(direct_rooms[0], "!dialogue ping")
    await first.wait_for(direct_rooms[0], is_reply_from(d.bot.user_id, asked), description="ping in the direct room")

    for person, room in zip(late, direct_rooms, strict=True):
        assert len([e for e in person.events(room) if is_welcome(d.bot.user_id)(e)]) == 1
    assert not [e for e in d.moderator.events(d.room) if is_welcome(d.bot.user_id)(e)]


async def test_nothing_identifying_reaches_the_database_or_the_info_log(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=3)
    names = ["Zephyrine Quarterbridge", "Octavian Mbeki-Lindqvist", "Ottoline Vasquez-Haraldsen"]
    affiliations = ["Ruritania", "Grand Fenwick", "Humanity Without Borders"]
    for person, name, affiliation in zip(d.participants, names, affiliations, strict=True):
        await person.client.set_displayname(name)
        await d.in_backroom(f"!dialogue roster set {person.user_id} {affiliation} ; civil society")
    for index, person in enumerate(d.participants):
        other = d.participants[(index + 1) % 3]
        text = (
            f"As {names[(index + 1) % 3]} ({other.user_id}) of {affiliations[(index + 1) % 3]} said, "
            f"and {affiliations[index]} agrees: write to {names[index].split()[0].lower()}@mfa.example "
            "or call +41 22 123 45 67."
        )
        await d.acknowledged(person, await person.send_thread_reply(d.room, d.root, text))
    assert await d.bot.stop() == 0

    with sqlite3.connect(d.bot.data_dir / "bot.db") as db:
        stored = "\n".join(row[0] for row in db.execute("SELECT text FROM contributions"))
        dump = "\n".join(
            str(row) for table in ("contributions", "roster", "support") for row in db.execute(f"SELECT * FROM {table}")
        )
    info_log = "\n".join(line for line in d.bot.log_text().splitlines() if " DEBUG " not in line)
    identifying = names + affiliations + [p.user_id for p in d.participants] + [d.moderator.user_id]
    identifying += [name.split()[0] for name in names] + ["+41 22 123 45 67", "@mfa.example"]
    assert stored.count("[participant]") >= 6
    for value in identifying:
        assert value not in stored, value
        assert value not in info_log, value
    for person in d.participants:
        assert person.user_id not in dump


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_a_roster_imported_from_a_csv_file_scrubs_the_affiliations_it_lists(make_user, bot_factory, encrypted):
    d = await run_dialogue(make_user, bot_factory, encrypted=encrypted, participants=2)
    alice, bob = d.participants
    csv = (
        f"user,affiliation,category\n{alice.user_id},Grand Fenwick,State party\n{bob.user_id},Freedonia,civil society\n"
    )
    backroom = await d.backroom_id()
    file_event = await upload_file(d.moderator, backroom, csv.encode(), "roster.csv", encrypted=encrypted)

    asked = await d.moderator.send_text(
        backroom, "!dialogue roster import", extra_content={"m.relates_to": {"m.in_reply_to": {"event_id": file_event}}}
    )
    answer = await d.moderator.wait_for(backroom, is_reply_from(d.bot.user_id, asked), timeout=60)
    assert body_of(answer).startswith("Roster import: 2 row(s) recorded; the roster has 2 participant(s).")
    assert "Grand Fenwick" not in body_of(answer) and alice.user_id not in body_of(answer)

    point = await bob.send_thread_reply(d.room, d.root, "Grand Fenwick and Freedonia should both speak up.")
    await d.acknowledged(bob, point)
    assert "[affiliation] and [affiliation] should both speak up." in await d.contributions()


async def upload_file(
    user: Any, room: str, data: bytes, filename: str, *, encrypted: bool, declared_size: int | None = None
) -> str:
    """Post a file the way Element does: encrypted in an encrypted room; `declared_size` makes `info.size` lie."""
    response, keys = await user.client.upload(
        lambda *_: data, content_type="text/csv", filename=filename, encrypt=encrypted, filesize=len(data)
    )
    assert isinstance(response, nio.UploadResponse), response
    content: dict[str, Any] = {
        "msgtype": "m.file",
        "body": filename,
        "info": {"mimetype": "text/csv", "size": len(data) if declared_size is None else declared_size},
    }
    if encrypted:
        content["file"] = {"url": response.content_uri, "mimetype": "text/csv", **(keys or {})}
    else:
        content["url"] = response.content_uri
    return await user.send_event(room, "m.room.message", content)
