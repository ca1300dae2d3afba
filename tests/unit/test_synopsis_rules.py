"""Which themes a correction acts on, which file is pulled and which dialogues are listed: decided from plain values."""

from __future__ import annotations

from handlers.synopsis_rules import (
    adopted_file_name,
    correction_target,
    merged_refs,
    pullable_dialogues,
)
from storage import Dialogue
from synopsis.model import ChallengeSection, Theme


def theme(number: int, *refs: str) -> Theme:
    return Theme(
        number=number,
        label="",
        statement="",
        refs=refs,
        contribution_band=None,
        support_band=None,
        category_phrase=None,
    )


SECTION = ChallengeSection(
    number=2,
    title="Victim assistance",
    prompt="?",
    themes=(theme(1, "AB", "CD"), theme(2, "EF"), theme(3, "GH", "JK")),
    other_points=(),
    participation_band=None,
)


def test_merging_two_themes_joins_their_first_contributions() -> None:
    assert merged_refs(SECTION, 3, 1) == ("GH", "AB")


def test_merging_a_theme_the_section_does_not_have_is_refused() -> None:
    assert merged_refs(SECTION, 1, 4) is None
    assert merged_refs(SECTION, 0, 2) is None


def test_a_contribution_moves_to_a_theme_by_that_themes_first_contribution() -> None:
    assert correction_target(SECTION, 3) == "GH"
    assert correction_target(SECTION, 9) is None


def test_the_adopted_synopsis_is_pulled_under_its_dialogues_number() -> None:
    assert adopted_file_name(7, "docx") == "synopsis-adopted-7.docx"


def dialogue(number: int, room_id: str) -> Dialogue:
    return Dialogue(
        id=number,
        room_id=room_id,
        title=f"D{number}",
        state="active",
        secret=b"",
        timezone=None,
        created_at=0.0,
        ended_at=None,
    )


def test_the_secretariat_may_pull_every_dialogue_a_moderator_only_the_rooms() -> None:
    dialogues = [dialogue(1, "!a:x"), dialogue(2, "!b:x"), dialogue(3, "!a:x")]
    assert pullable_dialogues(dialogues, sender_is_isu=True, room_id="!a:x") == dialogues
    assert [item.id for item in pullable_dialogues(dialogues, sender_is_isu=False, room_id="!a:x")] == [1, 3]
