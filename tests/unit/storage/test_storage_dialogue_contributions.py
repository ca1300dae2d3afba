"""Contributions: refs, lookup by event or ref, out-of-order edits, deletion, counts, support and tombstones."""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from privacy import matrix_id_reference
from storage import Contribution, Database, RowNotFoundError, StorageError, Tombstone
from storage import contributions as contributions_module
from storage.contributions import REF_ALPHABET
from storage.migrations import MIGRATIONS
from tests.support.contribution_rows import ROOM, add_contribution

SECRET = b"secret" * 4


@dataclass(frozen=True)
class Setup:
    dialogue_id: int
    challenge_id: int
    other_challenge_id: int


@pytest.fixture
async def setup(db: Database) -> Setup:
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create(ROOM, "D", SECRET, 1.0)
        first = await tx.challenges.add(dialogue.id, "A", "a?")
        second = await tx.challenges.add(dialogue.id, "B", "b?")
    return Setup(dialogue.id, first.id, second.id)


_event_numbers = itertools.count()


async def contribute(
    db: Database,
    setup: Setup,
    member_key: str = "k1",
    *,
    text: str = "an idea",
    challenge_id: int | None = None,
    event_id: str | None = None,
    origin_ts: int = 1_000,
) -> Contribution:
    async with db.transaction() as tx:
        return await add_contribution(
            tx,
            setup.dialogue_id,
            setup.challenge_id if challenge_id is None else challenge_id,
            event_id or f"$e{next(_event_numbers)}",
            member_key=member_key,
            text=text,
            origin_ts=origin_ts,
            now=50.0,
        )


async def test_add_stores_every_field_and_a_fresh_ref(db: Database, setup: Setup) -> None:
    async with db.transaction() as tx:
        added = await tx.contributions.add(
            dialogue_id=setup.dialogue_id,
            challenge_id=setup.challenge_id,
            member_key="k1",
            text="scrubbed text",
            channel="dm",
            event_id="$orig",
            room_id="!dm:example.org",
            origin_ts=1_700_000_000_000,
            now=42.0,
        )
        assert await tx.contributions.get(added.id) == added
    assert (added.dialogue_id, added.challenge_id, added.member_key, added.text, added.channel) == (
        setup.dialogue_id,
        setup.challenge_id,
        "k1",
        "scrubbed text",
        "dm",
    )
    assert (added.event_ref, added.room_ref, added.created_at, added.origin_ts, added.edited_ts) == (
        matrix_id_reference(SECRET, "event", "$orig"),
        matrix_id_reference(SECRET, "room", "!dm:example.org"),
        42.0,
        1_700_000_000_000,
        None,
    )


async def test_refs_are_four_characters_from_the_unambiguous_alphabet_and_unique(db: Database, setup: Setup) -> None:
    refs = [(await contribute(db, setup)).ref for _ in range(200)]
    assert len(set(refs)) == len(refs)
    assert all(len(ref) == 4 and set(ref) <= set(REF_ALPHABET) for ref in refs)
    assert not set("01IOL") & set(REF_ALPHABET)


async def test_a_colliding_ref_is_replaced_by_an_unused_one(
    db: Database, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await contribute(db, setup)
    candidates = iter([first.ref, first.ref, "ZZZZ"])
    monkeypatch.setattr(contributions_module, "_random_ref", lambda length: next(candidates))
    assert (await contribute(db, setup)).ref == "ZZZZ"


async def test_refs_grow_longer_when_short_ones_keep_colliding(
    db: Database, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contributions_module, "_random_ref", lambda length: "A" * length)
    assert (await contribute(db, setup)).ref == "AAAA"
    assert (await contribute(db, setup)).ref == "AAAAA"


async def test_add_gives_up_when_no_unused_ref_can_be_found(
    db: Database, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    await contribute(db, setup)
    taken = (await contribute(db, setup)).ref
    monkeypatch.setattr(contributions_module, "_random_ref", lambda length: taken)
    with pytest.raises(StorageError, match="unused contribution ref"):
        await contribute(db, setup)


async def test_add_refuses_a_challenge_of_another_dialogue(db: Database, setup: Setup) -> None:
    async with db.transaction() as tx:
        other = await tx.dialogues.create("!other:example.org", "D2", b"s" * 16, 1.0)
    with pytest.raises(RowNotFoundError):
        async with db.transaction() as tx:
            await add_contribution(tx, other.id, setup.challenge_id, "$x")


async def test_the_same_event_cannot_become_two_contributions(db: Database, setup: Setup) -> None:
    await contribute(db, setup, event_id="$dup")
    with pytest.raises(StorageError):
        await contribute(db, setup, event_id="$dup")


async def test_by_event_finds_a_contribution_by_its_original_event(db: Database, setup: Setup) -> None:
    added = await contribute(db, setup, event_id="$orig")
    async with db.transaction() as tx:
        assert await tx.contributions.by_event("$orig") == added
        assert await tx.contributions.by_event("$unknown") is None


async def test_by_event_finds_a_contribution_by_an_applied_edit(db: Database, setup: Setup) -> None:
    added = await contribute(db, setup, event_id="$orig")
    async with db.transaction() as tx:
        await tx.contributions.apply_edit(added.id, "$edit", "better idea", edit_ts=2_000)
        found = await tx.contributions.by_event("$edit")
    assert found is not None and (found.id, found.text, found.edited_ts) == (added.id, "better idea", 2_000)


async def test_by_ref_ignores_case_and_is_scoped_to_the_dialogue(db: Database, setup: Setup) -> None:
    added = await contribute(db, setup)
    async with db.transaction() as tx:
        assert await tx.contributions.by_ref(setup.dialogue_id, added.ref.lower()) == added
        assert await tx.contributions.by_ref(setup.dialogue_id, f" {added.ref} ") == added
        assert await tx.contributions.by_ref(setup.dialogue_id + 1, added.ref) is None


async def test_apply_edit_reports_whether_the_text_changed(db: Database, setup: Setup) -> None:
    added = await contribute(db, setup, text="same")
    async with db.transaction() as tx:
        assert await tx.contributions.apply_edit(added.id, "$e1", "same", edit_ts=2_000) is False
        assert await tx.contributions.apply_edit(added.id, "$e2", "different", edit_ts=3_000) is True


async def test_apply_edit_ignores_an_older_edit_but_records_its_event(db: Database, setup: Setup) -> None:
    added = await contribute(db, setup)
    async with db.transaction() as tx:
        await tx.contributions.apply_edit(added.id, "$newer", "newest text", edit_ts=3_000)
        assert await tx.contributions.apply_edit(added.id, "$older", "stale text", edit_ts=2_000) is False
        current = await tx.contributions.get(added.id)
        via_older = await tx.contributions.by_event("$older")
    assert current is not None and (current.text, current.edited_ts) == ("newest text", 3_000)
    assert via_older is not None and via_older.id == added.id


async def test_apply_edit_on_an_unknown_contribution_raises(db: Database, setup: Setup) -> None:
    with pytest.raises(RowNotFoundError):
        async with db.transaction() as tx:
            await tx.contributions.apply_edit(999, "$e", "t", edit_ts=1)


async def test_delete_removes_the_contribution_and_its_event_records(db: Database, setup: Setup) -> None:
    added = await contribute(db, setup, event_id="$orig")
    async with db.transaction() as tx:
        await tx.contributions.apply_edit(added.id, "$edit", "t2", edit_ts=2_000)
        await tx.contributions.delete(added.id)
        assert await tx.contributions.by_event("$orig") is None
        assert await tx.contributions.by_event("$edit") is None
        assert await tx.contributions.get(added.id) is None


async def test_deleting_an_unknown_contribution_raises(db: Database, setup: Setup) -> None:
    with pytest.raises(RowNotFoundError):
        async with db.transaction() as tx:
            await tx.contributions.delete(999)


async def test_delete_by_member_removes_only_that_members_contributions_in_that_dialogue(
    db: Database, setup: Setup
) -> None:
    await contribute(db, setup, "leaver")
    await contribute(db, setup, "leaver", challenge_id=setup.other_challenge_id)
    stayer = await contribute(db, setup, "stayer")
    async with db.transaction() as tx:
        assert await tx.contributions.delete_by_member(setup.dialogue_id, "leaver") == 2
        assert await tx.contributions.for_dialogue(setup.dialogue_id) == [stayer]
        assert await tx.contributions.delete_by_member(setup.dialogue_id, "leaver") == 0


async def test_for_challenge_orders_by_origin_time_then_id(db: Database, setup: Setup) -> None:
    late = await contribute(db, setup, origin_ts=3_000)
    early = await contribute(db, setup, origin_ts=1_000)
    tie = await contribute(db, setup, origin_ts=3_000)
    await contribute(db, setup, challenge_id=setup.other_challenge_id, origin_ts=2_000)
    async with db.transaction() as tx:
        assert [c.id for c in await tx.contributions.for_challenge(setup.challenge_id)] == [early.id, late.id, tie.id]


async def test_for_dialogue_returns_contributions_across_challenges(db: Database, setup: Setup) -> None:
    a = await contribute(db, setup, origin_ts=2_000)
    b = await contribute(db, setup, challenge_id=setup.other_challenge_id, origin_ts=1_000)
    async with db.transaction() as tx:
        assert [c.id for c in await tx.contributions.for_dialogue(setup.dialogue_id)] == [b.id, a.id]


async def test_counts_distinguish_contributions_from_distinct_members(db: Database, setup: Setup) -> None:
    for member in ("k1", "k1", "k2"):
        await contribute(db, setup, member)
    await contribute(db, setup, "k3", challenge_id=setup.other_challenge_id)
    async with db.transaction() as tx:
        assert await tx.contributions.count_for_challenge(setup.challenge_id) == 3
        assert await tx.contributions.distinct_members_for_challenge(setup.challenge_id) == 2


async def test_distinct_supporters_counts_each_member_once(db: Database, setup: Setup) -> None:
    added = await contribute(db, setup)
    async with db.transaction() as tx:
        await tx.contributions.add_support(added.id, "s1", "$r1")
        await tx.contributions.add_support(added.id, "s1", "$r2")  # a second emoji by the same member
        await tx.contributions.add_support(added.id, "s2", "$r3")
        assert await tx.contributions.distinct_supporters(added.id) == 2


async def test_adding_the_same_reaction_twice_is_harmless(db: Database, setup: Setup) -> None:
    added = await contribute(db, setup)
    async with db.transaction() as tx:
        await tx.contributions.add_support(added.id, "s1", "$r1")
        await tx.contributions.add_support(added.id, "s1", "$r1")
        assert await tx.contributions.distinct_supporters(added.id) == 1
        assert await tx.contributions.remove_support_by_reaction("$r1") is True
        assert await tx.contributions.distinct_supporters(added.id) == 0


async def test_support_is_removed_by_its_reaction_event(db: Database, setup: Setup) -> None:
    added = await contribute(db, setup)
    async with db.transaction() as tx:
        await tx.contributions.add_support(added.id, "s1", "$r1")
        await tx.contributions.add_support(added.id, "s2", "$r2")
        assert await tx.contributions.remove_support_by_reaction("$r1") is True
        assert await tx.contributions.remove_support_by_reaction("$r1") is False
        assert await tx.contributions.remove_support_by_reaction("$never") is False
        assert await tx.contributions.distinct_supporters(added.id) == 1


async def test_remove_support_by_member_forgets_only_that_members_support_in_that_dialogue(
    db: Database, setup: Setup
) -> None:
    here = await contribute(db, setup, "author")
    async with db.transaction() as tx:
        other_dialogue = await tx.dialogues.create("!other:example.org", "D2", b"s" * 16, 1.0)
        other_challenge = await tx.challenges.add(other_dialogue.id, "X", "x?")
    elsewhere = await contribute(
        db, Setup(other_dialogue.id, other_challenge.id, other_challenge.id), "author", challenge_id=other_challenge.id
    )
    async with db.transaction() as tx:
        await tx.contributions.add_support(here.id, "leaver", "$r1")
        await tx.contributions.add_support(here.id, "leaver", "$r2")
        await tx.contributions.add_support(here.id, "stayer", "$r3")
        await tx.contributions.add_support(elsewhere.id, "leaver", "$r4")
        assert await tx.contributions.remove_support_by_member(setup.dialogue_id, "leaver") == 2
        assert await tx.contributions.distinct_supporters(here.id) == 1
        assert await tx.contributions.distinct_supporters(elsewhere.id) == 1


async def test_deleting_a_contribution_removes_its_support(db: Database, setup: Setup) -> None:
    added = await contribute(db, setup)
    async with db.transaction() as tx:
        await tx.contributions.add_support(added.id, "s1", "$r1")
        await tx.contributions.delete(added.id)
        assert await tx.contributions.remove_support_by_reaction("$r1") is False


async def test_each_redactors_tombstone_is_kept_apart_and_the_same_one_twice_is_one(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.contributions.tombstones_for("$early") == []
        await tx.contributions.tombstone("$early", 1.0, room_id=ROOM, redactor_key="stranger", by_moderator=False)
        await tx.contributions.tombstone("$early", 2.0, room_id=ROOM, redactor_key="author", by_moderator=False)
        await tx.contributions.tombstone("$early", 3.0, room_id=ROOM, redactor_key="author", by_moderator=False)
        tombstones = await tx.contributions.tombstones_for("$early")
        assert sorted(t.redactor_key or "" for t in tombstones) == ["author", "stranger"]
        assert all(t.room_id == ROOM and not t.by_moderator for t in tombstones)
        assert await tx.contributions.tombstones_for("$other") == []


async def test_the_support_a_reaction_gave_is_found_by_the_reactions_event_id(db: Database, setup: Setup) -> None:
    added = await contribute(db, setup)
    async with db.transaction() as tx:
        await tx.contributions.add_support(added.id, "s1", "$r1")
        support = await tx.contributions.support_by_reaction("$r1")
        assert support is not None and (support.contribution_id, support.member_key) == (added.id, "s1")
        assert await tx.contributions.support_by_reaction("$r2") is None


async def test_a_tombstone_from_before_redactors_were_recorded_survives_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    step = next(m.version for m in MIGRATIONS if m.description.startswith("tombstones record"))
    old = await Database.open(path, migrations=MIGRATIONS[: step - 1])
    await old.close()
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO tombstones (event_id, created_at) VALUES ('$legacy', unixepoch())")

    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            assert await tx.contributions.tombstones_for("$legacy") == [
                Tombstone(room_id=None, redactor_key=None, by_moderator=False)
            ]
    finally:
        await db.close()


async def test_whether_scrubbing_changed_a_contribution_is_stored_and_follows_its_edits(
    db: Database, setup: Setup
) -> None:
    async with db.transaction() as tx:
        added = await add_contribution(
            tx,
            setup.dialogue_id,
            setup.challenge_id,
            "$scrubbed",
            text="[affiliation] agrees",
            origin_ts=1_000,
            now=50.0,
            scrubbed=True,
        )
    assert added.scrubbed is True
    assert (await contribute(db, setup)).scrubbed is False
    async with db.transaction() as tx:
        await tx.contributions.apply_edit(added.id, "$scrubbed-edit", "all agree", edit_ts=2_000, scrubbed=False)
        edited = await tx.contributions.by_event("$scrubbed")
    assert edited is not None and edited.scrubbed is False
