"""Who may pull, word, adopt, end and purge which dialogue: one set of rules for the chat commands and the command line.

`decide` is pure: it answers from the requester and the dialogue's facts (gathered by `dialogue_facts`), either
`ALLOWED` or a `Refusal` whose reason says what to do instead. The reason names commands through a `CommandNamer`,
so the chat says `!dialogue end` and the command line `dialogue-bot end --dialogue 3` for the same rule.

The requester in chat is a room member with what the room and the secretariat make of them; on the command line it
is the operator, who holds the data directory (and so every dialogue): the rules about the dialogue's state apply to
both, the rules about people only to members.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Final

from dialogue.vocabulary import DialogueState
from handlers.commands import CommandRefused
from i18n import bot_marked, bot_text

if TYPE_CHECKING:
    from handlers.commands import CommandCall
    from storage import Dialogue, Transaction


class Action(Enum):
    PULL_DRAFT = "pull the draft synopsis"
    PULL_ADOPTED = "pull the adopted synopsis"
    ADOPT = "adopt"
    END = "end"
    PURGE = "purge"
    WORD_DRAFT = "word the draft"  # the secretariat's theme wording, lead paragraphs and written ways forward


# What the secretariat may do to any dialogue, naming it by number; a moderator only to their own room's.
_SECRETARIAT_ACTIONS: Final = frozenset({Action.PULL_DRAFT, Action.PULL_ADOPTED, Action.WORD_DRAFT})

PURGED_DRAFT = bot_marked("This dialogue was purged: only its adopted synopsis remains.")


@dataclass(frozen=True, slots=True)
class Member:
    """Someone in chat. `own_dialogue_id`: the dialogue of the room the command addresses (the room it was sent in,
    or a back-room's dialogue room); None in a direct message."""

    is_moderator: bool
    is_isu: bool
    own_dialogue_id: int | None


@dataclass(frozen=True, slots=True)
class Operator:
    """Whoever runs the command line: they hold the data directory, so no rule about people applies."""


Requester = Member | Operator


@dataclass(frozen=True, slots=True)
class DialogueFacts:
    """What the rules look at, read in one transaction."""

    id: int
    active: bool
    adopted: bool
    purged: bool
    room_lost: bool  # the bot is no longer in the dialogue's room (removed from it): nothing can be said there


@dataclass(frozen=True, slots=True)
class Allowed:
    pass


ALLOWED: Final = Allowed()


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why not, as a marked message and its values: the command line reads it in English (`reason`), the chat in
    the reply's language (`reason_in`). The commands it names are values, so they are never translated."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return bot_text(None, self.message, **self.values)

    def reason_in(self, language: str | None) -> str:
        return bot_text(language, self.message, **self.values)


Decision = Allowed | Refusal

CommandNamer = Callable[[str, int], str]
"""How to tell a person to run a command ("end", "adopt", "purge", "synopsis", "dialogues") on dialogue n."""


def chat_commands(prefix: str) -> CommandNamer:
    def name(command: str, dialogue_id: int) -> str:
        if command == "synopsis adopted":
            return f"{prefix} synopsis {dialogue_id} adopted"
        return f"{prefix} {command}"

    return name


def cli_commands(command: str, dialogue_id: int) -> str:
    if command == "dialogues":
        return "`dialogue-bot dialogues`"
    if command == "synopsis adopted":
        return f"`dialogue-bot synopsis --dialogue {dialogue_id} --adopted`"
    return f"`dialogue-bot {command} --dialogue {dialogue_id}`"


def pull_action(facts: DialogueFacts) -> Action:
    """What pulling "the synopsis" means: the draft, or once purged (no draft can be made any more) the adopted one."""
    return Action.PULL_ADOPTED if facts.purged else Action.PULL_DRAFT


def decide(requester: Requester, facts: DialogueFacts, action: Action, name: CommandNamer) -> Decision:
    """Whether `requester` may do `action` on the dialogue, or why not."""
    if isinstance(requester, Member):
        refused = _person_rule(requester, facts, action, name)
        if refused is not None:
            return refused
    return _state_rule(facts, action, name) or ALLOWED


def not_yours(dialogue_id: int, action: Action, name: CommandNamer, language: str | None = None) -> str:
    """The refusal for a dialogue the requester may not act on, worded as for one that does not exist: a number
    tried in vain must not tell whether there is such a dialogue."""
    return _not_yours(dialogue_id, action, name).reason_in(language)


NO_DIALOGUE_TO_PULL = bot_marked("No dialogue {number} that you may pull. {dialogues} lists them.")


def _not_yours(dialogue_id: int, action: Action, name: CommandNamer) -> Refusal:
    if action is Action.WORD_DRAFT:
        message = bot_marked("No dialogue {number} whose draft you may word. {dialogues} lists them.")
    else:
        message = NO_DIALOGUE_TO_PULL
    return Refusal(message, {"number": dialogue_id, "dialogues": name("dialogues", dialogue_id)})


_ONLY_MODERATORS: Final = {
    Action.ADOPT: bot_marked("Only the room's moderators may adopt the dialogue."),
    Action.END: bot_marked("Only the room's moderators may end the dialogue."),
    Action.PURGE: bot_marked("Only the room's moderators may purge the dialogue."),
}


def _person_rule(member: Member, facts: DialogueFacts, action: Action, name: CommandNamer) -> Refusal | None:
    own = member.own_dialogue_id == facts.id
    if action in _SECRETARIAT_ACTIONS:
        # Any dialogue, by number, is for the secretariat only: a moderator's power is over their own room.
        if member.is_isu or (own and member.is_moderator):
            return None
        return _not_yours(facts.id, action, name)
    # Adopting, ending and purging act on a room's own dialogue, by its moderators.
    number = {"number": facts.id}
    if not own:
        return Refusal(
            bot_marked("Dialogue {number} is not this room's: its own moderators decide on it there."), number
        )
    if not member.is_moderator:
        return Refusal(_ONLY_MODERATORS[action])
    if facts.room_lost:
        return Refusal(
            bot_marked(
                "The bot was removed from dialogue {number}'s room: its operator does this from the command line."
            ),
            number,
        )
    return None


def _state_rule(facts: DialogueFacts, action: Action, name: CommandNamer) -> Refusal | None:
    number = {"number": facts.id}
    match action:
        case Action.PULL_DRAFT if facts.purged:
            if facts.adopted:
                return Refusal(
                    bot_marked(
                        "Dialogue {number} was purged: no draft can be made, only its adopted synopsis remains "
                        "({command})."
                    ),
                    {**number, "command": name("synopsis adopted", facts.id)},
                )
            return Refusal(bot_marked("Dialogue {number} was purged: nothing of it remains to pull."), number)
        case Action.PULL_ADOPTED if not facts.adopted:
            return Refusal(
                bot_marked("Dialogue {number} has no adopted synopsis yet ({command} stores one)."),
                {**number, "command": name("adopt", facts.id)},
            )
        case Action.ADOPT if facts.purged:
            return Refusal(
                bot_marked("Dialogue {number} was purged: its adopted synopsis stays as it was adopted."), number
            )
        case Action.WORD_DRAFT if facts.purged:
            return Refusal(PURGED_DRAFT)
        case Action.END if not facts.active:
            return Refusal(bot_marked("Dialogue {number} has ended already."), number)
        case Action.PURGE if facts.purged:
            return Refusal(bot_marked("Dialogue {number} is already purged."), number)
        case Action.PURGE if facts.active:
            return Refusal(
                bot_marked("End dialogue {number} first ({command})."), {**number, "command": name("end", facts.id)}
            )
        case Action.PURGE if not facts.adopted:
            return Refusal(
                bot_marked("Adopt a synopsis of dialogue {number} first ({command}): purging keeps only that."),
                {**number, "command": name("adopt", facts.id)},
            )
    return None


async def dialogue_facts(tx: Transaction, dialogue: Dialogue) -> DialogueFacts:
    return DialogueFacts(
        id=dialogue.id,
        active=dialogue.state == DialogueState.ACTIVE,
        adopted=await tx.synopses.adopted(dialogue.id) is not None,
        purged=await tx.synopses.purged_at(dialogue.id) is not None,
        room_lost=await tx.rooms.joined_at(dialogue.room_id) is None,
    )


async def require_in_chat(call: CommandCall, tx: Transaction, facts: DialogueFacts, action: Action) -> None:
    """Raise the refusal, as the chat answers it, unless the command's sender may do `action`."""
    own = await tx.dialogues.latest_in_room(call.dialogue_room)
    member = Member(call.sender_is_moderator, call.sender_is_isu, None if own is None else own.id)
    decision = decide(member, facts, action, chat_commands(call.prefix))
    if isinstance(decision, Refusal):
        raise CommandRefused(decision.reason_in(call.language))
