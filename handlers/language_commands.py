"""`language` (a dialogue's, set by its moderators) and `my-language` (one's own, for direct messages).

The reply to either is written in the language just chosen, so whoever chose it sees at once what it looks like.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.commands import CommandCall, UsageError
from handlers.dialogue_commands import active_dialogue
from handlers.ground_rules import ground_rules
from handlers.languages import DEFAULT, choices, is_complete, language_name, parse_language_code, stored_code
from handlers.outgoing import queue_acknowledgement, queue_direct_message, queue_notice
from handlers.replies import Reply
from i18n import bot_marked, bot_text

if TYPE_CHECKING:
    from storage import Transaction

NOT_A_LANGUAGE = bot_marked("give one of the six UN languages' codes: ar, zh, en, fr, ru, es")
NOT_A_PERSONAL_LANGUAGE = bot_marked("give one of the six UN languages' codes (ar, zh, en, fr, ru, es) or default")


@dataclass(frozen=True, slots=True)
class PersonalChoice:
    """`my-language` with a code, or `default` (code None): forget the choice."""

    code: str | None


def language_argument(raw: str) -> str | None:
    """`[<code>]`: None shows the current language."""
    if not raw.strip():
        return None
    if len(raw.split()) > 1:
        raise UsageError(NOT_A_LANGUAGE)
    try:
        return parse_language_code(raw)
    except UsageError:
        raise UsageError(NOT_A_LANGUAGE) from None


def my_language_argument(raw: str) -> PersonalChoice | None:
    """`[<code>|default]`: None shows the current choice."""
    if not raw.strip():
        return None
    if len(raw.split()) > 1:
        raise UsageError(NOT_A_PERSONAL_LANGUAGE)
    if raw.strip().casefold() == DEFAULT:
        return PersonalChoice(None)
    try:
        return PersonalChoice(parse_language_code(raw))
    except UsageError:
        raise UsageError(NOT_A_PERSONAL_LANGUAGE) from None


def _incomplete_note(language: str | None) -> str:
    if is_complete(language):
        return ""
    return " " + bot_text(
        language,
        "Messages not yet translated into {language} stay in English.",
        language=language_name(language),
    )


async def set_dialogue_language(call: CommandCall[str | None], tx: Transaction) -> Reply:
    dialogue = await active_dialogue(call, tx)
    usage = f"{call.prefix} language <code>"
    if call.args is None:
        current = dialogue.language
        return Reply.plain(
            bot_text(
                current,
                "The bot writes this dialogue's messages in {language}. To change it: {usage}, with one of {choices}.",
                language=language_name(current),
                usage=usage,
                choices=choices(),
            )
        )
    chosen = stored_code(call.args)
    if chosen != dialogue.language:
        await tx.dialogues.set_language(dialogue.id, chosen)
        # The rules matter most: everyone in the room sees them again in the language they will now be addressed in.
        rules = ground_rules(dialogue.title, call.prefix, chosen)
        await queue_notice(tx, dialogue.room_id, rules, call.now)
    return Reply.plain(
        bot_text(
            chosen,
            "From now on the bot writes this dialogue's messages in {language}: the ground rules, the challenges' "
            "framing, reminders and notices. Each participant may still choose their own language for direct "
            "messages with {command}.",
            language=language_name(chosen),
            command=f"{call.prefix} my-language <code>",
        )
        + _incomplete_note(chosen)
    )


async def set_my_language(call: CommandCall[PersonalChoice | None], tx: Transaction) -> Reply | None:
    sender = call.event.sender
    choice: PersonalChoice | None = call.args
    if choice is None:
        current = await tx.language_preferences.get(sender)
        if current is None:
            text = bot_text(
                None,
                "You have not chosen a language: direct messages come in the language of the dialogue they concern, "
                "else in English. To choose one: {usage}, with one of {choices}.",
                usage=f"{call.prefix} my-language <code>",
                choices=choices(),
            )
        else:
            text = bot_text(
                current,
                "The bot writes to you in {language}. To change it: {usage}, with one of {choices}; {default} goes "
                "back to the dialogue's language.",
                language=language_name(current),
                usage=f"{call.prefix} my-language <code>",
                choices=choices(),
                default=f"{call.prefix} my-language default",
            )
        reply = Reply.plain(text)
    elif choice.code is None:
        await tx.language_preferences.clear(sender)
        reply = Reply.plain(
            bot_text(
                None,
                "Your language choice is forgotten: direct messages now come in the language of the dialogue they "
                "concern, else in English.",
            )
        )
    else:
        await tx.language_preferences.set(sender, choice.code, call.now)
        reply = Reply.plain(
            bot_text(
                choice.code,
                "From now on the bot writes to you in {language} in direct messages, and answers your commands there "
                "in it. {forget_me} also forgets this choice.",
                language=language_name(choice.code),
                forget_me=f"{call.prefix} forget-me confirm",
            )
            + _incomplete_note(choice.code)
        )
    if call.in_direct_chat:
        return reply
    # Sent in a room: the answer is personal, so it goes by direct message, and the room sees only a ✅.
    await queue_direct_message(tx, sender, reply, call.now)
    await queue_acknowledgement(tx, call.event, call.now)
    return None
