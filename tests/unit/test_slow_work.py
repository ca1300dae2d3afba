"""Asking for slow work from a handler, and when a result done earlier still serves (handlers/slow_work.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from config import SynopsisSettings
from handlers.slow_work import (
    AttachmentError,
    CompileSynopsis,
    FetchAttachment,
    SlowWork,
    SlowWorkNeeded,
    local_runner,
)
from synopsis.model import ChallengeInput, ContributionInput, DialogueInput, Overrides, SynopsisInput

SETTINGS = SynopsisSettings()


def contribution(ref: str, text: str, supporters: frozenset[str] = frozenset()) -> ContributionInput:
    return ContributionInput(ref=ref, challenge_number=1, text=text, member_key=f"key-{ref}", supporter_keys=supporters)


NO_OVERRIDES = Overrides()


def material(*contributions: ContributionInput, overrides: Overrides = NO_OVERRIDES) -> SynopsisInput:
    return SynopsisInput(
        dialogue=DialogueInput(title="Norms", started_at=1_700_000_000.0, ended_at=None, session_count=1),
        challenges=(ChallengeInput(1, "Transfers", "What do transfers mean?"),),
        contributions=contributions,
        overrides=overrides,
    )


FIRST = contribution("C1", "Transfers must be challenged.")
SECOND = contribution("C2", "Survivors need sustained assistance.")
EARLIER = material(FIRST, SECOND)


def test_a_compile_serves_a_later_request_whose_material_only_gained_contributions():
    done = CompileSynopsis(EARLIER, SETTINGS, ("md",))
    grown = material(FIRST, SECOND, contribution("C3", "Clearance should come first."))
    assert CompileSynopsis(EARLIER, SETTINGS, ("md",)).satisfied_by(done)
    assert CompileSynopsis(grown, SETTINGS, ("md",)).satisfied_by(done)
    assert CompileSynopsis(grown, SETTINGS).satisfied_by(done)  # no document wanted, only the themes


@pytest.mark.parametrize(
    "later",
    [
        material(FIRST),  # withdrawn
        material(replace(FIRST, text="Transfers must be stopped."), SECOND),  # edited
        material(replace(FIRST, supporter_keys=frozenset({"key-x"})), SECOND),  # supported
        material(FIRST, SECOND, overrides=Overrides(excluded=frozenset({"C2"}))),  # a moderator's correction
        replace(EARLIER, categories={"key-C1": "civil society"}),  # the roster changed
    ],
    ids=["withdrawn", "edited", "supported", "corrected", "rostered"],
)
def test_a_compile_does_not_serve_once_anything_in_its_material_changed_or_went(later):
    done = CompileSynopsis(EARLIER, SETTINGS, ("md",))
    assert not CompileSynopsis(later, SETTINGS, ("md",)).satisfied_by(done)


def test_a_compile_does_not_serve_another_format_other_settings_or_a_download():
    done = CompileSynopsis(EARLIER, SETTINGS, ("md",))
    assert not CompileSynopsis(EARLIER, SETTINGS, ("docx",)).satisfied_by(done)
    assert not CompileSynopsis(EARLIER, SynopsisSettings(synonyms={"mine": ["APM"]}), ("md",)).satisfied_by(done)
    assert not FetchAttachment("!r", "$e").satisfied_by(done)
    assert not CompileSynopsis(EARLIER, SETTINGS).satisfied_by(FetchAttachment("!r", "$e"))


async def test_outside_the_transaction_a_handler_gets_a_request_then_the_result_once_it_is_done():
    async def files(room_id: str, event_id: str) -> bytes:
        return b"roster"

    work = SlowWork(local_runner(fetch_attachment=files), inline=False)
    with pytest.raises(SlowWorkNeeded) as needed:
        await work.fetch_attachment("!r", "$e")
    assert needed.value.request == FetchAttachment("!r", "$e")

    await work.perform(needed.value.request)
    assert await work.fetch_attachment("!r", "$e") == b"roster"
    with pytest.raises(SlowWorkNeeded):
        await work.fetch_attachment("!r", "$other")


async def test_a_file_that_cannot_be_had_is_raised_where_the_handler_asks_for_it():
    work = SlowWork(local_runner(), inline=False)
    await work.perform(FetchAttachment("!r", "$e"))
    with pytest.raises(AttachmentError, match="Files cannot be read here"):
        await work.fetch_attachment("!r", "$e")


async def test_inline_work_compiles_and_renders_at_once():
    compiled = await SlowWork().compile_synopsis(EARLIER, SETTINGS, ("md", "json"))
    assert [section.number for section in compiled.synopsis.sections] == [1]
    assert set(compiled.rendered) == {"md", "json"}
    assert b"Transfers must be challenged" in compiled.rendered["md"]
