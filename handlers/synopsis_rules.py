"""Which themes a correction of the draft acts on, which file is pulled and which dialogues a sender may list: the
decisions of handlers/synopsis_commands.py, kept apart from storage and compiling so each is tested with plain values.

A correction is stored by contribution reference, never by theme number: a theme stands for its first contribution,
so the correction holds when the draft is compiled again and the themes are numbered anew."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage import Dialogue
    from synopsis.model import ChallengeSection


from dialogue.vocabulary import RoomId


def correction_target(section: ChallengeSection, theme_number: int) -> str | None:
    """The reference theme `theme_number` of `section` is stored as; None when the section has no such theme."""
    theme = next((item for item in section.themes if item.number == theme_number), None)
    return theme.refs[0] if theme is not None else None


def merged_refs(section: ChallengeSection, first: int, second: int) -> tuple[str, str] | None:
    """The references a `join` of themes `first` and `second` is stored as; None unless the section has both."""
    first_ref, second_ref = correction_target(section, first), correction_target(section, second)
    if first_ref is None or second_ref is None:
        return None
    return first_ref, second_ref


def adopted_file_name(dialogue_id: int, fmt: str) -> str:
    return f"synopsis-adopted-{dialogue_id}.{fmt}"


def pullable_dialogues(dialogues: Sequence[Dialogue], *, sender_is_isu: bool, room_id: RoomId) -> list[Dialogue]:
    """The secretariat (ISU) may pull any dialogue's synopsis; anyone else only those held in `room_id`."""
    return [dialogue for dialogue in dialogues if sender_is_isu or dialogue.room_id == room_id]
