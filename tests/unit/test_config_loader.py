"""load_settings: TOML + environment → Settings, or a ConfigError listing every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_settings

MINIMAL = """
[matrix]
homeserver = "https://matrix.forum.test"
user_id = "@dialogue-bot:forum.test"
"""
PASSWORD_ENV = {"DIALOGUE_BOT_MATRIX__PASSWORD": "hunter2"}


def write_config(folder: Path, text: str, name: str = "config.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path | None, environ: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ)
    return caught.value.problems


def test_defaults_are_applied_for_keys_the_file_leaves_out(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, MINIMAL), PASSWORD_ENV)

    assert settings.matrix.device_name == "dialogue-bot"
    assert settings.matrix.encryption is True
    assert settings.matrix.device_id is None
    assert settings.bot.command_prefix == "!dialogue"
    assert settings.bot.command_aliases == ("!dg",)
    assert settings.bot.moderator_power_level == 50
    assert settings.bot.isu_users == ()
    assert settings.bot.allowed_inviters == ()
    assert settings.bot.timezone == "UTC"
    assert settings.bot.startup_grace_minutes == 15
    assert settings.privacy.k_threshold == 3
    assert (settings.logging.level, settings.logging.format) == ("INFO", "text")


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, MINIMAL + "[privacy]\nk_threshold = 3\n")
    env = {**PASSWORD_ENV, "DIALOGUE_BOT_PRIVACY__K_THRESHOLD": "4"}

    assert load_settings(path, env).privacy.k_threshold == 4


def test_environment_variable_names_match_case_insensitively(tmp_path: Path) -> None:
    env = {"dialogue_bot_matrix__password": "hunter2", "Dialogue_Bot_Bot__Timezone": "Europe/Zurich"}

    settings = load_settings(write_config(tmp_path, MINIMAL), env)

    assert settings.bot.timezone == "Europe/Zurich"
    assert settings.matrix.password is not None


def test_lists_are_read_from_json_in_the_environment(tmp_path: Path) -> None:
    env = {**PASSWORD_ENV, "DIALOGUE_BOT_BOT__ALLOWED_INVITERS": '["@mod:forum.test", "partner.test"]'}

    settings = load_settings(write_config(tmp_path, MINIMAL), env)

    assert settings.bot.allowed_inviters == ("@mod:forum.test", "partner.test")


def test_a_list_in_the_environment_that_is_not_json_is_reported(tmp_path: Path) -> None:
    env = {**PASSWORD_ENV, "DIALOGUE_BOT_BOT__ISU_USERS": "@isu:forum.test"}

    problems = problems_of(write_config(tmp_path, MINIMAL), env)

    assert len(problems) == 1
    assert problems[0].startswith("bot.isu_users: DIALOGUE_BOT_BOT__ISU_USERS must be a JSON list")


def test_password_file_is_read_and_stripped(tmp_path: Path) -> None:
    (tmp_path / "password").write_text("  s3cret\n", encoding="utf-8")
    path = write_config(tmp_path, MINIMAL + 'password_file = "password"\n')

    settings = load_settings(path, {})

    assert settings.matrix.password is not None
    assert settings.matrix.password.get_secret_value() == "s3cret"
    assert settings.matrix.password_file == tmp_path / "password"


def test_access_token_file_with_device_id_is_enough_to_log_in(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("syt_token\n", encoding="utf-8")
    path = write_config(tmp_path, MINIMAL + 'access_token_file = "token"\ndevice_id = "ABCDEF"\n')

    settings = load_settings(path, {})

    assert settings.matrix.access_token is not None
    assert settings.matrix.access_token.get_secret_value() == "syt_token"
    assert settings.matrix.password is None


def test_missing_credentials_are_reported(tmp_path: Path) -> None:
    problems = problems_of(write_config(tmp_path, MINIMAL), {})

    assert problems == [
        "matrix: no credentials — set DIALOGUE_BOT_MATRIX__PASSWORD, or matrix.password_file, "
        "or matrix.access_token_file with matrix.device_id"
    ]


def test_an_access_token_without_device_id_is_reported(tmp_path: Path) -> None:
    env = {"DIALOGUE_BOT_MATRIX__ACCESS_TOKEN": "syt_token"}

    problems = problems_of(write_config(tmp_path, MINIMAL), env)

    assert len(problems) == 1
    assert problems[0].startswith("matrix.device_id: required with an access token")


def test_a_password_and_an_access_token_together_are_reported(tmp_path: Path) -> None:
    path = write_config(tmp_path, MINIMAL + 'password = "a"\naccess_token = "b"\ndevice_id = "D"\n')

    problems = problems_of(path, {})

    assert len(problems) == 1
    assert problems[0].startswith("matrix: both a password and an access token are set")


def test_credentials_from_the_environment_replace_those_in_the_file(tmp_path: Path) -> None:
    # The file's password_file does not exist: it must not even be looked at.
    path = write_config(tmp_path, MINIMAL + 'password_file = "/nonexistent/password"\n')
    env = {"DIALOGUE_BOT_MATRIX__ACCESS_TOKEN": "syt_token", "DIALOGUE_BOT_MATRIX__DEVICE_ID": "D"}

    settings = load_settings(path, env)

    assert settings.matrix.password is None
    assert settings.matrix.password_file is None
    assert settings.matrix.access_token is not None


def test_several_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = """
[matrix]
homeserver = "https://matrix.forum.test"
user_id = "dialogue-bot"

[bot]
timezone = "Mars/Base"
comand_prefix = "!x"
moderator_power_level = 150
"""

    with pytest.raises(ConfigError) as caught:
        load_settings(write_config(tmp_path, text), PASSWORD_ENV)

    assert caught.value.problems == [
        "matrix.user_id: 'dialogue-bot' is not a Matrix user ID — write it as @localpart:server, "
        "e.g. @dialogue-bot:example.org",
        "bot.moderator_power_level: must be at most 100, got 150",
        "bot.timezone: 'Mars/Base' is not an IANA time zone (e.g. Europe/Zurich)",
        "bot.comand_prefix: unknown key (did you mean command_prefix?)",
    ]
    assert str(caught.value).splitlines() == caught.value.problems


def test_a_bad_value_from_the_environment_names_its_variable(tmp_path: Path) -> None:
    env = {**PASSWORD_ENV, "DIALOGUE_BOT_PRIVACY__K_THRESHOLD": "many"}

    problems = problems_of(write_config(tmp_path, MINIMAL), env)

    assert problems == [
        "privacy.k_threshold: expected a whole number, got 'many' (from DIALOGUE_BOT_PRIVACY__K_THRESHOLD)"
    ]


def test_an_unknown_environment_key_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    env = {**PASSWORD_ENV, "DIALOGUE_BOT_BOT__TIMEZON": "UTC"}

    problems = problems_of(write_config(tmp_path, MINIMAL), env)

    assert problems == [
        "bot.timezon: unknown key in environment variable DIALOGUE_BOT_BOT__TIMEZON "
        "(did you mean DIALOGUE_BOT_BOT__TIMEZONE?)"
    ]


def test_a_single_underscore_between_section_and_key_is_pointed_out(tmp_path: Path) -> None:
    env = {"DIALOGUE_BOT_MATRIX_PASSWORD": "hunter2"}

    problems = problems_of(write_config(tmp_path, MINIMAL), env)

    assert problems[0] == (
        "matrix.password: environment variable DIALOGUE_BOT_MATRIX_PASSWORD is ignored — "
        "use two underscores between section and key: DIALOGUE_BOT_MATRIX__PASSWORD"
    )


def test_a_secret_is_never_echoed_in_a_problem(tmp_path: Path) -> None:
    path = write_config(tmp_path, MINIMAL + "password = 123456789\n")

    problems = problems_of(path, {})

    assert problems == ["matrix.password: expected text (in quotes), got a value"]


def test_an_example_homeserver_is_rejected_as_a_placeholder(tmp_path: Path) -> None:
    text = '[matrix]\nhomeserver = "https://matrix.example.org"\nuser_id = "@bot:forum.test"\n'

    problems = problems_of(write_config(tmp_path, text), PASSWORD_ENV)

    assert problems == [
        "matrix.homeserver: still the example value 'https://matrix.example.org' — set your homeserver's URL"
    ]


def test_an_example_inviter_is_rejected_as_a_placeholder(tmp_path: Path) -> None:
    path = write_config(tmp_path, MINIMAL + '[bot]\nallowed_inviters = ["example.com"]\n')

    problems = problems_of(path, PASSWORD_ENV)

    assert len(problems) == 1
    assert problems[0].startswith("bot.allowed_inviters: still an example value 'example.com'")


def test_relative_data_dir_is_resolved_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_dir = tmp_path / "etc"
    config_dir.mkdir()
    monkeypatch.chdir(tmp_path)
    path = write_config(config_dir, MINIMAL + '[bot]\ndata_dir = "state/bot"\n')

    settings = load_settings(Path("etc/config.toml"), PASSWORD_ENV)

    assert settings.bot.data_dir == config_dir / "state" / "bot"
    assert settings.bot.data_dir.is_absolute()
    assert path.exists()


def test_default_data_dir_sits_next_to_the_config_file(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, MINIMAL), PASSWORD_ENV)

    assert settings.bot.data_dir == tmp_path / "data"


def test_relative_data_dir_from_the_environment_is_resolved_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_dir = tmp_path / "etc"
    config_dir.mkdir()
    monkeypatch.chdir(tmp_path)
    env = {**PASSWORD_ENV, "DIALOGUE_BOT_BOT__DATA_DIR": "state"}

    settings = load_settings(write_config(config_dir, MINIMAL), env)

    assert settings.bot.data_dir == tmp_path / "state"


def test_config_path_is_taken_from_the_environment_when_not_given(tmp_path: Path) -> None:
    path = write_config(tmp_path, MINIMAL, name="elsewhere.toml")
    env = {**PASSWORD_ENV, "DIALOGUE_BOT_CONFIG": str(path)}

    assert load_settings(None, env).matrix.user_id == "@dialogue-bot:forum.test"


def test_a_missing_config_file_is_reported(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"

    with pytest.raises(ConfigError) as caught:
        load_settings(missing, {})

    assert caught.value.problems[0] == (
        f"config file not found: {missing} — copy config/example.toml there, or pass --config"
    )
    assert caught.value.path is None


def test_the_environment_alone_is_enough_when_it_supplies_everything_required(tmp_path: Path) -> None:
    env = {
        **PASSWORD_ENV,
        "DIALOGUE_BOT_MATRIX__HOMESERVER": "https://matrix.forum.test/",
        "DIALOGUE_BOT_MATRIX__USER_ID": "@dialogue-bot:forum.test",
    }

    settings = load_settings(tmp_path / "absent.toml", env)

    assert settings.matrix.homeserver == "https://matrix.forum.test"


def test_invalid_toml_is_reported_with_its_position(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[matrix\nhomeserver = 1\n")

    with pytest.raises(ConfigError) as caught:
        load_settings(path, PASSWORD_ENV)

    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(f"config file {path}: is not valid TOML")
    assert "line 1" in caught.value.problems[0]
    assert caught.value.path == path


def test_a_key_above_every_section_header_is_pointed_to_its_section(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'timezone = "UTC"\n' + MINIMAL)

    problems = problems_of(path, PASSWORD_ENV)

    assert problems == ["timezone: not inside a section — move it below the [bot] header"]
