"""`synopsis.synonyms`: a deployment teaches the grouping its vocabulary, in the config file or the environment."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from config import ConfigError, SynopsisSettings, load_settings
from handlers.synopsis_input import compile_off_loop, grouping_params
from synopsis.grouping import CHOSEN
from synopsis.model import ChallengeInput, ContributionInput, DialogueInput, SynopsisInput

BASE = """
[matrix]
homeserver = "http://127.0.0.1:8008"
user_id = "@bot:localhost"
password = "not-a-real-one"
"""
MINE_BAN = {"landmine": ("anti-personnel mine", "APM")}


def _load(tmp_path: Path, extra: str = "", environ: dict[str, str] | None = None):
    path = tmp_path / "config.toml"
    path.write_text(BASE + extra, encoding="utf-8")
    return load_settings(path, environ=environ or {})


def test_synonyms_are_read_from_the_config_file(tmp_path: Path):
    settings = _load(tmp_path, '\n[synopsis.synonyms]\nlandmine = ["anti-personnel mine", "APM"]\n')
    assert settings.synopsis.synonyms == MINE_BAN


def test_synonyms_can_come_from_the_environment_as_a_json_object(tmp_path: Path):
    variable = {"DIALOGUE_BOT_SYNOPSIS__SYNONYMS": '{"landmine": ["anti-personnel mine", "APM"]}'}
    assert _load(tmp_path, environ=variable).synopsis.synonyms == MINE_BAN


def test_a_head_word_of_two_words_and_a_non_object_variable_are_refused_with_the_reason(tmp_path: Path):
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, '\n[synopsis.synonyms]\n"land mine" = ["APM"]\n')
    assert "synopsis.synonyms: 'land mine' must be a single word" in str(refused.value)
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, environ={"DIALOGUE_BOT_SYNOPSIS__SYNONYMS": '["APM"]'})
    assert "DIALOGUE_BOT_SYNOPSIS__SYNONYMS must be a JSON object" in str(refused.value)


def test_without_synonyms_the_measured_grouping_is_used_unchanged():
    assert grouping_params(SynopsisSettings()) is CHOSEN


async def test_the_deployments_synonyms_bring_contributions_together_in_the_synopsis():
    texts = ("APMs still kill farmers.", "Anti-personnel mines remain in villages.")
    data = SynopsisInput(
        DialogueInput("d", 0.0, 0.0, 1),
        (ChallengeInput(1, "Mines", "p"),),
        tuple(ContributionInput(f"c{n}", 1, text, f"m{n}") for n, text in enumerate(texts)),
    )
    plain = (await compile_off_loop(data, SynopsisSettings())).sections[0]
    taught = (await compile_off_loop(data, SynopsisSettings(synonyms=MINE_BAN))).sections[0]
    assert (len(plain.themes), len(plain.other_points)) == (0, 2)
    assert (len(taught.themes), len(taught.other_points)) == (1, 0)
    assert taught.themes[0].refs == ("c0", "c1")


def test_the_benchmarks_mine_ban_synonym_sets_are_a_valid_setting():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "minebans_synonyms.toml"
    table = tomllib.loads(path.read_text(encoding="utf-8"))["synopsis"]
    assert len(SynopsisSettings.model_validate(table).synonyms) == 40


async def test_the_deployments_synonyms_also_place_a_contribution_under_the_heading_they_name():
    # "APM" shares no word with either heading; only the deployment's synonym set makes it read "landmine".
    headings = ("Landmine contamination and clearance", "Funding for victim assistance")
    texts = ("APM are still buried near schools.", "Survivors need predictable funding for victim assistance.")
    data = SynopsisInput(
        DialogueInput("d", 0.0, 0.0, 1),
        (ChallengeInput(1, "Mines", "p", headings),),
        tuple(ContributionInput(f"c{n}", 1, text, f"m{n}") for n, text in enumerate(texts)),
    )

    def under(section) -> dict[str, set[str]]:
        return {theme.heading: set(theme.refs) for theme in section.themes if theme.heading is not None}

    plain = (await compile_off_loop(data, SynopsisSettings())).sections[0]
    taught = (await compile_off_loop(data, SynopsisSettings(synonyms=MINE_BAN))).sections[0]
    assert "c0" not in under(plain).get(headings[0], set())
    assert under(taught)[headings[0]] == {"c0"}
    assert under(taught)[headings[1]] == {"c1"}
