"""Which language the bot writes a message in, and the two commands that choose it.

The rule, in one place:

- a message to one person by direct message: their own choice (`my-language`), else the language of the dialogue
  the message is about, else English;
- a message in a dialogue's room (or its back-room): the dialogue's language (`language`);
- a reply to a command: in a direct chat, the sender's own choice; in a room, the dialogue's language; in a room
  that has no dialogue yet (`start` refused, `backroom link` before the link), the sender's own choice, since no
  dialogue has chosen for the room.

None stands for English, the source language, everywhere: it is what a dialogue or a person has until they choose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogue.vocabulary import ChallengeState, UserId
from handlers.commands import UsageError
from i18n import COMPLETE_LANGUAGES, SOURCE_LANGUAGE, UN_LANGUAGES, bot_marked

if TYPE_CHECKING:
    from storage import Dialogue, Transaction

DEFAULT = "default"
STATE_NAMES = {
    ChallengeState.PENDING: bot_marked("pending"),
    ChallengeState.OPEN: bot_marked("open"),
    ChallengeState.CLOSED: bot_marked("closed"),
}
"""A challenge's state as shown to a reader (the stored values are English words)."""


def direct_message_language(preference: str | None, dialogue_language: str | None = None) -> str | None:
    """A direct message to one person: their choice, else the language of the dialogue it is about."""
    return preference or dialogue_language


def room_language(dialogue: Dialogue | None) -> str | None:
    """A message in a dialogue's room: the dialogue's language (English when there is no dialogue)."""
    return None if dialogue is None else dialogue.language


def reply_language(
    *, in_direct_chat: bool, preference: str | None, dialogue_language: str | None, has_dialogue: bool = True
) -> str | None:
    """A reply to a command: the sender's choice in a direct chat, the dialogue's language in a room, the sender's
    choice again in a room without a dialogue."""
    return preference if in_direct_chat or not has_dialogue else dialogue_language


async def language_for_person(tx: Transaction, user_id: UserId, dialogue: Dialogue | None = None) -> str | None:
    """The language of a direct message to `user_id` (about `dialogue`, if it is about one)."""
    return direct_message_language(await tx.language_preferences.get(user_id), room_language(dialogue))


def stored_code(code: str) -> str | None:
    """What is stored for a chosen code: None for English, the default."""
    return None if code == SOURCE_LANGUAGE else code


def parse_language_code(raw: str) -> str:
    """One of the six UN languages' ISO 639-1 codes, any case."""
    code = raw.strip().casefold()
    if code not in UN_LANGUAGES:
        raise UsageError()
    return code


def is_complete(code: str | None) -> bool:
    return (code or SOURCE_LANGUAGE) in COMPLETE_LANGUAGES


def language_name(code: str | None) -> str:
    """The language's name in itself (français, español …), as a reader of that language would look for it."""
    # Imported here, as i18n does: the CLI's quick commands load the handlers but never name a language.
    from babel import Locale

    return Locale.parse(code or SOURCE_LANGUAGE).get_display_name(code or SOURCE_LANGUAGE) or code or SOURCE_LANGUAGE


def choices() -> str:
    """`en (English), fr (français) …`: every code that may be chosen, with its name."""
    return ", ".join(f"{code} ({language_name(code)})" for code in UN_LANGUAGES)
