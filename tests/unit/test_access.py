"""Who may pull, word, adopt, end and purge which dialogue (handlers/access.py), action by state by requester."""

from __future__ import annotations

import pytest

from handlers.access import (
    ALLOWED,
    Action,
    DialogueFacts,
    Member,
    Operator,
    Refusal,
    Requester,
    chat_commands,
    cli_commands,
    decide,
    pull_action,
)

DIALOGUE = 3
STATES = {
    "active": DialogueFacts(DIALOGUE, active=True, adopted=False, purged=False, room_lost=False),
    "ended": DialogueFacts(DIALOGUE, active=False, adopted=False, purged=False, room_lost=False),
    "adopted": DialogueFacts(DIALOGUE, active=False, adopted=True, purged=False, room_lost=False),
    "purged": DialogueFacts(DIALOGUE, active=False, adopted=True, purged=True, room_lost=False),
    "room lost": DialogueFacts(DIALOGUE, active=False, adopted=False, purged=False, room_lost=True),
}
REQUESTERS: dict[str, Requester] = {
    "operator": Operator(),
    "moderator of its room": Member(is_moderator=True, is_isu=False, own_dialogue_id=DIALOGUE),
    "secretariat in a DM": Member(is_moderator=False, is_isu=True, own_dialogue_id=None),
    "member of its room": Member(is_moderator=False, is_isu=False, own_dialogue_id=DIALOGUE),
    "moderator elsewhere": Member(is_moderator=True, is_isu=False, own_dialogue_id=DIALOGUE + 1),
}
# For each requester and action: allowed (y) or refused (n) in the states active, ended, adopted, purged, room lost.
TABLE = {
    "operator": {
        Action.PULL_DRAFT: "yyyny",
        Action.PULL_ADOPTED: "nnyyn",
        Action.ADOPT: "yyyny",
        Action.END: "ynnnn",
        Action.PURGE: "nnynn",
        Action.WORD_DRAFT: "yyyny",
    },
    "moderator of its room": {
        Action.PULL_DRAFT: "yyyny",
        Action.PULL_ADOPTED: "nnyyn",
        Action.ADOPT: "yyynn",  # a room the bot was removed from: the command line does it
        Action.END: "ynnnn",
        Action.PURGE: "nnynn",
        Action.WORD_DRAFT: "yyyny",
    },
    "secretariat in a DM": {
        Action.PULL_DRAFT: "yyyny",
        Action.PULL_ADOPTED: "nnyyn",
        Action.ADOPT: "nnnnn",
        Action.END: "nnnnn",
        Action.PURGE: "nnnnn",
        Action.WORD_DRAFT: "yyyny",
    },
    "member of its room": {action: "nnnnn" for action in Action},
    "moderator elsewhere": {action: "nnnnn" for action in Action},
}
CASES = [
    pytest.param(who, action, state, allowed == "y", id=f"{who}-{action.name}-{state}")
    for who, row in TABLE.items()
    for action, answers in row.items()
    for state, allowed in zip(STATES, answers, strict=True)
]


def test_the_table_covers_every_requester_action_and_state() -> None:
    assert len(CASES) == len(REQUESTERS) * len(Action) * len(STATES)


@pytest.mark.parametrize(("who", "action", "state", "allowed"), CASES)
def test_the_rules(who: str, action: Action, state: str, allowed: bool) -> None:
    decision = decide(REQUESTERS[who], STATES[state], action, cli_commands)
    if allowed:
        assert decision is ALLOWED
    else:
        assert isinstance(decision, Refusal) and decision.reason.strip()


def reason(requester: Requester, state: str, action: Action, name=cli_commands) -> str:
    decision = decide(requester, STATES[state], action, name)
    assert isinstance(decision, Refusal)
    return decision.reason


def test_refusals_say_what_to_do_instead_in_the_terms_of_where_they_were_asked() -> None:
    operator, moderator = REQUESTERS["operator"], REQUESTERS["moderator of its room"]
    assert reason(operator, "active", Action.PURGE) == "End dialogue 3 first (`dialogue-bot end --dialogue 3`)."
    assert reason(moderator, "active", Action.PURGE, chat_commands("!dialogue")) == (
        "End dialogue 3 first (!dialogue end)."
    )
    assert "`dialogue-bot adopt --dialogue 3`" in reason(operator, "ended", Action.PURGE)
    assert "`dialogue-bot synopsis --dialogue 3 --adopted`" in reason(operator, "purged", Action.PULL_DRAFT)
    assert "!dialogue synopsis 3 adopted" in reason(moderator, "purged", Action.PULL_DRAFT, chat_commands("!dialogue"))
    assert reason(operator, "purged", Action.PURGE) == "Dialogue 3 is already purged."
    assert reason(operator, "ended", Action.END) == "Dialogue 3 has ended already."
    assert "command line" in reason(moderator, "room lost", Action.ADOPT)
    assert "!dialogue dialogues lists them" in reason(
        REQUESTERS["moderator elsewhere"], "active", Action.PULL_DRAFT, chat_commands("!dialogue")
    )
    assert reason(REQUESTERS["moderator elsewhere"], "active", Action.WORD_DRAFT, chat_commands("!dialogue")) == (
        "No dialogue 3 whose draft you may word. !dialogue dialogues lists them."
    )
    assert reason(REQUESTERS["secretariat in a DM"], "purged", Action.WORD_DRAFT) == (
        "This dialogue was purged: only its adopted synopsis remains."
    )


def test_pulling_means_the_draft_until_the_purge_and_the_adopted_synopsis_after() -> None:
    assert [pull_action(STATES[state]) for state in STATES] == [
        Action.PULL_DRAFT,
        Action.PULL_DRAFT,
        Action.PULL_DRAFT,
        Action.PULL_ADOPTED,
        Action.PULL_DRAFT,
    ]
