"""Where a participant's message is filed, and what they are told when it is not: decided without a database."""

from __future__ import annotations

import pytest

from handlers.contribution_rules import (
    FileUnder,
    NotRecorded,
    Replacement,
    Unclear,
    UseThreads,
    counts_as_support,
    direct_message_target,
    edit_applies,
    is_contribution_type,
    message_in_room,
    message_in_thread,
    replacement,
    threads_nudge_key,
)
from handlers.events import InboundEvent
from storage import Challenge


def challenge(number: int, state: str = "open", dialogue_id: int = 1) -> Challenge:
    return Challenge(
        id=100 * dialogue_id + number,
        dialogue_id=dialogue_id,
        number=number,
        title=f"Challenge {number}",
        prompt="?",
        state=state,
        prompt_txn_id=None,
        opened_at=None,
        closed_at=None,
    )


@pytest.mark.parametrize(
    ("msgtype", "counts"),
    [("m.text", True), ("m.notice", True), ("m.emote", True), (None, True), ("m.image", False), ("m.file", False)],
)
def test_only_text_counts_as_a_contribution(msgtype: str | None, counts: bool) -> None:
    assert is_contribution_type(msgtype) is counts


def test_a_reply_in_an_open_challenges_thread_is_filed_under_it() -> None:
    assert message_in_thread(challenge(2), dialogue_id=1) == FileUnder(challenge(2))


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("pending", "Challenge {number} is pending: this was not recorded."),
        ("closed", "Challenge {number} is closed: this was not recorded."),
        ("removed", "Challenge {number} is closed: this was not recorded."),  # any other state reads as closed
    ],
)
def test_a_reply_in_the_thread_of_a_challenge_not_open_is_answered_and_not_recorded(state: str, message: str) -> None:
    assert message_in_thread(challenge(3, state), dialogue_id=1) == NotRecorded(message, 3)


def test_a_reply_in_some_other_thread_is_none_of_the_bots_business() -> None:
    assert message_in_thread(None, dialogue_id=1) is None
    assert message_in_thread(challenge(1, dialogue_id=2), dialogue_id=1) is None  # an earlier dialogue's thread


def test_outside_threads_a_message_is_filed_under_the_one_open_challenge() -> None:
    assert message_in_room([challenge(4)]) == FileUnder(challenge(4))


def test_outside_threads_with_several_open_the_sender_is_asked_to_use_the_threads() -> None:
    assert message_in_room([challenge(1), challenge(3)]) == UseThreads((1, 3))


def test_outside_threads_with_none_open_nothing_happens() -> None:
    assert message_in_room([]) is None


def test_the_threads_nudge_is_given_once_per_dialogue_and_set_of_open_challenges() -> None:
    assert threads_nudge_key(7, (1, 3)) == "threads-nudge:7:1,3"
    assert threads_nudge_key(7, (1, 3)) != threads_nudge_key(7, (1, 2, 3))


def test_a_direct_message_goes_to_the_one_open_challenge_of_the_senders_dialogues() -> None:
    only = ("dialogue", challenge(2))
    assert direct_message_target([only], "my point") == only


def test_a_direct_message_names_its_challenge_with_a_leading_number() -> None:
    first, second = ("d", challenge(1)), ("d", challenge(2))
    assert direct_message_target([first, second], "#2: my point") == second
    assert direct_message_target([first, second], "  #1 - my point") == first


def test_a_direct_message_that_could_be_for_several_challenges_lists_them() -> None:
    first, second = ("d", challenge(1)), ("d", challenge(2))
    assert direct_message_target([first, second], "my point") == Unclear((first, second))


def test_a_direct_message_naming_no_open_challenge_has_no_choices() -> None:
    assert direct_message_target([("d", challenge(1))], "#0 my point") == Unclear(())
    assert direct_message_target([("d", challenge(1))], "#5 my point") == Unclear(())


def test_a_direct_message_naming_a_huge_number_names_no_challenge_and_does_not_fail() -> None:
    assert direct_message_target([("d", challenge(1))], "#" + "9" * 5000 + " my point") == Unclear(())


def edit(content: dict[str, object]) -> InboundEvent:
    return InboundEvent.from_source(
        {"event_id": "$edit", "sender": "@p:example.org", "type": "m.room.message", "content": content},
        "!r:example.org",
    )


def test_an_edit_names_the_message_it_replaces_and_its_new_content() -> None:
    new = {"msgtype": "m.text", "body": "better point"}
    event = edit(
        {"body": "* better point", "m.new_content": new, "m.relates_to": {"rel_type": "m.replace", "event_id": "$orig"}}
    )
    assert replacement(event) == Replacement("$orig", new)


@pytest.mark.parametrize(
    "content",
    [
        {"body": "* x", "m.relates_to": {"rel_type": "m.replace", "event_id": "$orig"}},  # no new content
        {"body": "* x", "m.new_content": "x", "m.relates_to": {"rel_type": "m.replace", "event_id": "$orig"}},
        {"body": "* x", "m.new_content": {"body": "x"}, "m.relates_to": {"rel_type": "m.replace", "event_id": 5}},
    ],
)
def test_a_broken_edit_replaces_nothing(content: dict[str, object]) -> None:
    assert replacement(edit(content)) is None


@pytest.mark.parametrize(("state", "applies"), [("open", True), ("closed", False), ("pending", False)])
def test_an_edit_changes_a_contribution_only_while_its_challenge_is_open(state: str, applies: bool) -> None:
    assert edit_applies(challenge(1, state)) is applies
    assert not edit_applies(None)


def test_support_is_someone_elses_thumbs_up() -> None:
    assert counts_as_support(supporter="k2", author="k1")
    assert not counts_as_support(supporter="k1", author="k1")
