"""Room bookkeeping and the key-value store."""

from __future__ import annotations

from storage import Database

ROOM = "!room:example.org"


async def test_joined_at_is_none_for_an_unknown_room(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.rooms.joined_at(ROOM) is None


async def test_set_joined_records_the_join_time(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.rooms.set_joined(ROOM, 1_700_000_000_000)
        assert await tx.rooms.joined_at(ROOM) == 1_700_000_000_000


async def test_joined_at_is_none_after_leaving(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.rooms.set_joined(ROOM, 1000)
        await tx.rooms.mark_left(ROOM)
        assert await tx.rooms.joined_at(ROOM) is None


async def test_rejoining_overwrites_the_join_time_and_clears_left(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.rooms.set_joined(ROOM, 1000)
        await tx.rooms.mark_left(ROOM)
        await tx.rooms.set_joined(ROOM, 2000)
        assert await tx.rooms.joined_at(ROOM) == 2000


async def test_crypto_notice_is_not_sent_for_a_new_room(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.rooms.set_joined(ROOM, 1000)
        assert await tx.rooms.crypto_notice_sent(ROOM) is False
        assert await tx.rooms.crypto_notice_sent("!unknown:example.org") is False


async def test_crypto_notice_can_be_recorded_before_the_room_is_known(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.rooms.set_crypto_notice_sent(ROOM)
        assert await tx.rooms.crypto_notice_sent(ROOM) is True
        await tx.rooms.set_joined(ROOM, 1000)
        assert await tx.rooms.crypto_notice_sent(ROOM) is True
        await tx.rooms.set_crypto_notice_sent(ROOM)  # again: still fine
        assert await tx.rooms.joined_at(ROOM) == 1000


async def test_state_get_returns_none_for_an_unset_key(db: Database) -> None:
    async with db.transaction() as tx:
        assert await tx.state.get("sync_token") is None


async def test_state_set_replaces_the_previous_value(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.state.set("sync_token", "s1")
        await tx.state.set("sync_token", "s2")
        assert await tx.state.get("sync_token") == "s2"


async def test_state_delete_forgets_the_key_and_tolerates_missing_keys(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.state.set("session", "{}")
        await tx.state.delete("session")
        await tx.state.delete("never-set")
        assert await tx.state.get("session") is None
