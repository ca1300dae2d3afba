"""The bot's own words in the dialogue's and each reader's language, through a real Synapse with encrypted rooms."""

from __future__ import annotations

import pytest

from demo.events import body_of, is_reply_from
from tests.integration.helpers import invite_bot_and_wait
from tests.integration.test_dialogue import is_ack_of, run_dialogue

pytestmark = pytest.mark.integration

HEADING = "Predictable funding for victim assistance and survivors"
TEXTS = (
    "Victim assistance for survivors needs predictable funding.",
    "Survivors depend on funding for victim assistance that is predictable.",
)


def bot_says(bot_id: str, text: str):
    return lambda event: event.sender == bot_id and text in body_of(event)


async def test_a_spanish_dialogue_and_a_participant_who_chose_french(make_user, bot_factory):
    d = await run_dialogue(make_user, bot_factory, encrypted=True, participants=2, open_first=False)
    alice, bob = d.participants
    bot_id = d.bot.user_id

    # The moderator sets the dialogue's language: the ground rules come again, in Spanish.
    reply = body_of(await d.command(d.moderator, "!dialogue language es"))
    assert "español" in reply
    rules = await bob.wait_for(d.room, bot_says(bot_id, "regla de Chatham House"), description="reglas")
    assert body_of(rules).startswith("Diálogo iniciado: Strengthening the norms")
    assert "Lo que registra el bot" in body_of(rules)

    # The next challenge's framing is Spanish; the moderator's own title and prompt stay as written.
    await d.moderator.send_text(d.room, "!dialogue open 1")
    prompt = await bob.wait_for(d.room, bot_says(bot_id, "Desafío 1:"), description="prompt in Spanish")
    assert body_of(prompt) == (
        "Desafío 1: New use and transfers\n\nWhat do transfers mean?\n\n"
        "Responda en este hilo para contribuir. Las contribuciones se registran sin nombres."
    )

    # Alice chooses French in a direct message with the bot; help comes in French there.
    dm = await alice.create_room(encrypted=True, is_direct=True)
    await invite_bot_and_wait(alice, dm, bot_id)
    asked = await alice.send_text(dm, "!dialogue my-language fr")
    chosen = await alice.wait_for(dm, is_reply_from(bot_id, asked), timeout=60, description="my-language")
    assert "français" in body_of(chosen)
    asked = await alice.send_text(dm, "!dialogue help")
    help_reply = body_of(await alice.wait_for(dm, is_reply_from(bot_id, asked), timeout=60, description="aide"))
    assert help_reply.startswith("Commandes (préfixe !dialogue")
    assert "!dialogue open <n> — publie la question du défi n" in help_reply

    # Bob chose nothing: in his own direct chat with the bot, English stays the default.
    bob_dm = await bob.create_room(encrypted=True, is_direct=True)
    await invite_bot_and_wait(bob, bob_dm, bot_id)
    asked = await bob.send_text(bob_dm, "!dialogue help")
    english = body_of(await bob.wait_for(bob_dm, is_reply_from(bot_id, asked), timeout=60, description="help"))
    assert english.startswith("Commands (prefix !dialogue")

    # A consensus round: Alice's statement comes in French, Bob's in the dialogue's Spanish.
    await d.in_backroom(f"!dialogue theme add 1 {HEADING}")
    for author, text in zip((alice, bob), TEXTS, strict=True):
        await author.wait_for(d.room, is_ack_of(bot_id, await author.send_thread_reply(d.room, prompt.event_id, text)))
    await d.moderator.send_text(d.room, "!dialogue close 1")
    await d.moderator.wait_for(d.room, bot_says(bot_id, "El desafío 1 está cerrado"), description="cierre")
    await d.in_backroom("!dialogue consensus 1 for 10m")
    _, french = await alice.wait_for_any_room(
        bot_says(bot_id, "Tour de consensus sur le défi 1"), timeout=60, description="énoncé"
    )
    assert HEADING in body_of(french)
    assert "Réagissez à ce message avec 👍 pour approuver" in body_of(french)
    _, spanish = await bob.wait_for_any_room(
        bot_says(bot_id, "Ronda de consenso sobre el desafío 1"), timeout=60, description="enunciado"
    )
    assert HEADING in body_of(spanish)
