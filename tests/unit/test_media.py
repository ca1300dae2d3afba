"""Uploaded synopsis files: recorded per dialogue, and what the room is told after a purge asked to delete them."""

from __future__ import annotations

import pytest

from bot import exit_codes
from bot.media import deletion_notice, split_mxc
from bot.offline import _purge
from storage import Database


async def test_uploads_are_recorded_per_dialogue_and_forgotten_once_deleted(db: Database) -> None:
    async with db.transaction() as tx:
        first = await tx.dialogues.create("!a:x.org", "A", bytes(32), 1.0)
        second = await tx.dialogues.create("!b:x.org", "B", bytes(32), 1.0)
        await tx.media.record(first.id, "mxc://x.org/one", 2.0)
        await tx.media.record(first.id, "mxc://x.org/two", 3.0)
        await tx.media.record(first.id, "mxc://x.org/one", 4.0)  # a retried upload recorded twice
        await tx.media.record(second.id, "mxc://x.org/other", 2.0)
        assert await tx.media.for_dialogue(first.id) == ["mxc://x.org/one", "mxc://x.org/two"]
        await tx.media.forget(["mxc://x.org/one"])
        assert await tx.media.for_dialogue(first.id) == ["mxc://x.org/two"]
        assert await tx.media.for_dialogue(second.id) == ["mxc://x.org/other"]


def test_an_mxc_uri_splits_into_server_and_media_id() -> None:
    assert split_mxc("mxc://example.org:8448/AbC123") == ("example.org:8448", "AbC123")
    assert split_mxc("https://example.org/AbC123") is None
    assert split_mxc("mxc://example.org/") is None
    assert split_mxc("mxc://example.org/a/b") is None


def test_the_notice_says_which_files_stay_in_the_media_store() -> None:
    assert deletion_notice(["mxc://x/1", "mxc://x/2"], []) == (
        "The 2 synopsis file(s) the bot uploaded were deleted from the homeserver's media store."
    )
    kept = deletion_notice(["mxc://x/1"], ["mxc://x/2"])
    assert "did not let the bot delete 1 synopsis file(s)" in kept
    assert "mxc://x/2" in kept
    assert "mxc://x/1" not in kept
    assert "(1 other(s) were deleted.)" in kept


async def test_the_offline_purge_lists_the_uploads_that_stay_in_the_media_store(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    async with db.transaction() as tx:
        dialogue = await tx.dialogues.create("!a:x.org", "A", bytes(32), 1.0)
        await tx.synopses.adopt(dialogue.id, 2.0, b"md", b"docx", b"json")
        await tx.dialogues.end(dialogue.id, 3.0)
        await tx.media.record(dialogue.id, "mxc://x.org/one", 2.0)
        assert await _purge(tx, dialogue.id) == exit_codes.OK
    printed = capsys.readouterr().out
    assert "1 synopsis file(s) the bot uploaded stay in the homeserver's media store" in printed
    assert "mxc://x.org/one" in printed
