"""Agenda import through a real Synapse: a file or pasted outline adds challenges and their expected themes at once."""

from __future__ import annotations

import sqlite3

import pytest

from demo.events import body_of, is_reply_from
from tests.integration.test_dialogue import run_dialogue, upload_file

pytestmark = pytest.mark.integration

OUTLINE = """\
# 1. Universalisation
How can the Convention reach the States not yet party to it?
- Outreach to States not party
- Regional seminars

# 2. Clearance deadlines
What helps States parties meet their clearance deadlines?
- Extension requests
"""


async def test_an_outline_file_then_a_pasted_one_append_challenges_with_headings_and_a_bad_one_changes_nothing(
    make_user, bot_factory
):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=1, open_first=False)
    backroom = await d.backroom_id()
    file_event = await upload_file(d.moderator, backroom, OUTLINE.encode(), "agenda.md", encrypted=True)
    asked = await d.moderator.send_text(
        backroom, "!dialogue agenda import", extra_content={"m.relates_to": {"m.in_reply_to": {"event_id": file_event}}}
    )
    answer = body_of(await d.moderator.wait_for(backroom, is_reply_from(d.bot.user_id, asked), timeout=60))
    assert answer.startswith("Agenda import: 2 challenge(s) added (3, 4) with 3 expected theme(s).")

    agenda = body_of(await d.command(d.moderator, "!dialogue agenda"))
    assert "3. Universalisation (pending)" in agenda
    assert "4. Clearance deadlines (pending)" in agenda
    # `themes` lists headings only once a challenge has contributions; `theme edit` answers for any heading.
    edited = body_of(await d.in_backroom("!dialogue theme edit 3 2 Regional seminars"))
    assert edited == "Heading 2 of challenge 3 is now: Regional seminars."
    assert "has no heading 3" in body_of(await d.in_backroom("!dialogue theme edit 3 3 None"))

    pasted = body_of(
        await d.command(d.moderator, "!dialogue agenda import\n# Stockpiles\nWhat is left to destroy?\n* Deadlines")
    )
    assert pasted.startswith("Agenda import: 1 challenge(s) added (5) with 1 expected theme(s).")

    refused = body_of(
        await d.command(d.moderator, "!dialogue agenda import\n# Fine\nA prompt\n- ok\n# No prompt here\n## Sub")
    )
    assert "nothing was added" in refused
    assert "line 4: challenge “No prompt here” has no prompt" in refused
    assert "line 5: only “# ” starts a challenge" in refused
    assert "!dialogue agenda import" in refused  # the usage
    after = body_of(await d.command(d.moderator, "!dialogue agenda"))
    assert "6." not in after and "Fine" not in after

    participant = d.participants[0]
    denied = body_of(await d.command(participant, "!dialogue agenda import\n# Mine\nMy prompt"))
    assert "Mine" not in body_of(await d.command(d.moderator, "!dialogue agenda"))
    assert "moderator" in denied.casefold()
    assert await d.bot.stop() == 0
    with sqlite3.connect(d.bot.data_dir / "bot.db") as db:
        stored = db.execute(
            "SELECT c.number, c.prompt, h.heading FROM theme_headings h JOIN challenges c ON c.id = h.challenge_id "
            "ORDER BY h.id"
        ).fetchall()
    assert stored == [
        (3, "How can the Convention reach the States not yet party to it?", "Outreach to States not party"),
        (3, "How can the Convention reach the States not yet party to it?", "Regional seminars"),
        (4, "What helps States parties meet their clearance deadlines?", "Extension requests"),
        (5, "What is left to destroy?", "Deadlines"),
    ]
    info_log = "\n".join(line for line in d.bot.log_text().splitlines() if " DEBUG " not in line)
    for text in ("Universalisation", "Stockpiles", "No prompt here", "Outreach to States"):
        assert text not in info_log
