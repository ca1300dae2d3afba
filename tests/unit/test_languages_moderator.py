"""Moderators' commands and notices in the dialogue's language (or a moderator's own, by direct message): roster,
contributions, schedule, back-room, room upgrades and removal, health. English is covered, unchanged, by the tests
of each command; here, French and Spanish, through the dispatcher on a real SQLite file."""

from __future__ import annotations

import itertools
from dataclasses import replace

from handlers.dispatch import handle_event
from handlers.events import InboundEvent
from handlers.room_upgrades import move_dialogue
from handlers.roster_csv import RosterFileRefused, parse_roster_csv
from handlers.scheduled import PlannedAction
from storage import Person, Redaction, Room, RoomMessage
from tests.unit import test_languages
from tests.unit.fakes import BOT_ID
from tests.unit.test_languages import ALICE, MODERATOR, NOW, ROOM, Harness, body

# The same fixture as test_languages.py's: a dialogue with one challenge, its room and Alice's direct chat.
harness = test_languages.harness

BACKROOM = "!backroom:test"
_ids = itertools.count(10_000)


async def _in(harness: Harness, language: str) -> None:
    await harness.say(ROOM, MODERATOR, f"!dialogue language {language}")
    await harness.outbox()


async def _with_backroom(harness: Harness) -> None:
    harness.rooms[BACKROOM] = replace(
        harness.rooms[ROOM], room_id=BACKROOM, join_rule="invite", display_names={MODERATOR: "Mod", BOT_ID: "Bot"}
    )
    await harness.say(BACKROOM, MODERATOR, f"!dialogue backroom link {ROOM}")
    await harness.outbox()


async def _replies_to(harness: Harness, room_id: str, command: str) -> list[str]:
    await harness.say(room_id, MODERATOR, command)
    return [body(row) for row in await harness.outbox() if isinstance(row.item, RoomMessage)]


# -- dialogue_commands.py and roster_csv.py --------------------------------------------------------------------------


async def test_roster_set_and_its_refusal_in_french(harness: Harness):
    await _in(harness, "fr")
    await _with_backroom(harness)
    [updated] = await _replies_to(harness, BACKROOM, "!dialogue roster set @alice:test Republic of Tarvania")
    assert updated == "Registre mis à jour : 1 participant enregistré."
    [refused] = await _replies_to(harness, BACKROOM, "!dialogue roster set @bob:test Fenwick ; martian")
    assert refused.startswith("Catégorie de parties prenantes inconnue. Utilisez l'une des suivantes : ")


async def test_contributions_and_remove_in_spanish(harness: Harness):
    await _in(harness, "es")
    await _with_backroom(harness)
    assert await _replies_to(harness, BACKROOM, "!dialogue contributions 1") == [
        "El desafío 1 aún no tiene contribuciones."
    ]
    await harness.say(ROOM, MODERATOR, "!dialogue open 1")
    await harness.outbox()
    await harness.say(ROOM, ALICE, "Transfers need end-user checks.")
    await harness.outbox()
    [listing] = await _replies_to(harness, BACKROOM, "!dialogue contributions 1")
    heading, line = listing.split("\n")
    assert heading == "Contribuciones al desafío 1 (referencia: texto):"
    reference = line.split(":")[0]
    assert await _replies_to(harness, BACKROOM, f"!dialogue remove {reference}") == [
        f"Contribución {reference} retirada."
    ]
    assert await _replies_to(harness, BACKROOM, f"!dialogue remove {reference}") == [
        f"No hay ninguna contribución {reference} en este diálogo."
    ]


async def test_a_contributions_support_band_is_one_whole_phrase_in_french(harness: Harness):
    await _in(harness, "fr")
    await _with_backroom(harness)
    await harness.say(ROOM, MODERATOR, "!dialogue open 1")
    await harness.say(ROOM, ALICE, "Transfers need end-user checks.")
    await harness.outbox()
    async with harness.db.transaction() as tx:
        dialogue = await tx.dialogues.active_in_room(ROOM)
        [contribution] = await tx.contributions.for_challenge((await tx.challenges.list(dialogue.id))[0].id)
        for supporter in ("a", "b", "c"):
            await tx.contributions.add_support(contribution.id, supporter * 8, f"$support-{supporter}")
    [listing] = await _replies_to(harness, BACKROOM, "!dialogue contributions 1")
    assert listing.split("\n")[1] == (
        f"{contribution.ref}: Transfers need end-user checks. [soutenue par quelques participants]"
    )


async def test_roster_import_without_a_file_is_refused_in_french(harness: Harness):
    await _in(harness, "fr")
    await _with_backroom(harness)
    assert await _replies_to(harness, BACKROOM, "!dialogue roster import") == [
        "Envoyez !dialogue roster import en réponse à un fichier CSV (utilisateur, affiliation, catégorie, variantes)."
    ]


def test_a_roster_files_problems_are_named_in_french_and_spanish():
    data = b"@a:x.org,Ruritania\nAlice Smith,Ruritania\n@c:x.org,\n@d:x.org,Fenwick,martian\n"
    assert parse_roster_csv(data, language="fr").problems == [
        "ligne 2 : la première colonne n'est pas un identifiant Matrix",
        "ligne 3 : aucune affiliation",
        "ligne 4 : catégorie inconnue",
    ]
    assert parse_roster_csv(b"\xff\xfe\x00@", language="es").problems == ["el archivo no es texto UTF-8"]
    rows = "".join(f"@u{n}:x.org,Ruritania\n" for n in range(5_001))
    try:
        parse_roster_csv(rows.encode(), language="fr")
    except RosterFileRefused as refused:
        # French groups thousands with a narrow no-break space.
        assert str(refused) == (
            "Le fichier compte plus de 5\u202f000 lignes, le maximum pour un fichier de registre ; rien n'a été "
            "enregistré."
        )
    else:
        raise AssertionError("a file over the row limit was accepted")


async def test_the_agenda_shows_a_scheduled_opening_the_languages_way(harness: Harness):
    await _in(harness, "es")
    await harness.say(ROOM, MODERATOR, "!dialogue timezone Europe/Zurich")
    await harness.say(ROOM, MODERATOR, "!dialogue schedule 1 in 2h for 1h30m")
    await harness.outbox()
    [agenda] = await _replies_to(harness, ROOM, "!dialogue agenda")
    assert " durante 1 hora y 30 minutos" in agenda.split("\n")[1]


# -- schedule_commands.py and scheduled.py ---------------------------------------------------------------------------


async def test_schedule_confirms_and_lists_in_french(harness: Harness):
    await _in(harness, "fr")
    [zone] = await _replies_to(harness, ROOM, "!dialogue timezone Europe/Zurich")
    assert zone.startswith("Fuseau horaire défini : Europe/Zurich (il y est ")
    # NOW is Mon 12 Jan 1970, 13:46:40 UTC; in 2h is 15:46:40 UTC, 16:46:40 in Zurich.
    [scheduled] = await _replies_to(harness, ROOM, "!dialogue schedule 1 in 2h for 1h30m")
    assert scheduled == (
        "Le défi 1 s'ouvrira le lun. 12 janv. 1970, 16:46:40 Europe/Zurich (15:46:40 UTC) pendant "
        "1\u00a0heure et 30 minutes et sera clos le lun. 12 janv. 1970, 18:16:40 Europe/Zurich (17:16:40 UTC)."
    )
    [listing] = await _replies_to(harness, ROOM, "!dialogue schedule")
    assert listing == (
        "Planifié (Europe/Zurich) :\n"
        "1. s'ouvre le lun. 12 janv. 1970, 16:46:40 Europe/Zurich (15:46:40 UTC) pendant 1\u00a0heure et 30 minutes"
    )
    assert await _replies_to(harness, ROOM, "!dialogue unschedule 1") == ["Le défi 1 n'est plus planifié."]
    assert await _replies_to(harness, ROOM, "!dialogue unschedule 1") == ["Le défi 1 n'est pas planifié."]
    assert await _replies_to(harness, ROOM, "!dialogue schedule") == ["Rien n'est planifié."]


async def test_reminder_and_digest_settings_and_a_refusal_in_spanish(harness: Harness):
    await _in(harness, "es")
    assert await _replies_to(harness, ROOM, "!dialogue reminder 15m") == [
        "Se publicará un recordatorio 15 minutos antes de cada cierre programado."
    ]
    assert await _replies_to(harness, ROOM, "!dialogue reminder off") == [
        "Los recordatorios antes del cierre de un desafío están desactivados."
    ]
    [digest] = await _replies_to(harness, ROOM, "!dialogue digest 08:30")
    assert digest.startswith("Cada día a las 08:30 (UTC), cada moderador recibe un resumen por mensaje directo")
    assert await _replies_to(harness, ROOM, "!dialogue digest off") == ["El resumen diario está desactivado."]
    await harness.say(ROOM, MODERATOR, "!dialogue open 1")
    await harness.outbox()
    assert await _replies_to(harness, ROOM, "!dialogue schedule 1 in 2h") == [
        "El desafío 1 ya está abierto; solo se programan los desafíos pendientes."
    ]


async def test_a_reminder_in_the_thread_says_the_time_left_in_spanish_words(harness: Harness):
    await _in(harness, "es")
    await harness.say(ROOM, MODERATOR, "!dialogue open 1")
    await harness.outbox()
    async with harness.db.transaction() as tx:
        [challenge] = await tx.challenges.list((await tx.dialogues.active_in_room(ROOM)).id)
        await tx.schedules.set_closes_at(challenge.id, NOW + 5400)
    timer = InboundEvent.from_source(
        PlannedAction("remind", challenge.id, ROOM, NOW + 5400, NOW).inbox_source(), ROOM, origin="scheduled"
    )
    async with harness.db.transaction() as tx:
        await handle_event(timer, harness.rooms[ROOM], harness.env, tx)
    [reminder] = await harness.outbox()
    assert body(reminder) == "El desafío 1 se cierra dentro de 1 hora y 30 minutos."


# -- backroom_commands.py and backroom_refusals.py -------------------------------------------------------------------


async def test_backroom_status_and_unlink_in_french(harness: Harness):
    await _in(harness, "fr")
    [none] = await _replies_to(harness, ROOM, "!dialogue backroom")
    assert none.startswith("Aucun salon des modérateurs n'est lié à ce salon. Dans un salon privé")
    # Until the link is made, the back-room-to-be has no dialogue, so its replies are in English (languages.py);
    # from the link on, they are in the dialogue's language.
    harness.rooms[BACKROOM] = replace(harness.rooms[ROOM], room_id=BACKROOM, join_rule="invite")
    [linked] = await _replies_to(harness, BACKROOM, f"!dialogue backroom link {ROOM}")
    assert linked.startswith(f"Linked: this is now the moderators' back-room of {ROOM}.")
    [again] = await _replies_to(harness, BACKROOM, f"!dialogue backroom link {ROOM}")
    assert again == f"Ce salon est déjà le salon des modérateurs de {ROOM}."
    [status] = await _replies_to(harness, BACKROOM, "!dialogue backroom")
    assert status == f"Ceci est le salon des modérateurs de {ROOM} : dialogue « Cluster munitions » (en cours)."
    [unlinked] = await _replies_to(harness, BACKROOM, "!dialogue backroom unlink")
    assert unlinked == f"Lien supprimé : ce salon n'est plus le salon des modérateurs de {ROOM}."


async def test_a_roster_command_in_the_room_is_removed_with_a_reason_in_spanish(harness: Harness):
    await _in(harness, "es")
    harness.rooms[ROOM] = replace(harness.rooms[ROOM], user_power_levels={MODERATOR: 100, BOT_ID: 50})
    await harness.say(ROOM, MODERATOR, "!dialogue roster set @alice:test Republic of Tarvania")
    rows = await harness.outbox()
    [redaction] = [row.item for row in rows if isinstance(row.item, Redaction)]
    assert redaction.reason == "Los comandos del registro de participantes van en la sala de moderadores"
    [refusal] = [body(row) for row in rows if isinstance(row.item, RoomMessage)]
    assert refusal.endswith("He retirado su mensaje de esta sala.")


# -- room_upgrades.py, room_removal.py and moderator_notices.py ------------------------------------------------------


async def test_the_dialogue_continues_in_the_replacement_room_in_spanish(harness: Harness):
    await _in(harness, "es")
    await harness.say(ROOM, MODERATOR, "!dialogue open 1")
    await harness.outbox()
    async with harness.db.transaction() as tx:
        await move_dialogue(tx, await tx.dialogues.active_in_room(ROOM), "!new:test", NOW)
    notice, _prompt = await harness.outbox()
    assert notice.destination == Room("!new:test")
    assert body(notice) == (
        "El diálogo «Cluster munitions» continúa aquí: esta sala sustituye a la anterior y se conserva todo lo "
        "registrado en ella. La regla de Chatham House se aplica como hasta ahora.\n"
        "A continuación figuran los desafíos abiertos, cada uno con un hilo nuevo: responda en él para contribuir."
    )


async def test_after_a_removal_each_moderator_is_told_in_their_own_language(harness: Harness):
    await _in(harness, "fr")
    await harness.say("!dm-alice:test", ALICE, "!dialogue my-language es")
    await harness.outbox()
    harness.rooms[ROOM] = replace(harness.rooms[ROOM], user_power_levels={MODERATOR: 100, ALICE: 100})
    kick = InboundEvent(
        event_id=f"${next(_ids)}",
        room_id=ROOM,
        sender=MODERATOR,
        type="m.room.member",
        content={"membership": "leave"},
        origin_server_ts=int(NOW * 1000),
        state_key=BOT_ID,
    )
    async with harness.db.transaction() as tx:
        await handle_event(kick, harness.rooms[ROOM], harness.env, tx)
    told = {row.destination: body(row) for row in await harness.outbox()}
    assert told[Person(ALICE)].startswith("Me han retirado de la sala del diálogo «Cluster munitions» (número 1)")
    assert told[Person(MODERATOR)].startswith("J'ai été retiré du salon du dialogue « Cluster munitions » (numéro 1)")
    assert "`dialogue-bot purge --dialogue 1`" in told[Person(MODERATOR)]


# -- builtin.py ------------------------------------------------------------------------------------------------------


async def test_health_in_french_and_ping_in_spanish(harness: Harness):
    await _in(harness, "fr")
    [health] = await _replies_to(harness, ROOM, "!dialogue health")
    first, crypto, inbox, outbox = health.split("\n")
    assert first.startswith("dialogue-bot test, en service depuis 11\u00a0jours et 13\u00a0heures")
    assert crypto == "chiffrement de bout en bout activé, ce salon est chiffré"
    assert inbox.startswith("réception : ") and outbox.startswith("envoi : ")
    await _in(harness, "es")
    assert await _replies_to(harness, ROOM, "!dialogue ping") == ["pong"]
