"""Per-dialogue pseudonyms: stable within a dialogue, unlinkable across dialogues."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

import pytest

from privacy import contributor_key, new_dialogue_secret, room_member_key

SECRET = bytes(range(32))


def test_a_new_dialogue_secret_is_32_random_bytes():
    first, second = new_dialogue_secret(), new_dialogue_secret()
    assert len(first) == 32
    assert first != second


def test_the_key_is_the_first_32_hex_characters_of_the_hmac_sha256_of_the_user_id():
    expected = hmac.new(SECRET, b"@alice:example.org", hashlib.sha256).hexdigest()[:32]
    assert contributor_key(SECRET, "@alice:example.org") == expected


def test_the_same_user_in_the_same_dialogue_always_gets_the_same_key():
    assert contributor_key(SECRET, "@alice:example.org") == contributor_key(bytes(SECRET), "@alice:example.org")


def test_different_users_get_different_keys():
    assert contributor_key(SECRET, "@alice:example.org") != contributor_key(SECRET, "@bob:example.org")


def test_the_same_user_in_another_dialogue_gets_an_unrelated_key():
    other_secret = new_dialogue_secret()
    assert contributor_key(SECRET, "@alice:example.org") != contributor_key(other_secret, "@alice:example.org")


def test_the_user_id_keeps_its_case():
    assert contributor_key(SECRET, "@Alice:example.org") != contributor_key(SECRET, "@alice:example.org")


def test_composed_and_decomposed_forms_of_a_user_id_get_the_same_key():
    composed = "@zoë:example.org"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert contributor_key(SECRET, decomposed) == contributor_key(SECRET, composed)


def test_a_short_secret_is_refused():
    with pytest.raises(ValueError):
        contributor_key(b"", "@alice:example.org")


def test_a_room_member_key_is_stable_in_a_room_and_unrelated_across_rooms_and_to_the_contributor_key():
    key = room_member_key(SECRET, "!a:example.org", "@alice:example.org")
    assert key == room_member_key(SECRET, "!a:example.org", "@alice:example.org")
    assert key != room_member_key(SECRET, "!b:example.org", "@alice:example.org")
    assert key != room_member_key(SECRET, "!a:example.org", "@bob:example.org")
    assert key != contributor_key(SECRET, "@alice:example.org")
    assert "alice" not in key
