"""The draft synopsis, delivered to moderators and the secretariat through a real Synapse."""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
import subprocess
import sys

import docx
import nio
import pytest
from nio.crypto.attachments import decrypt_attachment

from demo.events import body_of, content_of, is_file_from, is_reply_from
from tests.integration.helpers import delegates, invite_bot_and_wait, start_dialogue
from tests.integration.test_dialogue import Dialogue, is_ack_of, is_prompt

pytestmark = pytest.mark.integration

CONTRIBUTIONS = {
    1: [
        "Transfers of cluster munitions through the territory of States parties must be challenged.",
        "Transfers of cluster munitions through the territory of States parties must be challenged!",
        "The normalisation of transfers between States not party erodes the stigma.",
        "Silence about new use in ongoing conflicts weakens the norm.",
    ],
    2: [
        "A State party's withdrawal sets a dangerous precedent for humanitarian disarmament.",
        "Withdrawal from the Convention must not become normal; other States parties should respond.",
        "Universalisation efforts under Article 21 need renewed energy.",
        "Engage States not party on Article 21 obligations.",
    ],
    3: [
        "Cooperation and assistance for affected States must reach survivors and communities.",
        "Implementation support mechanisms should find synergies with other disarmament regimes.",
        "Survivors need sustained victim assistance funding.",
        "Clearance of contaminated land should be prioritised.",
    ],
}


async def download(user, event: nio.Event) -> bytes:
    content = content_of(event)
    encrypted = content.get("file")
    url = encrypted["url"] if encrypted else content["url"]
    response = await user.client.download(mxc=url)
    assert isinstance(response, nio.DownloadResponse), response
    if encrypted:
        return decrypt_attachment(response.body, encrypted["key"]["k"], encrypted["hashes"]["sha256"], encrypted["iv"])
    return response.body


async def test_moderators_and_the_secretariat_get_the_synopsis_in_every_format_and_nobody_is_named(
    make_user, bot_factory, bot_storage
):
    # A whole dialogue, once per storage backend (bot_storage: the SQLite file, then PostgreSQL).
    isu = await make_user("isu")
    bot = await bot_factory(extra_config={**bot_storage, "bot": {"isu_users": [isu.user_id]}})
    moderator = await make_user("mod")
    people = await delegates(make_user, 4, "Zanzibar")
    room = await start_dialogue(moderator, bot.user_id, people)
    d = Dialogue(bot, moderator, people, room, root="", encrypted=True)
    titles = ["New use and transfers", "Withdrawal and universalisation", "Implementation support"]
    for title in titles:
        await d.command(moderator, f"!dialogue challenge add {title} ; What should be done?")
    for number, texts in CONTRIBUTIONS.items():
        await moderator.send_text(room, f"!dialogue open {number}")
        prompt = await moderator.wait_for(room, is_prompt(bot.user_id, number))
        for index, text in enumerate(texts):
            author = people[index % len(people)]
            await author.wait_for(room, lambda event, root=prompt.event_id: event.event_id == root)
            sent = await author.send_thread_reply(
                room, prompt.event_id, f"{text} (as {people[(index + 1) % 4].user_id} said)"
            )
            await author.wait_for(room, is_ack_of(bot.user_id, sent))
        await moderator.send_text(room, f"!dialogue close {number}")
        await moderator.wait_for(room, lambda e, n=number: body_of(e).startswith(f"Challenge {n} is closed"))

    refused = await d.command(people[0], "!dialogue synopsis")
    assert body_of(refused).startswith("Only moderators")

    documents: dict[str, bytes] = {}
    backroom = await d.backroom_id()
    for fmt in ("md", "docx", "json"):
        await moderator.send_text(backroom, f"!dialogue synopsis {fmt}")
        file_event = await moderator.wait_for(
            backroom, lambda e, ext=f".{fmt}": is_file_from(bot.user_id)(e) and body_of(e).endswith(ext), timeout=60
        )
        assert "file" in content_of(file_event), "in an encrypted room the upload must be encrypted"
        documents[fmt] = await download(moderator, file_event)

    markdown = documents["md"].decode()
    assert "Draft synopsis, prepared under the Chatham House Rule" in markdown
    for heading in ("I. Introduction", "II. Synopsis of considerations and concerns", "III. Suggested ways forward"):
        assert heading in markdown
    for title in titles:
        assert title in markdown
    word = docx.Document(io.BytesIO(documents["docx"]))
    assert any("Synopsis of considerations and concerns" in p.text for p in word.paragraphs)
    structure = json.loads(documents["json"])
    assert [section["title"] for section in structure["sections"]] == titles

    dm = await isu.create_room(encrypted=True, is_direct=True)
    await invite_bot_and_wait(isu, dm, bot.user_id)
    listing = await isu.send_text(dm, "!dialogue dialogues")
    answer = await isu.wait_for(dm, is_reply_from(bot.user_id, listing))
    number = body_of(answer).splitlines()[1].split(".")[0]
    await isu.send_text(dm, f"!dialogue synopsis {number} md")
    pulled = await isu.wait_for(dm, is_file_from(bot.user_id), timeout=60)
    assert await download(isu, pulled) == documents["md"]

    everything = "\n".join([markdown, documents["json"].decode(), "\n".join(p.text for p in word.paragraphs)])
    for person in [*people, moderator, isu]:
        assert person.user_id not in everything
    assert "Zanzibar" not in everything


async def pull(d: Dialogue, fmt: str) -> bytes:
    """The draft synopsis, pulled in the moderators' back-room."""
    backroom = await d.backroom_id()
    before = len([e for e in d.moderator.events(backroom) if is_file_from(d.bot.user_id)(e)])
    await d.moderator.send_text(backroom, f"!dialogue synopsis {fmt}")
    files = await d.moderator.wait_for_count(backroom, is_file_from(d.bot.user_id), before + 1, timeout=60)
    return await download(d.moderator, files[-1])


async def test_corrections_shape_the_draft_and_purge_keeps_only_the_adopted_synopsis(make_user, bot_factory):
    from tests.integration.test_dialogue import run_dialogue

    d = await run_dialogue(make_user, bot_factory, encrypted=False, participants=3)
    texts = [
        "Transfers through the territory of States parties must be challenged.",
        "Transfers through the territory of States parties must be challenged.",
        "Survivors need sustained victim assistance funding.",
        "Clearance of contaminated land should be prioritised.",
    ]
    for index, text in enumerate(texts):
        author = d.participants[index % 3]
        await d.acknowledged(author, await author.send_thread_reply(d.room, d.root, text))
    listing = await d.contributions()
    refs = {line.split(": ", 1)[1]: line.split(": ", 1)[0] for line in listing.splitlines()[1:]}
    survivors, clearance = refs[texts[2]], refs[texts[3]]

    themes = body_of(await d.in_backroom("!dialogue themes 1"))
    assert themes.startswith("Draft themes of challenge 1")
    assert body_of(await d.in_backroom(f"!dialogue exclude {clearance}")).endswith("left out of the synopsis.")
    assert "Suggested ways forward" in body_of(await d.in_backroom(f"!dialogue way-forward {survivors}"))
    draft = json.loads(await pull(d, "json"))
    statements = json.dumps(draft["sections"][0])
    assert "Clearance" not in statements
    assert [item["refs"] for item in draft["ways_forward"]] == [[survivors]]

    refused = body_of(await d.command(d.moderator, "!dialogue purge"))
    assert refused.startswith("End dialogue 1 first")
    await d.command(d.moderator, "!dialogue adopt")
    adopted_md = await pull(d, "md")
    await d.command(d.moderator, "!dialogue end")
    assert "To confirm" in body_of(await d.command(d.moderator, "!dialogue purge"))
    assert body_of(await d.command(d.moderator, "!dialogue purge confirm")).startswith("Purged.")
    assert await pull(d, "md") == adopted_md

    assert await d.bot.stop() == 0
    with sqlite3.connect(d.bot.data_dir / "bot.db") as db:
        assert db.execute("SELECT COUNT(*) FROM contributions").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM support").fetchone()[0] == 0
        assert db.execute("SELECT length(secret) FROM dialogues").fetchone()[0] == 0
        audit = [row[0] for row in db.execute("SELECT action FROM audit")]
    assert len(audit) == 2 and audit[0] == "synopsis adopted" and audit[1].startswith("purged")
    cli = [sys.executable, "-m", "bot"]
    listed = await asyncio.to_thread(
        subprocess.run, [*cli, "dialogues", "--config", str(d.bot.config_path)], capture_output=True, text=True
    )
    assert listed.returncode == 0 and "ended purged\tStrengthening the norms" in listed.stdout
    pulled = await asyncio.to_thread(
        subprocess.run,
        [*cli, "synopsis", "--config", str(d.bot.config_path), "--dialogue", "1", "--format", "md"],
        capture_output=True,
    )
    assert pulled.returncode == 0 and pulled.stdout == adopted_md
