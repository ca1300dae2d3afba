"""Who may pull, word, adopt, end and purge which dialogue: one set of rules for the chat commands and the command line.

`decide` is pure: it answers from the requester and the dialogue's facts (gathered by `dialogue_facts`), either
`ALLOWED` or a `Refusal` whose reason says what to do instead. The reason names commands through a `CommandNamer`,
so the chat says `!dialogue end` and the command line `dialogue-bot end --dialogue 3` for the same rule.

The requester in chat is a room member with what the room and the secretariat make of them; on the command line it
is the operator, who holds the data directory (and so every dialogue): the rules about the dialogue's state apply to
both, the rules about people only to members.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Final

from handlers.commands import CommandRefused

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

PURGED_DRAFT = "This dialogue was purged: only its adopted synopsis remains."


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
    reason: str


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


def not_yours(dialogue_id: int, action: Action, name: CommandNamer) -> str:
    """The refusal for a dialogue the requester may not act on, worded as for one that does not exist: a number
    tried in vain must not tell whether there is such a dialogue."""
    may = "whose draft you may word" if action is Action.WORD_DRAFT else "that you may pull"
    return f"No dialogue {dialogue_id} {may}. {name('dialogues', dialogue_id)} lists them."


def _person_rule(member: Member, facts: DialogueFacts, action: Action, name: CommandNamer) -> Refusal | None:
    own = member.own_dialogue_id == facts.id
    if action in _SECRETARIAT_ACTIONS:
        # Any dialogue, by number, is for the secretariat only: a moderator's power is over their own room.
        if member.is_isu or (own and member.is_moderator):
            return None
        return Refusal(not_yours(facts.id, action, name))
    # Adopting, ending and purging act on a room's own dialogue, by its moderators.
    if not own:
        return Refusal(f"Dialogue {facts.id} is not this room's: its own moderators decide on it there.")
    if not member.is_moderator:
        return Refusal(f"Only the room's moderators may {action.value} the dialogue.")
    if facts.room_lost:
        return Refusal(
            f"The bot was removed from dialogue {facts.id}'s room: its operator does this from the command line."
        )
    return None


def _state_rule(facts: DialogueFacts, action: Action, name: CommandNamer) -> Refusal | None:
    match action:
        case Action.PULL_DRAFT if facts.purged:
            if facts.adopted:
                return Refusal(
                    f"Dialogue {facts.id} was purged: no draft can be made, only its adopted synopsis remains "
                    f"({name('synopsis adopted', facts.id)})."
                )
            return Refusal(f"Dialogue {facts.id} was purged: nothing of it remains to pull.")
        case Action.PULL_ADOPTED if not facts.adopted:
            return Refusal(f"Dialogue {facts.id} has no adopted synopsis yet ({name('adopt', facts.id)} stores one).")
        case Action.ADOPT if facts.purged:
            return Refusal(f"Dialogue {facts.id} was purged: its adopted synopsis stays as it was adopted.")
        case Action.WORD_DRAFT if facts.purged:
            return Refusal(PURGED_DRAFT)
        case Action.END if not facts.active:
            return Refusal(f"Dialogue {facts.id} has ended already.")
        case Action.PURGE if facts.purged:
            return Refusal(f"Dialogue {facts.id} is already purged.")
        case Action.PURGE if facts.active:
            return Refusal(f"End dialogue {facts.id} first ({name('end', facts.id)}).")
        case Action.PURGE if not facts.adopted:
            return Refusal(
                f"Adopt a synopsis of dialogue {facts.id} first ({name('adopt', facts.id)}): purging keeps only that."
            )
    return None


async def dialogue_facts(tx: Transaction, dialogue: Dialogue) -> DialogueFacts:
    return DialogueFacts(
        id=dialogue.id,
        active=dialogue.state == "active",
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
        raise CommandRefused(decision.reason)
