"""What a moderator's dialogue command may do to a challenge, and who gets its prompt: decided from plain values."""

from __future__ import annotations

import pytest

from handlers.dialogue_rules import (
    closing_refusal,
    is_own_contribution,
    may_edit_prompt,
    opening_refusal,
    prompt_recipients,
    removal_needs_force,
    scheduled_opening,
)
from storage.schedules import Schedule


def test_only_a_pending_challenge_can_be_opened() -> None:
    assert opening_refusal("pending") is None
    assert opening_refusal("open") == "Challenge {number} is already open."
    assert opening_refusal("closed") == "Challenge {number} is already closed."


def test_only_an_open_challenge_can_be_closed() -> None:
    assert closing_refusal("open") is None
    assert closing_refusal("pending") == "Challenge {number} is not open (it is pending)."
    assert closing_refusal("closed") == "Challenge {number} is not open (it is closed)."


@pytest.mark.parametrize(("state", "editable"), [("pending", True), ("open", False), ("closed", False)])
def test_a_prompt_can_change_only_before_the_challenge_opens(state: str, editable: bool) -> None:
    assert may_edit_prompt(state) is editable


@pytest.mark.parametrize(
    ("contributions", "force", "needed"), [(0, False, False), (3, False, True), (3, True, False), (0, True, False)]
)
def test_removing_a_challenge_with_contributions_takes_force(contributions: int, force: bool, needed: bool) -> None:
    assert removal_needs_force(contributions, force=force) is needed


def test_the_prompt_goes_by_direct_message_to_each_member_who_chose_another_language_in_order() -> None:
    chosen = {"@zoe:example.org": "es", "@amy:example.org": "fr", "@pat:example.org": "en"}
    assert prompt_recipients(chosen, room_language=None) == [("@amy:example.org", "fr"), ("@zoe:example.org", "es")]
    assert prompt_recipients(chosen, room_language="fr") == [("@pat:example.org", "en"), ("@zoe:example.org", "es")]


def test_a_contribution_is_ones_own_only_in_this_dialogue_and_under_ones_own_key() -> None:
    assert is_own_contribution(dialogue_id=1, member_key="k1", in_dialogue=1, of_member="k1")
    assert not is_own_contribution(dialogue_id=2, member_key="k1", in_dialogue=1, of_member="k1")
    assert not is_own_contribution(dialogue_id=1, member_key="k2", in_dialogue=1, of_member="k1")


def schedule(state: str) -> Schedule:
    return Schedule(
        challenge_id=1,
        dialogue_id=1,
        room_id="!r:example.org",
        number=1,
        opens_at=100.0,
        window_seconds=None,
        state=state,
    )


def test_the_agenda_shows_the_planned_opening_of_a_pending_challenge_only() -> None:
    planned = schedule("scheduled")
    assert scheduled_opening("pending", planned) is planned
    assert scheduled_opening("open", planned) is None
    assert scheduled_opening("pending", schedule("missed")) is None
    assert scheduled_opening("pending", None) is None
