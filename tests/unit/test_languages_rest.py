"""The last messages put into French and Spanish: times and durations a moderator mistyped, replies in a room
without a dialogue, the notice after a purge, files that cannot be fetched, and the web view's own words."""

from __future__ import annotations

from dataclasses import replace
from html import unescape

import pytest

from bot.media import deletion_notice
from handlers.context import RoomSnapshot
from handlers.languages import reply_language
from handlers.slow_work import AttachmentError, attachment_problem
from i18n import bot_marked
from storage import MediaDeletion, Room
from storage.outbox import _item, _item_columns
from tests.unit.fakes import BOT_ID
from tests.unit.test_languages import ALICE, BOB, DM, MODERATOR, ROOM, Harness, body, harness
from web.draft import DialogueView
from web.page import refusal_page, render_page
from web.server import NO_ACCESS

__all__ = ["harness"]  # the fixture, shared with test_languages.py

OTHER = "!elsewhere:test"
BACKROOM = "!backroom:test"


async def _in_language(harness: Harness, language: str) -> None:
    await harness.say(ROOM, MODERATOR, f"!dialogue language {language}")
    await harness.outbox()


# -- 1. times, durations and time zones a moderator mistyped ------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Impossible de lire « soon » comme une heure"), ("es", "No se pudo leer «soon» como una hora")],
)
async def test_a_time_that_cannot_be_read_is_explained_in_the_dialogues_language(harness, language, expected):
    await _in_language(harness, language)
    await harness.say(ROOM, MODERATOR, "!dialogue schedule 1 soon")
    [reply] = await harness.outbox()
    assert expected in body(reply)
    assert "tomorrow 09:30" in body(reply)  # the examples are command syntax, not translated


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "« today 01:00 » est dans le passé : c'était lun. 12 janv. 1970, 01:00 UTC."),
        ("es", "«today 01:00» está en el pasado: fue lun, 12 ene 1970, 1:00 UTC."),
    ],
)
async def test_a_time_in_the_past_names_its_moment_the_dialogues_way(harness, language, expected):
    await _in_language(harness, language)
    await harness.say(ROOM, MODERATOR, "!dialogue schedule 1 today 01:00")
    [reply] = await harness.outbox()
    assert expected in body(reply)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "« 0m » ne dure rien"), ("es", "«0m» no dura nada")],
)
async def test_a_duration_of_nothing_is_refused_in_the_dialogues_language(harness, language, expected):
    await _in_language(harness, language)
    await harness.say(ROOM, MODERATOR, "!dialogue schedule 1 in 2h for 0m")
    [reply] = await harness.outbox()
    assert expected in body(reply)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "« Mars/Olympus » n'est pas un nom de fuseau horaire IANA"),
        ("es", "«Mars/Olympus» no es un nombre de zona horaria IANA"),
    ],
)
async def test_a_wrong_time_zone_name_is_refused_in_the_dialogues_language(harness, language, expected):
    await _in_language(harness, language)
    await harness.say(ROOM, MODERATOR, "!dialogue timezone Mars/Olympus")
    [reply] = await harness.outbox()
    assert expected in body(reply)


# -- 2. a room without a dialogue -------------------------------------------------------------------------------------


def test_a_reply_in_a_room_without_a_dialogue_is_in_the_senders_choice():
    assert reply_language(in_direct_chat=False, preference="fr", dialogue_language=None, has_dialogue=False) == "fr"
    assert reply_language(in_direct_chat=False, preference=None, dialogue_language=None, has_dialogue=False) is None
    assert reply_language(in_direct_chat=False, preference="fr", dialogue_language="es", has_dialogue=True) == "es"


@pytest.mark.parametrize(
    ("sender", "language", "expected"), [(ALICE, "fr", "Commandes (préfixe"), (BOB, "es", "Comandos (prefijo")]
)
async def test_a_command_in_a_room_without_a_dialogue_is_answered_in_the_senders_choice(
    harness, sender, language, expected
):
    members = {ALICE: "Alice", BOB: "Bob", MODERATOR: "Mod", BOT_ID: "Bot"}
    harness.rooms[OTHER] = RoomSnapshot(
        room_id=OTHER, encrypted=True, display_names=members, joined_member_count=len(members)
    )
    harness.rooms[DM] = RoomSnapshot(
        room_id=DM, encrypted=True, display_names={sender: "X", BOT_ID: "Bot"}, joined_member_count=2
    )
    await harness.say(DM, sender, f"!dialogue my-language {language}")
    await harness.outbox()
    await harness.say(OTHER, sender, "!dialogue help")
    [reply] = await harness.outbox()
    assert reply.destination == Room(OTHER)
    assert body(reply).startswith(expected)


# -- 3. after a purge -------------------------------------------------------------------------------------------------


def test_the_deletion_notice_is_in_french_and_spanish_by_count():
    assert deletion_notice(["mxc://x/1"], [], "fr") == (
        "1 fichier de synthèse téléversé par le bot a été supprimé du stockage de médias du serveur."
    )
    assert deletion_notice(["mxc://x/1", "mxc://x/2"], [], "es") == (
        "Los 2 archivos de síntesis que el bot había subido se eliminaron del almacén de medios del servidor."
    )
    kept = deletion_notice(["mxc://x/1"], ["mxc://x/2", "mxc://x/3"], "fr")
    assert kept.startswith("Le serveur n'a pas laissé le bot supprimer 2 fichiers de synthèse")
    assert kept.endswith("mxc://x/2, mxc://x/3. (1 autre a été supprimé.)")
    kept = deletion_notice([], ["mxc://x/2"], "es")
    assert kept.startswith("El servidor no dejó que el bot eliminara 1 archivo de síntesis")
    assert kept.endswith(": mxc://x/2.")


def test_a_media_deletion_keeps_the_dialogues_language_in_the_outbox():
    kind, fields, data = _item_columns(MediaDeletion(("mxc://x/1",), "es"))
    assert _item(kind, fields, data) == MediaDeletion(("mxc://x/1",), "es")
    assert _item("media_deletion", {"mxc_uris": ["mxc://x/1"]}, None) == MediaDeletion(("mxc://x/1",), None)


# -- 4. a file that cannot be fetched -------------------------------------------------------------------------------


async def _reply_to_file(harness: Harness, command: str, room_id: str = ROOM) -> None:
    await harness.say(room_id, MODERATOR, command, **{"m.relates_to": {"m.in_reply_to": {"event_id": "$file"}}})


@pytest.mark.parametrize(
    ("language", "command", "expected"),
    [
        ("fr", "!dialogue agenda import", "Les fichiers ne peuvent pas être lus ici."),
        ("es", "!dialogue agenda import", "Aquí no se pueden leer archivos."),
    ],
)
async def test_a_file_that_cannot_be_read_is_explained_in_the_dialogues_language(harness, language, command, expected):
    await _in_language(harness, language)
    await _reply_to_file(harness, command)
    rows = await harness.outbox()
    assert expected in [body(row) for row in rows]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Les fichiers ne peuvent pas être lus ici."), ("es", "Aquí no se pueden leer archivos.")],
)
async def test_a_roster_file_that_cannot_be_read_is_explained_in_the_dialogues_language(harness, language, expected):
    await _in_language(harness, language)
    harness.rooms[BACKROOM] = replace(
        harness.rooms[ROOM], room_id=BACKROOM, join_rule="invite", display_names={MODERATOR: "Mod", BOT_ID: "Bot"}
    )
    await harness.say(BACKROOM, MODERATOR, f"!dialogue backroom link {ROOM}")
    await harness.outbox()
    await _reply_to_file(harness, "!dialogue roster import", BACKROOM)
    rows = await harness.outbox()
    assert [row.destination for row in rows] == [Room(BACKROOM)]
    assert body(rows[0]) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Le fichier n'a pas pu être téléchargé ; veuillez réessayer."),
        ("es", "No se pudo descargar el archivo; inténtelo de nuevo."),
    ],
)
def test_a_download_that_failed_is_said_in_the_readers_language(language, expected):
    problem = AttachmentError(bot_marked("The file could not be downloaded; try again."))
    assert str(problem) == "The file could not be downloaded; try again."
    assert attachment_problem(problem, language) == expected


# -- 5. the web view's own words --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "notice", "link"),
    [
        ("fr", "Ce dialogue a été purgé : seule sa synthèse adoptée subsiste.", "Adoptée, Markdown"),
        ("es", "Este diálogo fue purgado: solo queda su síntesis adoptada.", "Adoptada, Markdown"),
    ],
)
def test_a_purged_dialogues_page_is_in_the_dialogues_language(language, notice, link):
    view = DialogueView(7, "T", None, {"md": b"", "docx": b"", "json": b""}, language)
    page = render_page(view)
    assert f'<html lang="{language}">' in page
    assert notice in page
    assert f'<a href="/d/7/adopted.md">{link}</a>' in page


def test_the_refusal_page_says_it_in_english_french_and_spanish():
    page = unescape(refusal_page(NO_ACCESS))
    assert "This link is not valid or has expired." in page
    assert "Ce lien n'est pas valide ou a expiré." in page
    assert "Este enlace no es válido o ha caducado." in page
    assert '<p lang="fr">' in page and '<p lang="es">' in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Je ne suis pas dans ce salon : invitez-moi d'abord, ou vérifiez l'identifiant du salon."),
        ("es", "No estoy en esa sala: invíteme primero o compruebe el identificador de la sala."),
    ],
)
async def test_backroom_link_before_the_link_is_answered_in_the_senders_choice(harness, language, expected):
    members = {MODERATOR: "Mod", BOT_ID: "Bot", BOB: "Bob"}
    harness.rooms[OTHER] = RoomSnapshot(
        room_id=OTHER,
        encrypted=True,
        display_names=members,
        joined_member_count=len(members),
        join_rule="invite",
        user_power_levels={MODERATOR: 100},
    )
    harness.rooms["!dm-mod:test"] = RoomSnapshot(
        room_id="!dm-mod:test", encrypted=True, display_names={MODERATOR: "Mod", BOT_ID: "Bot"}, joined_member_count=2
    )
    await harness.say("!dm-mod:test", MODERATOR, f"!dialogue my-language {language}")
    await harness.outbox()
    await harness.say(OTHER, MODERATOR, "!dialogue backroom link !nowhere:test")
    [reply] = await harness.outbox()
    assert reply.destination == Room(OTHER)
    assert body(reply) == expected
