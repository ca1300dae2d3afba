"""Signed links to the web view: they open one dialogue until they expire, and nothing else."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from web.tokens import KEY_FILE, Grant, LinkSigner, read_or_create_key

KEY = b"k" * 32
NOW = 1_796_083_200


def test_a_signed_token_opens_its_dialogue_until_it_expires() -> None:
    signer = LinkSigner(KEY)
    token = signer.sign(4, NOW + 60)

    assert signer.verify(token, NOW) == Grant(4, NOW + 60)
    assert signer.verify(token, NOW + 59.9) == Grant(4, NOW + 60)


def test_an_expired_token_opens_nothing() -> None:
    signer = LinkSigner(KEY)
    token = signer.sign(4, NOW + 60)

    assert signer.verify(token, NOW + 60) is None
    assert signer.verify(token, NOW + 3600) is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace("v1.4.", "v1.5.", 1),  # another dialogue
        lambda t: t.replace(f".{NOW + 60}.", f".{NOW + 6000}.", 1),  # a later expiry
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature
        lambda t: t + "A",
        lambda t: t[:-1],
        lambda t: "v2" + t[2:],
        lambda t: t.replace("v1.4.", "v1.04.", 1),  # the same number written otherwise
        lambda t: "",
    ],
)
def test_an_altered_token_opens_nothing(tamper) -> None:
    signer = LinkSigner(KEY)

    assert signer.verify(tamper(signer.sign(4, NOW + 60)), NOW) is None


def test_a_token_signed_under_another_key_opens_nothing() -> None:
    token = LinkSigner(b"o" * 32).sign(4, NOW + 60)

    assert LinkSigner(KEY).verify(token, NOW) is None


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError):
        LinkSigner(b"short")


def test_the_key_is_made_once_readable_only_by_the_bot(tmp_path: Path) -> None:
    first = read_or_create_key(tmp_path)
    (tmp_path / KEY_FILE).chmod(0o644)

    assert read_or_create_key(tmp_path) == first
    assert len(first) == 32
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
