"""Configuration: a TOML file plus DIALOGUE_BOT_* environment overrides, validated once.

from config import load_settings, ConfigError
settings = load_settings()          # raises ConfigError listing every problem
settings.matrix.homeserver, settings.bot.data_dir, settings.privacy.k_threshold, ...
"""

from config.environment import CONFIG_PATH_ENV, ENV_PREFIX
from config.errors import ConfigError
from config.loader import (
    DEFAULT_CONFIG_PATH,
    EXAMPLE_CONFIG_PATH,
    check_config,
    load_settings,
    resolve_config_path,
)
from config.settings import (
    BotSettings,
    LoggingSettings,
    MatrixSettings,
    PrivacySettings,
    Settings,
    SynopsisSettings,
    WebSettings,
)

__all__ = [
    "CONFIG_PATH_ENV",
    "DEFAULT_CONFIG_PATH",
    "ENV_PREFIX",
    "EXAMPLE_CONFIG_PATH",
    "BotSettings",
    "ConfigError",
    "LoggingSettings",
    "MatrixSettings",
    "PrivacySettings",
    "Settings",
    "SynopsisSettings",
    "WebSettings",
    "check_config",
    "load_settings",
    "resolve_config_path",
]
