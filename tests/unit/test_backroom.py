"""The moderators' back-room, through the dispatcher on a real (temporary) SQLite database.

Roster commands are never handled in the participants' room (refused, and redacted when the bot may); listings and
curation are answered in the linked back-room, or by direct message when there is none; in the back-room, commands
act on the linked dialogue and need a moderator of both rooms.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from handlers.backroom_commands import room_id_argument
from handlers.backroom_routing import RoomRole, Route, route_for
from handlers.commands import UsageError
from handlers.context import RoomSnapshot
from handlers.handler_settings import HandlerSettings
from handlers.registry import build_registry
from storage import Database, FileUpload, OutboxRow, Person, Redaction, Room
from tests.unit.dispatch_harness import NOW, DispatchHarness, handler_env, texts
from tests.unit.fakes import BOT_ID, make_settings

DIALOGUE_ROOM = "!dialogue:test"
BACKROOM = "!backroom:test"
ELSEWHERE = "!elsewhere:test"
MODERATOR, CO_MODERATOR, ALICE = "@mod:test", "@comod:test", "@alice:test"


def snapshot(room_id: str, *, bot_power: int = 50, **changes: Any) -> RoomSnapshot:
    room = RoomSnapshot(
        room_id=room_id,
        encrypted=True,
        room_version="10",
        user_power_levels={MODERATOR: 100, CO_MODERATOR: 100, BOT_ID: bot_power},
        display_names={MODERATOR: "Mod", ALICE: "Alice", BOT_ID: "Bot"},
        joined_member_count=3,
        join_rule="invite",
        redact_power_level=50,
    )
    return replace(room, **changes)


@dataclass
class Harness(DispatchHarness):
    async def roster_size(self) -> int:
        async with self.db.transaction() as tx:
            dialogue = await tx.dialogues.active_in_room(DIALOGUE_ROOM)
            assert dialogue is not None
            return await tx.roster.count(dialogue.id)

    async def link(self) -> None:
        await self.say(BACKROOM, MODERATOR, f"!dialogue backroom link {DIALOGUE_ROOM}")
        assert texts(await self.outbox())[0].startswith("Linked")


def redactions(rows: list[OutboxRow]) -> list[OutboxRow]:
    return [row for row in rows if isinstance(row.item, Redaction)]


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    db = await Database.open(tmp_path / "bot.db")
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(DIALOGUE_ROOM, "D", b"s" * 32, NOW)
        challenge = await tx.challenges.add(dialogue.id, "A", "a?")
        await tx.challenges.open(challenge.id, "txn-prompt", NOW)
    rooms = {
        DIALOGUE_ROOM: snapshot(DIALOGUE_ROOM),
        BACKROOM: snapshot(BACKROOM),
        ELSEWHERE: snapshot(ELSEWHERE),
    }
    yield Harness(db, handler_env(tmp_path, rooms.get), rooms)
    await db.close()


# ------------------------------------------------------------------ the routing table, as data


def test_every_roster_command_is_declared_sensitive_in_its_request():
    registry = build_registry()
    for name in ("roster set", "roster import"):
        command = registry.get(name)
        assert command is not None
        assert route_for(command, RoomRole.DIALOGUE_ROOM, has_backroom=True) is Route.REFUSE_AND_REDACT
        assert route_for(command, RoomRole.DIALOGUE_ROOM, has_backroom=False) is Route.REFUSE_AND_REDACT
        assert route_for(command, RoomRole.BACKROOM, has_backroom=True) is Route.RUN


@pytest.mark.parametrize(
    "name", ["contributions", "themes", "merge", "move", "exclude", "include", "way-forward", "synopsis", "remove"]
)
def test_listings_curation_and_files_never_answer_in_the_dialogue_room(name):
    command = build_registry().get(name)
    assert command is not None
    assert route_for(command, RoomRole.DIALOGUE_ROOM, has_backroom=True) is Route.REFUSE_POINT_TO_BACKROOM
    assert route_for(command, RoomRole.DIALOGUE_ROOM, has_backroom=False) is Route.ANSWER_BY_DIRECT_MESSAGE
    assert route_for(command, RoomRole.BACKROOM, has_backroom=True) is Route.RUN


@pytest.mark.parametrize("name", ["start", "withdraw", "forget-me"])
def test_commands_that_belong_to_the_dialogue_room_are_refused_in_the_backroom(name):
    command = build_registry().get(name)
    assert command is not None
    assert route_for(command, RoomRole.DIALOGUE_ROOM, has_backroom=True) is Route.RUN
    assert route_for(command, RoomRole.BACKROOM, has_backroom=True) is Route.REFUSE_NOT_IN_BACKROOM


@pytest.mark.parametrize("name", ["challenge add", "open", "close", "agenda", "end", "adopt", "backroom unlink"])
def test_running_the_dialogue_also_works_from_the_backroom(name):
    command = build_registry().get(name)
    assert command is not None
    assert route_for(command, RoomRole.BACKROOM, has_backroom=True) is Route.RUN


def test_outside_dialogue_rooms_everything_runs_as_before():
    for command in build_registry():
        assert route_for(command, RoomRole.OTHER, has_backroom=False) is Route.RUN


# ------------------------------------------------------------------ in the participants' room


async def test_a_roster_command_in_the_dialogue_room_is_refused_stored_nowhere_and_redacted(harness):
    asked = await harness.say(DIALOGUE_ROOM, MODERATOR, "!dialogue roster set @alice:test Republic of Tarvania")

    rows = await harness.outbox()
    assert await harness.roster_size() == 0
    [redaction] = redactions(rows)
    assert redaction.destination == Room(DIALOGUE_ROOM)
    assert isinstance(redaction.item, Redaction) and redaction.item.event_id == asked.event_id
    [refusal] = texts(rows)
    assert "back-room" in refusal and "Tarvania" not in refusal and "alice" not in refusal
    assert "removed your message" in refusal


async def test_a_roster_import_in_the_dialogue_room_also_redacts_the_file_it_answers(harness):
    relation = {"m.relates_to": {"m.in_reply_to": {"event_id": "$the-csv"}}}
    asked = await harness.say(DIALOGUE_ROOM, MODERATOR, "!dialogue roster import", **relation)

    rows = await harness.outbox()
    assert {row.item.event_id for row in redactions(rows)} == {asked.event_id, "$the-csv"}


async def test_without_the_power_to_redact_the_refusal_asks_the_sender_to_delete_it(harness):
    harness.rooms[DIALOGUE_ROOM] = snapshot(DIALOGUE_ROOM, bot_power=0)
    await harness.say(DIALOGUE_ROOM, MODERATOR, "!dialogue roster set @alice:test Tarvania")

    rows = await harness.outbox()
    assert redactions(rows) == []
    [refusal] = texts(rows)
    assert "I could not remove your message: please delete it yourself" in refusal
    assert await harness.roster_size() == 0


async def test_a_participant_sending_a_roster_command_is_refused_and_redacted_too(harness):
    asked = await harness.say(DIALOGUE_ROOM, ALICE, "!dialogue roster set @bob:test Ruritania")

    rows = await harness.outbox()
    assert [row.item.event_id for row in redactions(rows)] == [asked.event_id]
    assert await harness.roster_size() == 0


async def test_listings_without_a_backroom_go_to_the_moderator_by_direct_message(harness):
    await harness.say(DIALOGUE_ROOM, ALICE, "Transfers normalise use.")
    await harness.outbox()
    await harness.say(DIALOGUE_ROOM, MODERATOR, "!dialogue contributions 1")

    rows = await harness.outbox()
    in_room = [row for row in rows if row.destination == Room(DIALOGUE_ROOM)]
    direct = [row for row in rows if row.destination == Person(MODERATOR)]
    assert "Transfers normalise use." in "".join(texts(direct))
    assert "Transfers normalise use." not in "".join(texts(in_room))
    assert "direct message" in "".join(texts(in_room))


async def test_with_a_backroom_listings_in_the_dialogue_room_are_refused_with_a_pointer(harness):
    await harness.link()
    await harness.say(DIALOGUE_ROOM, ALICE, "Transfers normalise use.")
    await harness.outbox()
    await harness.say(DIALOGUE_ROOM, MODERATOR, "!dialogue contributions 1")

    rows = await harness.outbox()
    assert all(row.destination == Room(DIALOGUE_ROOM) for row in rows)
    assert "Transfers" not in "".join(texts(rows))
    assert "back-room" in "".join(texts(rows))


# ------------------------------------------------------------------ in the back-room


async def test_in_the_backroom_a_roster_set_records_for_the_linked_dialogue(harness):
    await harness.link()
    await harness.say(BACKROOM, MODERATOR, "!dialogue roster set @alice:test Republic of Tarvania")

    rows = await harness.outbox()
    assert redactions(rows) == []
    assert [row.destination for row in rows] == [Room(BACKROOM)]
    assert "Roster updated" in texts(rows)[0]
    assert await harness.roster_size() == 1


async def test_in_the_backroom_listings_show_the_linked_dialogue(harness):
    await harness.link()
    await harness.say(DIALOGUE_ROOM, ALICE, "Transfers normalise use.")
    await harness.outbox()
    await harness.say(BACKROOM, MODERATOR, "!dialogue contributions 1")

    rows = await harness.outbox()
    assert [row.destination for row in rows] == [Room(BACKROOM)]
    assert "Transfers normalise use." in texts(rows)[0]


async def test_a_power_0_member_of_the_backroom_is_refused(harness):
    await harness.link()
    await harness.say(BACKROOM, ALICE, "!dialogue roster set @bob:test Ruritania")

    rows = await harness.outbox()
    assert [row.destination for row in rows] == [Room(BACKROOM)]
    assert "Only moderators" in texts(rows)[0]
    assert await harness.roster_size() == 0


async def test_a_backroom_moderator_demoted_in_the_dialogue_room_loses_access(harness):
    await harness.link()
    harness.rooms[DIALOGUE_ROOM] = replace(
        harness.rooms[DIALOGUE_ROOM], user_power_levels={MODERATOR: 100, CO_MODERATOR: 0, BOT_ID: 50}
    )
    await harness.say(BACKROOM, CO_MODERATOR, "!dialogue roster set @bob:test Ruritania")

    assert "Only moderators" in texts(await harness.outbox())[0]
    assert await harness.roster_size() == 0


async def test_commands_of_the_dialogue_room_are_refused_in_the_backroom(harness):
    await harness.link()
    await harness.say(BACKROOM, MODERATOR, "!dialogue start Another")

    rows = await harness.outbox()
    assert [row.destination for row in rows] == [Room(BACKROOM)]
    async with harness.db.transaction() as tx:
        assert await tx.dialogues.latest_in_room(BACKROOM) is None


# ------------------------------------------------------------------ linking


async def test_link_needs_a_moderator_of_the_dialogue_room(harness):
    harness.rooms[DIALOGUE_ROOM] = replace(harness.rooms[DIALOGUE_ROOM], user_power_levels={BOT_ID: 50})
    await harness.say(BACKROOM, MODERATOR, f"!dialogue backroom link {DIALOGUE_ROOM}")

    assert "moderator of that room" in texts(await harness.outbox())[0]
    async with harness.db.transaction() as tx:
        assert await tx.backrooms.backroom_of(DIALOGUE_ROOM) is None


async def test_a_participant_cannot_link_their_own_room(harness):
    harness.rooms[ELSEWHERE] = replace(harness.rooms[ELSEWHERE], user_power_levels={ALICE: 100, BOT_ID: 50})
    await harness.say(ELSEWHERE, ALICE, f"!dialogue backroom link {DIALOGUE_ROOM}")

    assert "moderator of that room" in texts(await harness.outbox())[0]
    await harness.say(DIALOGUE_ROOM, MODERATOR, "!dialogue contributions 1")
    assert any(row.destination == Person(MODERATOR) for row in await harness.outbox())  # still no back-room: by DM


async def test_a_public_room_cannot_be_a_backroom(harness):
    harness.rooms[BACKROOM] = replace(harness.rooms[BACKROOM], join_rule="public")
    await harness.say(BACKROOM, MODERATOR, f"!dialogue backroom link {DIALOGUE_ROOM}")

    assert "anyone can join" in texts(await harness.outbox())[0]


async def test_a_dialogue_room_cannot_be_a_backroom(harness):
    async with harness.db.transaction() as tx:
        await tx.dialogues.create(ELSEWHERE, "Other", b"t" * 32, NOW)
    await harness.say(ELSEWHERE, MODERATOR, f"!dialogue backroom link {DIALOGUE_ROOM}")

    assert "dialogue room" in texts(await harness.outbox())[0]


async def test_a_room_the_bot_is_not_in_cannot_be_linked(harness):
    await harness.say(BACKROOM, MODERATOR, "!dialogue backroom link !unknown:test")

    assert "not in that room" in texts(await harness.outbox())[0]


async def test_an_unencrypted_backroom_is_linked_with_a_warning(harness):
    harness.rooms[BACKROOM] = replace(harness.rooms[BACKROOM], encrypted=False)
    await harness.say(BACKROOM, MODERATOR, f"!dialogue backroom link {DIALOGUE_ROOM}")

    [reply] = texts(await harness.outbox())
    assert reply.startswith("Linked") and "not end-to-end encrypted" in reply


async def test_status_and_unlink(harness):
    await harness.link()
    await harness.say(BACKROOM, MODERATOR, "!dialogue backroom")
    assert DIALOGUE_ROOM in texts(await harness.outbox())[0]

    await harness.say(BACKROOM, MODERATOR, "!dialogue backroom unlink")
    assert "unlinked" in texts(await harness.outbox())[0].casefold()
    await harness.say(BACKROOM, MODERATOR, "!dialogue roster set @alice:test Tarvania")
    assert await harness.roster_size() == 0


@pytest.mark.parametrize("raw", ["!abc:example.org", "!Ab12cd34EfGh"])
def test_link_takes_a_room_id_with_or_without_a_server_part(raw):
    assert room_id_argument(f"  {raw} ") == raw


@pytest.mark.parametrize("raw", ["", "#room:example.org", "!a:b !c:d"])
def test_link_refuses_anything_but_one_room_id(raw):
    with pytest.raises(UsageError):
        room_id_argument(raw)


async def test_moderators_talking_in_a_two_member_backroom_is_not_taken_for_a_private_contribution(harness):
    harness.rooms[BACKROOM] = replace(harness.rooms[BACKROOM], joined_member_count=2)
    await harness.link()
    await harness.say(BACKROOM, MODERATOR, "Shall we open challenge 2 after lunch?")

    assert await harness.outbox() == []
    async with harness.db.transaction() as tx:
        dialogue = await tx.dialogues.active_in_room(DIALOGUE_ROOM)
        assert dialogue is not None
        assert await tx.contributions.for_dialogue(dialogue.id) == []


async def test_a_backroom_made_public_after_linking_answers_nothing_sensitive(harness):
    await harness.link()
    harness.rooms[BACKROOM] = replace(harness.rooms[BACKROOM], join_rule="public")
    await harness.say(BACKROOM, MODERATOR, "!dialogue roster set @alice:test Tarvania")

    [refusal] = texts(await harness.outbox())
    assert "no longer private" in refusal
    assert await harness.roster_size() == 0


async def test_from_the_backroom_a_challenge_is_added_and_opened_in_the_dialogue_room(harness):
    await harness.link()
    await harness.say(BACKROOM, MODERATOR, "!dialogue challenge add Withdrawal ; What follows?")
    await harness.say(BACKROOM, MODERATOR, "!dialogue open 2")

    rows = await harness.outbox()
    assert [row.destination for row in rows] == [Room(BACKROOM), Room(DIALOGUE_ROOM)]
    assert texts(rows)[1].startswith("Challenge 2: Withdrawal")


async def test_a_synopsis_asked_for_in_a_dialogue_room_without_a_backroom_is_sent_to_the_asker_directly(tmp_path):
    """The file goes where the answer goes: to the secretariat member by direct message, not to a 'room' named by
    their user ID, which the sender would never find."""
    isu = "@isu:test"
    db = await Database.open(tmp_path / "bot.db")
    try:
        async with db.transaction() as tx:
            await tx.dialogues.create(DIALOGUE_ROOM, "D", b"s" * 32, NOW)
        rooms = {DIALOGUE_ROOM: snapshot(DIALOGUE_ROOM)}
        env = replace(
            handler_env(tmp_path, rooms.get), settings=HandlerSettings.of(make_settings(tmp_path, isu_users=[isu]))
        )
        harness = Harness(db, env, rooms)
        await harness.say(DIALOGUE_ROOM, isu, "!dialogue synopsis")
        files = [row for row in await harness.outbox() if isinstance(row.item, FileUpload)]
        assert [row.destination for row in files] == [Person(isu)]
    finally:
        await db.close()
