"""The secretariat's and curation commands answer in the reply's language: the draft's themes and corrections, the
document commands, the wording and guided-theme commands, the agenda import, the consensus round's refusals and the
rules of who may do what (whose command line stays English). Through the dispatcher, on a real SQLite file."""

from __future__ import annotations

from dataclasses import replace

from handlers.access import Action, DialogueFacts, Member, Operator, Refusal, chat_commands, cli_commands, decide
from handlers.agenda_outline import OutlineRefused, parse_agenda_outline
from handlers.synopsis_commands import SYNOPSIS_USAGE
from handlers.theme_commands import HEADING_MAX_CHARS, HEADING_TOO_LONG
from handlers.wording_commands import TOO_LONG, WORDING_MAX_CHARS
from i18n import COMPLETE_LANGUAGES
from synopsis.render import FORMATS
from tests.unit.fakes import make_settings
from tests.unit.test_languages import ALICE, DM, MODERATOR, ROOM, Harness, body, harness

__all__ = ["harness"]  # the fixture, shared with tests/unit/test_languages.py


async def answers(harness: Harness, room_id: str, sender: str, text: str) -> list[str]:
    """What the bot queued in answer to one command (in the room or by direct message)."""
    await harness.say(room_id, sender, text)
    return [body(row) for row in await harness.outbox()]


async def in_language(harness: Harness, code: str) -> None:
    """Set the dialogue's language (and note the bot as in its room, which the rules on adopting and purging ask)."""
    async with harness.db.transaction() as tx:
        await tx.rooms.set_joined(ROOM, 0)
    await harness.say(ROOM, MODERATOR, f"!dialogue language {code}")
    await harness.outbox()


# -- synopsis_commands.py ---------------------------------------------------------------------------------------------


async def test_the_draft_themes_and_corrections_answer_in_french(harness: Harness):
    await in_language(harness, "fr")
    assert "Le défi 1 n'a aucune contribution dans le projet." in await answers(
        harness, ROOM, MODERATOR, "!dialogue themes 1"
    )
    assert "Aucune contribution ABCD dans ce dialogue." in await answers(
        harness, ROOM, MODERATOR, "!dialogue exclude ABCD"
    )
    [usage] = await answers(harness, ROOM, MODERATOR, "!dialogue merge 1 2 2")
    assert usage.endswith("(les deux thèmes doivent être différents)")


async def test_the_draft_themes_and_the_purge_answer_in_spanish(harness: Harness):
    await in_language(harness, "es")
    assert "No existe el desafío 7." in await answers(harness, ROOM, MODERATOR, "!dialogue themes 7")
    assert "Termine primero el diálogo 1 (!dialogue end)." in await answers(
        harness, ROOM, MODERATOR, "!dialogue purge confirm"
    )
    [usage] = await answers(harness, ROOM, MODERATOR, "!dialogue synopsis de")
    assert "(indique un número de diálogo, adopted, un formato (md, docx, json)" in usage


def test_the_synopsis_usage_names_every_format_and_draft_language():
    assert f"a format ({', '.join(FORMATS)})" in SYNOPSIS_USAGE
    assert f"the draft's language ({', '.join(COMPLETE_LANGUAGES)})" in SYNOPSIS_USAGE


# -- access.py --------------------------------------------------------------------------------------------------------

_ACTIVE = DialogueFacts(id=3, active=True, adopted=False, purged=False, room_lost=False)


async def test_who_may_do_what_is_refused_in_the_rooms_language_in_chat(harness: Harness):
    await in_language(harness, "fr")
    assert "Terminez d'abord le dialogue 1 (!dialogue end)." in await answers(
        harness, ROOM, MODERATOR, "!dialogue purge"
    )
    await in_language(harness, "es")
    assert "No hay ningún diálogo 9 que usted pueda obtener. !dialogue dialogues los enumera." in await answers(
        harness, ROOM, MODERATOR, "!dialogue synopsis 9"
    )


def test_the_command_line_reads_the_same_refusals_in_english():
    decision = decide(Operator(), _ACTIVE, Action.PURGE, cli_commands)
    assert isinstance(decision, Refusal)
    assert decision.reason == "End dialogue 3 first (`dialogue-bot end --dialogue 3`)."
    assert decision.reason_in("fr") == "Terminez d'abord le dialogue 3 (`dialogue-bot end --dialogue 3`)."
    member = Member(is_moderator=False, is_isu=False, own_dialogue_id=3)
    refused = decide(member, _ACTIVE, Action.END, chat_commands("!dialogue"))
    assert isinstance(refused, Refusal)
    assert refused.reason == "Only the room's moderators may end the dialogue."
    assert refused.reason_in("es") == "Solo los moderadores de la sala pueden terminar el diálogo."


# -- wording_commands.py ----------------------------------------------------------------------------------------------


async def test_the_secretariats_wording_answers_in_french_and_spanish(harness: Harness):
    await in_language(harness, "fr")
    assert "Le défi 1 s'ouvre sur : Un paragraphe d'ouverture." in await answers(
        harness, ROOM, MODERATOR, "!dialogue lead 1 Un paragraphe d'ouverture."
    )
    await in_language(harness, "es")
    assert "El desafío 1 ya no tiene párrafo introductorio." in await answers(
        harness, ROOM, MODERATOR, "!dialogue lead 1 clear"
    )
    assert "No existe el desafío 4. !dialogue agenda los enumera." in await answers(
        harness, ROOM, MODERATOR, "!dialogue way-forward 4 Una vía."
    )


async def test_the_dialogues_list_in_a_direct_chat_is_in_the_senders_language(harness: Harness):
    harness.env = replace(harness.env, settings=make_settings(harness.env.settings.bot.data_dir, isu_users=[ALICE]))
    await harness.say(DM, ALICE, "!dialogue my-language fr")
    await harness.outbox()
    [listing] = await answers(harness, DM, ALICE, "!dialogue dialogues")
    assert listing == (
        "Dialogues (numéro. titre, état) :\n1. Cluster munitions (en cours)\n"
        "Obtenez-en un avec !dialogue synopsis <number> [md|docx|json]."
    )


def test_the_length_refusals_name_the_limits_they_check():
    assert f"longer than {WORDING_MAX_CHARS:,} characters" in TOO_LONG
    assert f"longer than {HEADING_MAX_CHARS:,} characters" in HEADING_TOO_LONG


async def test_a_too_long_heading_is_refused_in_french(harness: Harness):
    await in_language(harness, "fr")
    [usage] = await answers(harness, ROOM, MODERATOR, "!dialogue theme add 1 " + "x" * (HEADING_MAX_CHARS + 1))
    assert usage.endswith("(l'intitulé dépasse 400 caractères, le maximum autorisé)")


# -- theme_commands.py ------------------------------------------------------------------------------------------------


async def test_the_guided_themes_answer_in_french_and_spanish(harness: Harness):
    await in_language(harness, "fr")
    assert (
        "Le défi 1 a l'intitulé 1 : Transferts. Les contributions qui s'en rapprochent figurent sous cet intitulé "
        "dans le projet (!dialogue themes 1)."
    ) in await answers(harness, ROOM, MODERATOR, "!dialogue theme add 1 Transferts")
    await in_language(harness, "es")
    assert "El desafío 1 no tiene encabezado 5. !dialogue themes 1 los enumera." in await answers(
        harness, ROOM, MODERATOR, "!dialogue theme remove 1 5"
    )


# -- agenda_import.py and agenda_outline.py ---------------------------------------------------------------------------


async def test_the_agenda_import_report_and_its_refusal_are_in_the_rooms_language(harness: Harness):
    await in_language(harness, "es")
    [report] = await answers(harness, ROOM, MODERATOR, "!dialogue agenda import\n# Usos\n¿Qué hacer?\n- Condena")
    assert report.startswith("Importación del orden del día: 1 desafío añadido (2) con 1 tema(s) previsto(s).")
    await in_language(harness, "fr")
    [refused] = await answers(harness, ROOM, MODERATOR, "!dialogue agenda import\n# Titre\n- Intitulé")
    assert refused.endswith(
        "(l'importation de l'ordre du jour a été refusée, rien n'a été ajouté : ligne 1 : le défi « Titre » n'a pas "
        "de question)"
    )


def test_an_outlines_problems_read_in_english_or_in_a_language():
    try:
        parse_agenda_outline("Intro\n# T\nP\n## Sub")
    except OutlineRefused as refused:
        assert refused.problems == [
            "line 1: text before the first “# ” title",
            "line 4: only “# ” starts a challenge; “##” is not used",
        ]
        assert refused.problems_in("es") == [
            "línea 1: texto antes del primer título «# »",
            "línea 4: solo «# » inicia un desafío; «##» no se utiliza",
        ]
    else:
        raise AssertionError("the outline was not refused")


# -- consensus.py -----------------------------------------------------------------------------------------------------


async def test_a_consensus_round_without_themes_is_refused_in_french_and_spanish(harness: Harness):
    await harness.say(ROOM, MODERATOR, "!dialogue open 1")
    await harness.say(ROOM, MODERATOR, "!dialogue close 1")
    await in_language(harness, "fr")
    assert "Le défi 1 n'a aucun thème dans le projet sur lequel consulter." in await answers(
        harness, ROOM, MODERATOR, "!dialogue consensus 1"
    )
    await in_language(harness, "es")
    assert "El desafío 1 no tiene temas en el borrador sobre los que consultar." in await answers(
        harness, ROOM, MODERATOR, "!dialogue consensus 1"
    )
