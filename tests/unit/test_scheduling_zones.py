"""The one rule for which time zone a dialogue's times are read and shown in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from scheduling.zones import dialogue_zone, is_zone_name


def test_a_dialogue_with_its_own_zone_uses_it() -> None:
    assert dialogue_zone("Asia/Tokyo", "Europe/Berlin") == ZoneInfo("Asia/Tokyo")


def test_a_dialogue_without_a_zone_uses_the_configured_default() -> None:
    zone = dialogue_zone(None, "Europe/Berlin")
    assert zone == ZoneInfo("Europe/Berlin")
    assert zone.key == "Europe/Berlin"  # the name the synopsis prints


def test_an_empty_zone_counts_as_none() -> None:
    assert dialogue_zone("", "UTC").key == "UTC"


def test_an_iana_name_is_a_known_zone() -> None:
    assert is_zone_name("Europe/Zurich")


def test_a_region_a_path_or_nothing_is_not_a_zone() -> None:
    # "Europe" is a folder of the zone database; the paths are refused by zoneinfo with ValueError, not a lookup error.
    assert not any(is_zone_name(name) for name in ("Europe", "Mars/Olympus", "../etc/passwd", "/etc/localtime", ""))
