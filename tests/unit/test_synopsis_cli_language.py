"""`dialogue-bot synopsis --language`: the secretariat pulls the draft in French or Spanish from the command line,
over a real database, as the operator would run it."""

from __future__ import annotations

import io
import json

import docx
import pytest
from docx.oxml.ns import qn

from bot import exit_codes
from bot.cli import main
from storage import Database
from tests.unit.test_access_drifts import cli, dialogue_in
from tests.unit.test_processor import ROOM

pytestmark = pytest.mark.usefixtures("keep_process_state")

TEXTS = (
    "Transfers through the territory of States parties must be challenged.",
    "Transfers through the territory of States parties must be challenged firmly.",
    "Les transferts sur le territoire des États parties doivent être contestés.",
)


async def dialogue_with_contributions(db: Database) -> int:
    async with db.transaction() as tx:
        await tx.rooms.set_joined(ROOM, 0)
        dialogue = await tx.dialogues.create(ROOM, "Norms", b"s" * 32, 1_796_083_200.0)
        challenge = await tx.challenges.add(dialogue.id, "Transfers", "What do transfers mean?")
        for index, text in enumerate(TEXTS):
            await tx.contributions.add(
                dialogue_id=dialogue.id,
                challenge_id=challenge.id,
                member_key=f"m{index}",
                text=text,
                channel="thread",
                event_id=f"$e{index}",
                room_id=ROOM,
                origin_ts=1_796_083_200_000,
                now=1_796_083_200.0,
            )
        return dialogue.id


async def test_the_draft_is_written_in_french_when_asked(db, tmp_path, capsys):
    dialogue = await dialogue_with_contributions(db)
    assert await cli(tmp_path, "synopsis", "--dialogue", str(dialogue), "--language", "fr") == exit_codes.OK
    markdown = capsys.readouterr().out
    assert "## II. Synthèse des considérations et préoccupations" in markdown
    assert "### Défi 1 : Transfers" in markdown
    assert "Quelques participants ont contribué au dialogue." in markdown
    assert "1 décembre 2026" in markdown
    assert "Synopsis of considerations" not in markdown
    assert TEXTS[2] in markdown  # the contribution is quoted as written


async def test_the_draft_is_written_in_spanish_in_json_and_docx(db, tmp_path, capsys):
    dialogue = await dialogue_with_contributions(db)
    args = ("synopsis", "--dialogue", str(dialogue), "--language", "es")
    assert await cli(tmp_path, *args, "--format", "json") == exit_codes.OK
    document = json.loads(capsys.readouterr().out)
    assert (document["document_language"], document["participation_band"]) == ("es", "unos pocos")
    out = tmp_path / "synopsis.docx"
    assert await cli(tmp_path, *args, "--format", "docx", "-o", str(out)) == exit_codes.OK
    word = docx.Document(io.BytesIO(out.read_bytes()))
    assert "II. Síntesis de consideraciones y preocupaciones" in [p.text for p in word.paragraphs]
    lang = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "es-ES"


async def test_without_the_option_the_draft_is_english(db, tmp_path, capsys):
    dialogue = await dialogue_with_contributions(db)
    assert await cli(tmp_path, "synopsis", "--dialogue", str(dialogue)) == exit_codes.OK
    assert "## II. Synopsis of considerations and concerns" in capsys.readouterr().out


async def test_a_language_without_a_complete_catalogue_is_a_usage_error(db, tmp_path, capsys):
    dialogue = await dialogue_with_contributions(db)
    with pytest.raises(SystemExit) as stopped:
        await cli(tmp_path, "synopsis", "--dialogue", str(dialogue), "--language", "ru")
    assert stopped.value.code == exit_codes.USAGE
    assert "invalid choice: 'ru'" in capsys.readouterr().err


async def test_the_adopted_synopsis_cannot_be_asked_for_in_another_language(db, tmp_path, capsys):
    dialogue = await dialogue_in(db, ended=True, adopted=True)
    args = ("synopsis", "--dialogue", str(dialogue), "--adopted", "--language", "fr")
    assert await cli(tmp_path, *args) == exit_codes.USAGE
    assert "the adopted synopsis stays as it was adopted" in capsys.readouterr().err


async def test_a_purged_dialogue_serves_its_adopted_synopsis_and_says_the_language_was_not_applied(
    db, tmp_path, capsys
):
    dialogue = await dialogue_in(db, ended=True, adopted=True, purged=True)
    assert await cli(tmp_path, "synopsis", "--dialogue", str(dialogue), "--language", "fr") == exit_codes.OK
    captured = capsys.readouterr()
    assert captured.out == "# adopted"
    assert "--language applies to a draft" in captured.err


def test_the_option_is_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["synopsis", "--help"])
    assert "--language {en,fr,es}" in capsys.readouterr().out
