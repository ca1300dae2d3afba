"""Handlers decide on the configuration they use, never on the bot's Matrix credentials."""

from __future__ import annotations

from dataclasses import fields

import pytest

from handlers.commands import CommandCall
from handlers.dispatch import HandlerEnv
from handlers.handler_settings import HandlerSettings
from tests.unit.fakes import make_settings


def test_the_handlers_settings_keep_what_handlers_use(tmp_path) -> None:
    settings = make_settings(tmp_path, timezone="Asia/Tokyo", moderator_power_level=60)
    handler_settings = HandlerSettings.of(settings)
    assert handler_settings.bot.timezone == "Asia/Tokyo"
    assert handler_settings.bot.moderator_power_level == 60
    assert handler_settings.privacy == settings.privacy
    assert handler_settings.synopsis == settings.synopsis
    assert handler_settings.web == settings.web


def test_the_handlers_settings_hold_no_matrix_credentials(tmp_path) -> None:
    handler_settings = HandlerSettings.of(make_settings(tmp_path))  # its matrix.password is "secret"
    with pytest.raises(AttributeError):
        handler_settings.matrix  # type: ignore[attr-defined]  # noqa: B018
    assert "secret" not in repr(handler_settings)


@pytest.mark.parametrize("holder", [HandlerEnv, CommandCall])
def test_every_handler_is_given_the_handlers_settings_not_the_whole_configuration(holder: type) -> None:
    # The annotation as written (the modules postpone annotations): the slice's class, not config.Settings.
    assert {field.name: field.type for field in fields(holder)}["settings"] == HandlerSettings.__name__
