"""The bot's languages: migration 15, the language choice rule, and the `language` and `my-language` commands."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from handlers.commands import UsageError
from handlers.context import RoomSnapshot
from handlers.dispatch import handle_event
from handlers.events import InboundEvent
from handlers.language_commands import PersonalChoice, language_argument, my_language_argument
from handlers.languages import direct_message_language, reply_language, room_language
from handlers.scheduled import PlannedAction, send_digest
from handlers.synopsis_commands import synopsis_arguments
from handlers.synopsis_input import gather_synopsis_input
from storage import Database, Dialogue, OutboxRow, Person, Reaction, Room, RoomMessage
from storage.migrations import MIGRATIONS
from tests.unit.dispatch_harness import NOW, DispatchHarness, event_numbers, handler_env
from tests.unit.fakes import BOT_ID

ROOM = "!dialogue:test"
DM = "!dm-alice:test"
ALICE, BOB, MODERATOR = "@alice:test", "@bob:test", "@mod:test"


def _dialogue(language: str | None) -> Dialogue:
    return Dialogue(1, ROOM, "D", "active", b"s" * 32, None, 1.0, None, language)


# -- the rule --------------------------------------------------------------------------------------------------------


def test_a_direct_message_is_in_the_persons_choice_else_the_dialogues_language_else_english():
    assert direct_message_language("fr", "es") == "fr"
    assert direct_message_language(None, "es") == "es"
    assert direct_message_language(None, None) is None
    assert direct_message_language(None) is None


def test_a_message_in_the_room_is_in_the_dialogues_language():
    assert room_language(_dialogue("es")) == "es"
    assert room_language(_dialogue(None)) is None
    assert room_language(None) is None


def test_a_reply_is_in_the_senders_choice_in_a_direct_chat_and_the_dialogues_language_in_a_room():
    assert reply_language(in_direct_chat=True, preference="fr", dialogue_language="es") == "fr"
    assert reply_language(in_direct_chat=True, preference=None, dialogue_language="es") is None
    assert reply_language(in_direct_chat=False, preference="fr", dialogue_language="es") == "es"
    assert reply_language(in_direct_chat=False, preference="fr", dialogue_language=None) is None


# -- parsing ---------------------------------------------------------------------------------------------------------


def test_language_takes_one_of_the_six_un_codes_in_any_case_or_nothing():
    assert language_argument("") is None
    assert language_argument(" ES ") == "es"
    assert [language_argument(code) for code in ("ar", "zh", "en", "fr", "ru", "es")] == [
        "ar",
        "zh",
        "en",
        "fr",
        "ru",
        "es",
    ]
    for wrong in ("de", "french", "fr es", "default"):
        with pytest.raises(UsageError):
            language_argument(wrong)


def test_my_language_takes_a_code_default_or_nothing():
    assert my_language_argument("") is None
    assert my_language_argument("Fr") == PersonalChoice("fr")
    assert my_language_argument("default") == PersonalChoice(None)
    for wrong in ("pt", "fr please", "english"):
        with pytest.raises(UsageError):
            my_language_argument(wrong)


# -- storage ---------------------------------------------------------------------------------------------------------


async def test_migration_15_gives_existing_dialogues_english_and_an_empty_preference_table(tmp_path: Path):
    path = tmp_path / "bot.db"
    old = await Database.open(path, migrations=MIGRATIONS[:14])
    await old.close()
    with sqlite3.connect(path) as raw:
        raw.execute(
            "INSERT INTO dialogues (room_id, title, state, secret, created_at) VALUES (?, 'D', 'active', ?, 1.0)",
            (ROOM, b"s" * 32),
        )
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            dialogue = await tx.dialogues.active_in_room(ROOM)
            assert dialogue is not None and dialogue.language is None
            assert await tx.language_preferences.get(ALICE) is None
            await tx.dialogues.set_language(dialogue.id, "es")
            await tx.language_preferences.set(ALICE, "fr", NOW)
        async with db.transaction() as tx:
            dialogue = await tx.dialogues.active_in_room(ROOM)
            assert dialogue is not None and dialogue.language == "es"
            assert await tx.language_preferences.get(ALICE) == "fr"
            await tx.language_preferences.clear(ALICE)
            assert await tx.language_preferences.get(ALICE) is None
    finally:
        await db.close()
    with sqlite3.connect(path) as raw, pytest.raises(sqlite3.IntegrityError):
        raw.execute("INSERT INTO language_preferences (user_id, language, set_at) VALUES ('@x:test', 'French', 1)")


# -- the commands, through the dispatcher, on a real SQLite file ------------------------------------------------------


@dataclass
class Harness(DispatchHarness):
    async def dialogue(self) -> Dialogue:
        async with self.db.transaction() as tx:
            dialogue = await tx.dialogues.active_in_room(ROOM)
        assert dialogue is not None
        return dialogue

    async def preference(self, user_id: str) -> str | None:
        async with self.db.transaction() as tx:
            return await tx.language_preferences.get(user_id)


def body(row: OutboxRow) -> str:
    assert isinstance(row.item, RoomMessage)
    return str(row.item.content["body"])


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    db = await Database.open(tmp_path / "bot.db")
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "Cluster munitions", b"s" * 32, NOW)
        await tx.challenges.add(dialogue.id, "Transfers", "What stands in the way?")
    members = {ALICE: "Alice", BOB: "Bob", MODERATOR: "Mod", BOT_ID: "Bot"}
    rooms = {
        ROOM: RoomSnapshot(
            room_id=ROOM,
            encrypted=True,
            room_version="10",
            user_power_levels={MODERATOR: 100},
            display_names=members,
            joined_member_count=len(members),
        ),
        DM: RoomSnapshot(
            room_id=DM, encrypted=True, display_names={ALICE: "Alice", BOT_ID: "Bot"}, joined_member_count=2
        ),
    }
    yield Harness(db, handler_env(tmp_path, rooms.get), rooms)
    await db.close()


async def test_a_moderator_sets_the_dialogues_language_and_the_ground_rules_are_posted_again_in_it(harness: Harness):
    await harness.say(ROOM, MODERATOR, "!dialogue language es")
    rows = await harness.outbox()
    assert (await harness.dialogue()).language == "es"
    assert [row.destination for row in rows] == [Room(ROOM), Room(ROOM)]
    rules, reply = body(rows[0]), body(rows[1])
    assert rules.startswith("Diálogo iniciado: Cluster munitions") and "regla de Chatham House" in rules
    assert "español" in reply

    await harness.say(ROOM, MODERATOR, "!dialogue open 1")
    [prompt] = await harness.outbox()
    assert body(prompt).startswith("Desafío 1: Transfers\n\nWhat stands in the way?\n\n")


async def test_language_alone_shows_the_current_language_and_the_choices(harness: Harness):
    await harness.say(ROOM, MODERATOR, "!dialogue language")
    [reply] = await harness.outbox()
    assert "English" in body(reply) and "fr (français)" in body(reply) and "ar (العربية)" in body(reply)
    assert (await harness.dialogue()).language is None


async def test_english_is_stored_as_the_default_and_a_language_without_a_catalogue_is_noted(harness: Harness):
    await harness.say(ROOM, MODERATOR, "!dialogue language ru")
    rows = await harness.outbox()
    assert (await harness.dialogue()).language == "ru"
    assert "stay in English" in body(rows[-1])
    await harness.say(ROOM, MODERATOR, "!dialogue language EN")
    await harness.outbox()
    assert (await harness.dialogue()).language is None


async def test_only_a_moderator_sets_the_dialogues_language_and_wrong_input_gets_the_usage(harness: Harness):
    await harness.say(ROOM, ALICE, "!dialogue language fr")
    [refused] = await harness.outbox()
    assert body(refused).startswith("Only moderators")
    await harness.say(ROOM, MODERATOR, "!dialogue language german")
    [usage] = await harness.outbox()
    assert body(usage).startswith("Usage: !dialogue language [<code>]")
    assert (await harness.dialogue()).language is None


async def test_my_language_in_a_direct_chat_is_stored_and_answered_there_in_that_language(harness: Harness):
    await harness.say(DM, ALICE, "!dialogue my-language fr")
    [reply] = await harness.outbox()
    assert await harness.preference(ALICE) == "fr"
    assert reply.destination == Room(DM) and "français" in body(reply)
    await harness.say(DM, ALICE, "!dialogue help")
    [help_reply] = await harness.outbox()
    assert help_reply.destination == Room(DM)
    assert body(help_reply).startswith("Commandes (préfixe !dialogue")
    assert "liste les commandes" in body(help_reply)
    assert "!dialogue challenge add <title> ; <prompt>" in body(help_reply)  # the syntax is not translated


async def test_my_language_sent_in_the_room_is_answered_by_direct_message(harness: Harness):
    command = await harness.say(ROOM, BOB, "!dialogue my-language es")
    rows = await harness.outbox()
    assert await harness.preference(BOB) == "es"
    assert [row.destination for row in rows] == [Person(BOB), Room(ROOM)]
    assert "español" in body(rows[0])
    assert rows[1].item == Reaction(command.event_id, "✅")


async def test_my_language_default_forgets_the_choice_and_wrong_input_gets_the_usage(harness: Harness):
    await harness.say(DM, ALICE, "!dialogue my-language es")
    await harness.say(DM, ALICE, "!dialogue my-language klingon")
    await harness.outbox()
    assert await harness.preference(ALICE) == "es"
    await harness.say(DM, ALICE, "!dialogue my-language default")
    await harness.outbox()
    assert await harness.preference(ALICE) is None
    await harness.say(DM, ALICE, "!dialogue my-language klingon")
    [usage] = await harness.outbox()
    assert body(usage).startswith("Usage: !dialogue my-language [<code>|default]")


async def test_english_stays_the_default_for_everyone_who_chose_nothing(harness: Harness):
    await harness.say(DM, ALICE, "!dialogue my-language fr")
    await harness.outbox()
    await harness.say(ROOM, BOB, "!dialogue help")
    [help_reply] = await harness.outbox()
    assert body(help_reply).startswith("Commands (prefix !dialogue")


async def test_forget_me_confirm_deletes_the_language_choice(harness: Harness):
    await harness.say(DM, ALICE, "!dialogue my-language fr")
    await harness.say(ROOM, ALICE, "!dialogue forget-me")
    await harness.say(ROOM, ALICE, "!dialogue forget-me confirm")
    await harness.outbox()
    assert await harness.preference(ALICE) is None


# -- messages the bot sends on its own ---------------------------------------------------------------------------------


async def test_a_reminder_in_the_thread_is_in_the_dialogues_language(harness: Harness):
    await harness.say(ROOM, MODERATOR, "!dialogue language fr")
    await harness.say(ROOM, MODERATOR, "!dialogue open 1")
    await harness.outbox()
    dialogue = await harness.dialogue()
    async with harness.db.transaction() as tx:
        [challenge] = await tx.challenges.list(dialogue.id)
        await tx.schedules.set_closes_at(challenge.id, NOW + 600)
    action = PlannedAction("remind", challenge.id, ROOM, NOW + 600, NOW)
    timer = InboundEvent.from_source(action.inbox_source(), ROOM, origin="scheduled")
    async with harness.db.transaction() as tx:
        await handle_event(timer, harness.rooms[ROOM], harness.env, tx)
    [reminder] = await harness.outbox()
    assert reminder.destination == Room(ROOM)
    assert body(reminder) == "Le défi 1 sera clos dans 10 minutes."


def _joined(user_id: str) -> InboundEvent:
    return InboundEvent(
        event_id=f"${next(event_numbers)}",
        room_id=ROOM,
        sender=user_id,
        type="m.room.member",
        content={"membership": "join"},
        origin_server_ts=int(NOW * 1000) + next(event_numbers),
        state_key=user_id,
    )


async def test_a_late_joiner_is_welcomed_in_their_own_language_else_the_dialogues(harness: Harness):
    await harness.say(ROOM, MODERATOR, "!dialogue language es")
    await harness.say(DM, ALICE, "!dialogue my-language fr")
    await harness.outbox()
    for person in (ALICE, "@carol:test"):
        async with harness.db.transaction() as tx:
            await handle_event(_joined(person), harness.rooms[ROOM], harness.env, tx)
    french, spanish = await harness.outbox()
    assert french.destination == Person(ALICE) and body(french).startswith("Bienvenue.")
    assert spanish.destination == Person("@carol:test") and body(spanish).startswith("Le damos la bienvenida.")


async def test_the_daily_digest_goes_to_each_moderator_in_their_own_language(harness: Harness):
    await harness.say(DM, ALICE, "!dialogue my-language es")  # Alice moderates here too
    await harness.outbox()
    room = RoomSnapshot(
        room_id=ROOM,
        room_version="10",
        user_power_levels={MODERATOR: 100, ALICE: 100},
        display_names={ALICE: "Alice", MODERATOR: "Mod", BOT_ID: "Bot"},
        joined_member_count=3,
    )
    dialogue = await harness.dialogue()
    async with harness.db.transaction() as tx:
        await send_digest(dialogue.id, room, tx, NOW, harness.env.settings, BOT_ID)
    spanish, english = await harness.outbox()
    assert spanish.destination == Person(ALICE)
    assert body(spanish) == (
        "Resumen diario de «Cluster munitions»: 0 desafíos abiertos de 1.\n"
        "1. Transfers (pendiente): menos de 3 contribuyentes hasta ahora"
    )
    assert english.destination == Person(MODERATOR)
    assert body(english).startswith("Daily digest of “Cluster munitions”: 0 challenges open of 1.")


# -- the synopsis in the dialogue's language ---------------------------------------------------------------------------


async def test_the_draft_is_written_in_the_dialogues_language_unless_another_is_asked_for(harness: Harness):
    await harness.say(ROOM, MODERATOR, "!dialogue language fr")
    async with harness.db.transaction() as tx:
        dialogue = await tx.dialogues.get(1)
        assert dialogue is not None
        assert (await gather_synopsis_input(tx, dialogue, "UTC", 3)).language == "fr"
        assert (await gather_synopsis_input(tx, dialogue, "UTC", 3, language="es")).language == "es"


def test_the_synopsis_command_takes_the_drafts_language_but_not_for_the_adopted_one():
    assert synopsis_arguments("3 docx es").language == "es"
    assert synopsis_arguments("FR").language == "fr"
    assert synopsis_arguments("docx").language is None
    with pytest.raises(UsageError, match="language it was adopted in"):
        synopsis_arguments("adopted fr")
    with pytest.raises(UsageError, match="the draft's language"):
        synopsis_arguments("de")


async def test_a_participant_who_chose_another_language_gets_the_prompt_by_direct_message_in_it(harness: Harness):
    await harness.say(DM, ALICE, "!dialogue my-language fr")
    await harness.say(ROOM, BOB, "!dialogue my-language en")  # the room's language already: nothing more for Bob
    await harness.outbox()

    await harness.say(ROOM, MODERATOR, "!dialogue open 1")
    rows = await harness.outbox()

    assert [row.destination for row in rows] == [Room(ROOM), Person(ALICE)]
    assert body(rows[0]).startswith("Challenge 1: Transfers")
    assert body(rows[1]).startswith("Le défi 1 du dialogue « Cluster munitions » est ouvert : Transfers")
    assert "What stands in the way?" in body(rows[1])  # the moderator's prompt, as written
