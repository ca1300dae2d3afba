"""The Settings model on its own: validation of single values and the helpers others call."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from config import BotSettings, MatrixSettings, Settings


def make_settings(**bot: Any) -> Settings:
    return Settings(
        matrix=MatrixSettings(homeserver="https://matrix.forum.test", user_id="@bot:forum.test"),
        bot=BotSettings(**bot),
    )


def test_settings_cannot_be_changed_after_creation() -> None:
    settings = make_settings()

    with pytest.raises(ValidationError):
        settings.bot.command_prefix = "!other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        settings.privacy = settings.privacy  # type: ignore[misc]


def test_a_listed_user_may_invite() -> None:
    bot = make_settings(allowed_inviters=["@mod:forum.test"]).bot

    assert bot.is_allowed_inviter("@mod:forum.test")
    assert not bot.is_allowed_inviter("@other:forum.test")


def test_anyone_on_a_listed_server_may_invite() -> None:
    bot = make_settings(allowed_inviters=["example.org"]).bot

    assert bot.is_allowed_inviter("@anyone:example.org")
    assert bot.is_allowed_inviter("@anyone:EXAMPLE.org")


def test_a_server_entry_does_not_match_servers_that_merely_end_with_its_name() -> None:
    bot = make_settings(allowed_inviters=["example.org"]).bot

    assert not bot.is_allowed_inviter("@evil:notexample.org")
    assert not bot.is_allowed_inviter("@evil:sub.example.org")
    assert not bot.is_allowed_inviter("not-a-user-id")


def test_nobody_may_invite_when_the_list_is_empty() -> None:
    assert not make_settings().bot.is_allowed_inviter("@mod:forum.test")


def test_all_command_prefixes_lists_the_prefix_first_then_the_aliases() -> None:
    bot = make_settings(command_prefix="!dialogue", command_aliases=["!dg", "!d"]).bot

    assert bot.all_command_prefixes == ("!dialogue", "!dg", "!d")


def test_homeserver_trailing_slash_is_stripped() -> None:
    matrix = MatrixSettings(homeserver="https://matrix.forum.test/", user_id="@bot:forum.test")

    assert matrix.homeserver == "https://matrix.forum.test"


@pytest.mark.parametrize("homeserver", ["matrix.forum.test", "ftp://matrix.forum.test", "https://"])
def test_homeserver_must_be_an_http_url(homeserver: str) -> None:
    with pytest.raises(ValidationError, match="not an http"):
        MatrixSettings(homeserver=homeserver, user_id="@bot:forum.test")


@pytest.mark.parametrize("user_id", ["@bot:localhost", "@bot:forum.test:8448", "@bot:127.0.0.1:8008"])
def test_user_ids_with_ports_and_local_servers_are_accepted(user_id: str) -> None:
    assert MatrixSettings(homeserver="http://localhost:8008", user_id=user_id).user_id == user_id


@pytest.mark.parametrize("user_id", ["bot", "bot:forum.test", "@bot", "@:forum.test", "@bot:bad server"])
def test_malformed_user_ids_are_rejected(user_id: str) -> None:
    with pytest.raises(ValidationError, match="not a Matrix user ID"):
        MatrixSettings(homeserver="https://matrix.forum.test", user_id=user_id)


@pytest.mark.parametrize("prefix", ["dialogue", "!", "!two words"])
def test_command_prefix_must_start_with_a_bang_and_have_no_spaces(prefix: str) -> None:
    with pytest.raises(ValidationError, match="must start with '!'"):
        BotSettings(command_prefix=prefix)


def test_power_level_true_is_not_read_as_one() -> None:
    with pytest.raises(ValidationError, match="whole number"):
        BotSettings(moderator_power_level=True)


def test_logging_level_is_case_insensitive() -> None:
    settings = Settings.model_validate(
        {
            "matrix": {"homeserver": "https://matrix.forum.test", "user_id": "@bot:forum.test"},
            "logging": {"level": "debug", "format": "JSON"},
        }
    )

    assert (settings.logging.level, settings.logging.format) == ("DEBUG", "json")
