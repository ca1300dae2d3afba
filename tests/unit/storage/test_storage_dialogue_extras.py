"""The roster, "only once" markers and pending confirmations."""

from __future__ import annotations

import pytest

from storage import Database

ROOM = "!room:example.org"


@pytest.fixture
async def dialogue_id(db: Database) -> int:
    async with db.transaction() as tx:
        return (await tx.dialogues.create(ROOM, "D", b"secret" * 4, 1.0)).id


# --- roster --------------------------------------------------------------------------------------------


async def test_roster_set_replaces_a_members_affiliation_and_category(db: Database, dialogue_id: int) -> None:
    async with db.transaction() as tx:
        await tx.roster.set(dialogue_id, "k1", "Utility", "industry")
        await tx.roster.set(dialogue_id, "k1", "City council", None)
        assert await tx.roster.affiliations(dialogue_id) == ["City council"]
        assert await tx.roster.category_of(dialogue_id, "k1") is None
        assert await tx.roster.count(dialogue_id) == 1


async def test_affiliations_are_distinct_and_sorted(db: Database, dialogue_id: int) -> None:
    async with db.transaction() as tx:
        await tx.roster.set(dialogue_id, "k1", "Utility", None)
        await tx.roster.set(dialogue_id, "k2", "Farmers' union", None)
        await tx.roster.set(dialogue_id, "k3", "Utility", None)
        assert await tx.roster.affiliations(dialogue_id) == ["Farmers' union", "Utility"]


async def test_aliases_are_scrub_terms_but_not_affiliations(db: Database, dialogue_id: int) -> None:
    async with db.transaction() as tx:
        await tx.roster.set(dialogue_id, "k1", "Republic of Tarvania", None, aliases=("Tarvania", "RT"))
        await tx.roster.set(dialogue_id, "k2", "Utility", None)
        assert await tx.roster.affiliations(dialogue_id) == ["Republic of Tarvania", "Utility"]
        assert await tx.roster.scrub_terms(dialogue_id) == ["RT", "Republic of Tarvania", "Tarvania", "Utility"]
        await tx.roster.set(dialogue_id, "k1", "Republic of Tarvania", None)
        assert await tx.roster.scrub_terms(dialogue_id) == ["Republic of Tarvania", "Utility"]


async def test_categories_map_every_member_key_to_its_category(db: Database, dialogue_id: int) -> None:
    async with db.transaction() as tx:
        await tx.roster.set(dialogue_id, "k1", "Utility", "industry")
        await tx.roster.set(dialogue_id, "k2", "Resident", None)
        assert await tx.roster.categories(dialogue_id) == {"k1": "industry", "k2": None}
        assert await tx.roster.category_of(dialogue_id, "k1") == "industry"
        assert await tx.roster.category_of(dialogue_id, "unknown") is None


async def test_the_roster_is_kept_per_dialogue(db: Database, dialogue_id: int) -> None:
    async with db.transaction() as tx:
        other = await tx.dialogues.create("!other:example.org", "D2", b"s" * 16, 1.0)
        await tx.roster.set(dialogue_id, "k1", "Utility", "industry")
        await tx.roster.set(other.id, "k2", "Resident", None)
        assert await tx.roster.count(dialogue_id) == 1
        assert await tx.roster.categories(other.id) == {"k2": None}


# --- once ----------------------------------------------------------------------------------------------


async def test_mark_is_true_the_first_time_and_false_after(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.once.mark("reminder", "challenge:3", now=1.0) is True
        assert await tx.once.mark("reminder", "challenge:3", now=2.0) is False


async def test_markers_with_the_same_key_in_different_scopes_are_independent(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.once.mark("reminder", "3", now=1.0) is True
        assert await tx.once.mark("announce", "3", now=1.0) is True


async def test_a_cleared_marker_can_be_set_again(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.once.mark("reminder", "3", now=1.0)
        await tx.once.clear("reminder", "3")
        await tx.once.clear("reminder", "never-set")
        assert await tx.once.mark("reminder", "3", now=2.0) is True


async def test_a_marker_set_in_a_rolled_back_transaction_is_not_kept(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.once.mark("reminder", "3", now=1.0)
            raise RuntimeError("the guarded work failed")
    async with db.transaction() as tx:
        assert await tx.once.mark("reminder", "3", now=2.0) is True


# --- confirmations -------------------------------------------------------------------------------------


async def test_take_succeeds_before_expiry(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.confirmations.request(ROOM, "k1", "end", expires_at=100.0)
        assert await tx.confirmations.take(ROOM, "k1", "end", now=99.0) is True


async def test_take_fails_once_expired(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.confirmations.request(ROOM, "k1", "end", expires_at=100.0)
        assert await tx.confirmations.take(ROOM, "k1", "end", now=100.0) is False


async def test_a_confirmation_can_be_taken_only_once(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.confirmations.request(ROOM, "k1", "end", expires_at=100.0)
        assert await tx.confirmations.take(ROOM, "k1", "end", now=50.0) is True
        assert await tx.confirmations.take(ROOM, "k1", "end", now=51.0) is False


async def test_take_fails_without_a_request(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.confirmations.request(ROOM, "k1", "end", expires_at=100.0)
        assert await tx.confirmations.take(ROOM, "k2", "end", now=50.0) is False
        assert await tx.confirmations.take(ROOM, "k1", "delete", now=50.0) is False
        assert await tx.confirmations.take("!other:example.org", "k1", "end", now=50.0) is False


async def test_requesting_again_extends_the_deadline(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.confirmations.request(ROOM, "k1", "end", expires_at=100.0)
        await tx.confirmations.request(ROOM, "k1", "end", expires_at=200.0)
        assert await tx.confirmations.take(ROOM, "k1", "end", now=150.0) is True
