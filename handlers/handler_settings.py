"""The part of the configuration that handlers decide on, taken once at startup.

Handlers get this, not `config.Settings`: they have no use for the Matrix section (the bot's password or access
token) or the logging setup, so a handler cannot reach, log or echo a credential by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config import Settings
    from config.settings import BotSettings, PrivacySettings, SynopsisSettings, WebSettings


@dataclass(frozen=True, slots=True)
class HandlerSettings:
    bot: BotSettings
    privacy: PrivacySettings
    synopsis: SynopsisSettings
    web: WebSettings

    @classmethod
    def of(cls, settings: Settings) -> HandlerSettings:
        return cls(bot=settings.bot, privacy=settings.privacy, synopsis=settings.synopsis, web=settings.web)
