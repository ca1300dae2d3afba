"""Which time zone a dialogue's times are read and shown in: its own (`timezone`), else the configured default."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def dialogue_zone(own: str | None, default: str) -> ZoneInfo:
    """`own` is the dialogue's (or digest's) zone, None or empty when it has none; `default` is `bot.timezone`.

    Both were checked when they were set (config validation, the `timezone` command), so the lookup does not fail."""
    return ZoneInfo(own or default)


def is_zone_name(name: str) -> bool:
    """Whether `name` is an IANA zone the bot can read times in: one rule for the config file and `timezone`."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError/OSError: zoneinfo rejects absolute or '..' keys and chokes on directories.
        return False
    return True
