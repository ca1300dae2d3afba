"""The last words participants see, in French and Spanish: the undecryptable-message notice, the notice that
encryption is off, usage problems that quote a value, and the reference number of an unexpected failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from nio import RoomSendError

from bot import compile_notice
from bot.processor import InboxProcessor
from bot.room_state import RoomDirectory
from handlers.commands import Command, CommandRegistry
from handlers.context import BotInfo, RoomSnapshot
from handlers.events import InboundEvent
from storage import Database, Edit, NewInboxEvent, OutboxRow, Person, RoomMessage
from tests.unit.dispatch_harness import DispatchHarness, drain_outbox, handler_env
from tests.unit.fakes import BOT_ID, RecordingClient, make_settings
from tests.unit.test_sender import enqueue, make_sender, send_next
from tests.unit.test_undecrypted import ALICE, JOINED_AT_MS, ROOM, Clock, KeyringClient, db, envelope, sweeper

__all__ = ["db"]  # the fixture, shared with test_undecrypted.py

MODERATOR = "@mod:test"
NOW = 1_000_000.0


async def _dialogue_in(db: Database, language: str | None) -> None:
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "Norms", b"s" * 32, NOW)
        await tx.challenges.add(dialogue.id, "Transfers", "What stands in the way?")
        await tx.dialogues.set_language(dialogue.id, language)


async def _queued(db: Database) -> list[OutboxRow]:
    return await drain_outbox(db, until=NOW * 10)


def _body(row: OutboxRow) -> str:
    assert isinstance(row.item, RoomMessage)
    return str(row.item.content["body"])


# -- the undecryptable-message notice --------------------------------------------------------------------------------


async def _notices_after_a_wait(db: Database, tmp_path: Path, count: int) -> list[OutboxRow]:
    client, clock = KeyringClient(), Clock()
    async with db.transaction() as tx:
        await tx.inbox.add([envelope(number, "s1") for number in range(count)], clock.now)
    events = sweeper(client, db, tmp_path, clock, undecryptable_notice_minutes=10)
    await events.after_sync([], keys_may_have_arrived=False)
    clock.now += 11 * 60
    await events.after_sync([], keys_may_have_arrived=True)
    return await _queued(db)


async def test_a_sender_who_chose_french_is_told_in_french_that_their_message_could_not_be_read(
    db: Database, tmp_path: Path
) -> None:
    async with db.transaction() as tx:
        await tx.language_preferences.set(ALICE, "fr", NOW)

    [notice] = await _notices_after_a_wait(db, tmp_path, 1)

    assert isinstance(notice.destination, Person) and notice.destination.user_id == ALICE
    text = _body(notice)
    assert text.startswith("Un message que vous avez envoyé le ") and "« Norms dialogue »" in text
    assert "(BOTDEVICE)" in text and "could not" not in text


async def test_a_sender_in_a_spanish_dialogue_is_told_in_spanish_about_many_unreadable_messages(
    db: Database, tmp_path: Path
) -> None:
    await _dialogue_in(db, "es")

    [notice] = await _notices_after_a_wait(db, tmp_path, 7)

    text = _body(notice)
    assert text.startswith("El bot no pudo leer 7 mensajes que usted envió:\n- el ")
    assert "- y 2 más\n" in text and text.count("«Norms dialogue»") == 5 and "could not" not in text


# -- through the dispatcher: encryption off, and usage problems that quote a value -----------------------------------


async def _say(db: Database, tmp_path: Path, body: str, *, encryption: bool = True) -> list[str]:
    members = {ALICE: "Alice", MODERATOR: "Mod", BOT_ID: "Bot"}
    room = RoomSnapshot(
        room_id=ROOM,
        encrypted=True,
        room_version="10",
        user_power_levels={MODERATOR: 100},
        display_names=members,
        joined_member_count=len(members),
    )
    env = handler_env(tmp_path, {ROOM: room}.get, encryption_enabled=encryption)
    await DispatchHarness(db, env, {ROOM: room}).say(ROOM, MODERATOR, body)
    return [_body(row) for row in await _queued(db)]


async def test_the_notice_that_encryption_is_off_is_in_the_rooms_dialogues_language(
    db: Database, tmp_path: Path
) -> None:
    await _dialogue_in(db, "fr")
    [french] = await _say(db, tmp_path, "!dialogue ping", encryption=False)
    assert french.startswith("Ce salon est chiffré de bout en bout")
    spanish = await _say_in_fresh_room(tmp_path, "es")
    assert spanish.startswith("Esta sala está cifrada de extremo a extremo")


async def _say_in_fresh_room(tmp_path: Path, language: str) -> str:
    database = await Database.open(tmp_path / f"{language}.db")
    try:
        await _dialogue_in(database, language)
        [notice] = await _say(database, tmp_path, "!dialogue ping", encryption=False)
        return notice
    finally:
        await database.close()


async def test_a_title_too_long_is_refused_in_french_with_the_limit_in_french_digits(
    db: Database, tmp_path: Path
) -> None:
    await _dialogue_in(db, "fr")
    [usage] = await _say(db, tmp_path, "!dialogue challenge add " + "t" * 300 + "; why?")
    assert usage.startswith("Utilisation : ")
    assert "(le titre dépasse 200 caractères, le maximum autorisé)" in usage


async def test_a_prompt_too_long_and_a_wrong_number_are_refused_in_spanish(db: Database, tmp_path: Path) -> None:
    await _dialogue_in(db, "es")
    [long_prompt] = await _say(db, tmp_path, "!dialogue challenge add Title; " + "p" * 2_500)
    [wrong_number] = await _say(db, tmp_path, "!dialogue open abc")
    [no_arguments] = await _say(db, tmp_path, "!dialogue status now")
    assert "(la pregunta supera los 2.000 caracteres, el máximo permitido)" in long_prompt
    assert "('abc' no es un número de desafío)" in wrong_number
    assert "(este comando no admite argumentos)" in no_arguments


async def test_in_english_the_limit_keeps_its_thousands_separator(db: Database, tmp_path: Path) -> None:
    await _dialogue_in(db, None)
    [long_prompt] = await _say(db, tmp_path, "!dialogue challenge add Title; " + "p" * 2_500)
    assert long_prompt.endswith("(the prompt is longer than 2,000 characters, the most allowed)")


# -- an unexpected failure: the reference number in the room's language ----------------------------------------------


async def explode(call, tx):  # type: ignore[no-untyped-def]
    raise RuntimeError("handler bug")


@pytest.mark.parametrize(
    ("language", "opening"),
    [("fr", "Désolé, une erreur s'est produite"), ("es", "Lo sentimos, se produjo un error")],
)
async def test_an_unexpected_failure_gets_its_reference_number_in_the_dialogues_language(
    db: Database, tmp_path: Path, language: str, opening: str
) -> None:
    await _dialogue_in(db, language)
    client = RecordingClient()
    client.add_room(ROOM)
    clock = Clock()
    processor = InboxProcessor(
        client,  # type: ignore[arg-type]
        db,
        make_settings(tmp_path),
        CommandRegistry([Command("boom", "always fails", explode, parse=lambda raw: raw)]),
        BotInfo(user_id=BOT_ID, version="test", started_at=0.0, encryption_enabled=False),
        RoomDirectory(),
        on_outbox_changed=lambda: None,
        clock=clock,
    )
    source = {
        "event_id": "$boom",
        "sender": ALICE,
        "type": "m.room.message",
        "origin_server_ts": JOINED_AT_MS + 5,
        "content": {"msgtype": "m.text", "body": "!dialogue boom"},
    }
    async with db.transaction() as tx:
        await tx.inbox.add([NewInboxEvent(event_id="$boom", room_id=ROOM, source=source)], clock())
    for _ in range(3):
        async with db.transaction() as tx:
            rows = await tx.inbox.next_ready(clock())
        for row in rows:
            await processor.process(row)
        clock.now += 10

    [reply] = await _queued(db)
    assert _body(reply).startswith(opening) and "(" in _body(reply)


# -- the sender's and the slow compile's notices ---------------------------------------------------------------------


async def test_a_message_too_large_for_the_homeserver_is_reported_in_the_rooms_dialogues_language(db: Database) -> None:
    await _dialogue_in(db, "fr")
    sender, client, clock = make_sender(db, RoomSendError("event too large", "M_TOO_LARGE"))
    await enqueue(db, ROOM, "a very long listing", clock())

    await send_next(db, sender, clock)
    await send_next(db, sender, clock)

    told = client.sent[1][2]["body"]
    assert told.startswith("Désolé, l'un de mes messages était trop volumineux") and "(référence " in told


async def test_a_direct_message_too_large_is_reported_in_the_persons_own_language(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.language_preferences.set(ALICE, "es", NOW)
    sender, client, clock = make_sender(db, RoomSendError("event too large", "M_TOO_LARGE"))
    client.add_room("!dm:test").add_member(ALICE, None, None)
    async with db.transaction() as tx:
        await tx.state.set(f"direct-room:{ALICE}", "!dm:test")
    await enqueue(db, Person(ALICE), "a very long listing", clock())

    await send_next(db, sender, clock)
    await send_next(db, sender, clock)

    assert client.sent[-1][2]["body"].startswith("Lo sentimos, uno de mis mensajes era demasiado grande")


async def test_the_slow_compile_notice_and_its_ending_are_in_the_language_of_the_commands_reply(db: Database) -> None:
    await _dialogue_in(db, "es")
    command = InboundEvent(
        event_id="$compile",
        room_id=ROOM,
        sender=MODERATOR,
        type="m.room.message",
        content={"msgtype": "m.text", "body": "!dialogue synopsis"},
        origin_server_ts=JOINED_AT_MS + 5,
    )
    async with db.transaction() as tx:
        assert await compile_notice.queue_notice(tx, ROOM, command, NOW)
        assert await compile_notice.queue_outcome(tx, ROOM, command, NOW, failed=False)
    notice, edit = await _queued(db)

    assert _body(notice) == "Compilando el proyecto de síntesis…"
    assert isinstance(edit.item, Edit) and edit.item.new_content["body"] == "Compilando el proyecto de síntesis… listo."
