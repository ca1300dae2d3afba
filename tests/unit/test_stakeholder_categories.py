"""A deployment's stakeholder categories: configured, enforced on the roster, and named in the synopsis only from k.

The settings add categories to the built-in list; `roster set` and `roster import` take only configured ones (and
say which those are); the synopsis names a category behind a theme only when k or more of its people stand there.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from config import ConfigError, Settings, load_settings
from handlers.context import BotInfo, RoomSnapshot
from handlers.dispatch import HandlerEnv, handle_event
from handlers.events import InboundEvent
from handlers.handler_settings import HandlerSettings
from handlers.registry import build_registry
from handlers.roster_csv import parse_roster_csv
from handlers.slow_work import SlowWork, local_runner
from privacy import DEFAULT_CATEGORIES, STAKEHOLDER_CATEGORIES, StakeholderCategories
from storage import Database, RoomMessage
from synopsis.compile import compile_synopsis
from synopsis.model import ChallengeInput, ContributionInput, DialogueInput, SynopsisInput
from tests.unit.fakes import BOT_ID

BASE = """
[matrix]
homeserver = "http://127.0.0.1:8008"
user_id = "@bot:localhost"
password = "not-a-real-one"
"""
EXTRAS = """
[privacy]
stakeholder_categories = ["State party", "international organisation", "civil society", "survivor", "other",
                          "State not party", "UN agency", "academia"]
stakeholder_category_plurals = { "State not party" = "States not party", "UN agency" = "UN agencies" }
"""
WITH_EXTRAS = StakeholderCategories(
    (*STAKEHOLDER_CATEGORIES, "State not party", "UN agency", "academia"),
    {"State not party": "States not party", "UN agency": "UN agencies"},
)


def load(tmp_path: Path, extra: str = "", environ: dict[str, str] | None = None) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(BASE + extra, encoding="utf-8")
    return load_settings(path, environ=environ or {})


# ---------------------------------------------------------------- settings


def test_by_default_the_built_in_categories_are_configured(tmp_path: Path):
    privacy = load(tmp_path).privacy
    assert privacy.stakeholder_categories == STAKEHOLDER_CATEGORIES
    assert privacy.categories() == DEFAULT_CATEGORIES


def test_a_deployment_adds_its_own_categories_and_their_plurals(tmp_path: Path):
    assert load(tmp_path, EXTRAS).privacy.categories() == WITH_EXTRAS


def test_categories_can_come_from_the_environment_as_a_json_list(tmp_path: Path):
    variable = {"DIALOGUE_BOT_PRIVACY__STAKEHOLDER_CATEGORIES": '["State party", "academia"]'}
    assert load(tmp_path, environ=variable).privacy.stakeholder_categories == ("State party", "academia")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('["State party", "state  PARTY"]', "repeats"),
        ('["civil society; NGO"]', "may not contain"),
        ('["academia,"]', "may not contain"),
        ('["  "]', "empty"),
        ("[]", "at least one"),
    ],
)
def test_unusable_category_lists_are_refused_with_the_reason(tmp_path: Path, value: str, problem: str):
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, f"\n[privacy]\nstakeholder_categories = {value}\n")
    assert "privacy.stakeholder_categories" in str(refused.value) and problem in str(refused.value)


def test_a_plural_for_a_category_that_is_not_listed_is_refused(tmp_path: Path):
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, '\n[privacy]\nstakeholder_category_plurals = { "academia" = "academics" }\n')
    assert "academia" in str(refused.value) and "not listed" in str(refused.value)


# ---------------------------------------------------------------- the categories themselves


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("UN agency", "UN agency"),
        ("un-agencies", "UN agency"),
        ("Academia.", "academia"),
        ("states not party", "State not party"),
        ("NGOs", "civil society"),
        ("States Parties", "State party"),
        ("think tank", None),
    ],
)
def test_configured_names_their_plurals_and_the_built_in_synonyms_are_recognised(typed, expected):
    assert WITH_EXTRAS.normalise(typed) == expected


def test_a_synonym_of_a_built_in_category_the_deployment_dropped_is_not_accepted():
    assert StakeholderCategories(("State party", "academia")).normalise("NGO") is None


def test_the_phrase_names_only_categories_reaching_k_in_a_fixed_order():
    counts = {"academia": 3, "UN agency": 5, "State not party": 2, "other": 4, "survivor": 3}
    assert (
        WITH_EXTRAS.phrase(counts, 3)
        == "including survivors, UN agencies, academia participants and other participants"
    )
    assert WITH_EXTRAS.phrase({"State not party": 2}, 3) is None


# ---------------------------------------------------------------- the roster

ROOM = "!dialogue:test"
BACKROOM = "!backroom:test"  # roster commands are answered only in the moderators' back-room
MODERATOR, ALICE = "@mod:test", "@alice:test"
NOW = 1_000_000.0
_ids = itertools.count(1)


@dataclass
class Roster:
    db: Database
    env: HandlerEnv

    async def command(self, body: str, **content: object) -> str:
        event = InboundEvent(
            event_id=f"${next(_ids)}",
            room_id=BACKROOM,
            sender=MODERATOR,
            type="m.room.message",
            content={"msgtype": "m.text", "body": body, **content},
            origin_server_ts=int(NOW * 1000),
        )
        async with self.db.transaction() as tx:
            await handle_event(event, room_snapshot(BACKROOM), self.env, tx)
        async with self.db.transaction() as tx:
            rows = await tx.outbox.sendable_heads(NOW + 1)
            await tx.outbox.mark_sent(rows[0].txn_id, "$sent", NOW)
        item = rows[0].item
        assert isinstance(item, RoomMessage)
        return item.content["body"]

    async def categories(self) -> list[str]:
        async with self.db.transaction() as tx:
            dialogue = await tx.dialogues.active_in_room(ROOM)
            return sorted(filter(None, (await tx.roster.categories(dialogue.id)).values()))


def room_snapshot(room_id: str) -> RoomSnapshot:
    return RoomSnapshot(
        room_id=room_id,
        encrypted=True,
        room_version="10",
        user_power_levels={MODERATOR: 100},
        display_names={MODERATOR: "Mod", ALICE: "Alice"},
        joined_member_count=3,
        join_rule="invite",
    )


async def roster_file(room_id: str, event_id: str) -> bytes:
    return b"@a:x.org,Ruritania,UN agencies\n@b:x.org,Fenwick,think tank\n"


@pytest.fixture
async def roster(tmp_path: Path) -> AsyncIterator[Roster]:
    db = await Database.open(tmp_path / "bot.db")
    async with db.transaction() as tx:
        await tx.dialogues.create(ROOM, "D", b"s" * 32, NOW)
        await tx.backrooms.link(ROOM, BACKROOM, NOW)
    settings = load(tmp_path, EXTRAS)
    env = HandlerEnv(
        settings=HandlerSettings.of(settings),
        registry=build_registry(),
        bot=BotInfo(user_id=BOT_ID, version="test", started_at=0.0, encryption_enabled=True),
        now=NOW,
        slow_work=SlowWork(local_runner(fetch_attachment=roster_file)),
        rooms=room_snapshot,
    )
    yield Roster(db, env)
    await db.close()


async def test_roster_set_takes_a_configured_category_in_its_canonical_spelling(roster: Roster):
    reply = await roster.command(f"!dialogue roster set {ALICE} University of Nowhere ; Academia")
    assert reply.startswith("Roster updated")
    assert await roster.categories() == ["academia"]


async def test_roster_set_refuses_an_unknown_category_naming_the_allowed_ones(roster: Roster):
    reply = await roster.command(f"!dialogue roster set {ALICE} Think Tank Institute ; think tank")
    assert "Unknown stakeholder category" in reply
    assert WITH_EXTRAS.listing() in reply
    assert await roster.categories() == []


async def test_roster_import_records_configured_categories_and_lists_them_when_a_row_has_another(roster: Roster):
    reply = await roster.command("!dialogue roster import", **{"m.relates_to": {"m.in_reply_to": {"event_id": "$f"}}})
    assert "1 row(s) recorded" in reply and "row 2: unknown category" in reply
    assert f"Stakeholder categories: {WITH_EXTRAS.listing()}." in reply
    assert "think tank" not in reply
    assert await roster.categories() == ["UN agency"]


def test_roster_files_are_read_against_the_configured_categories():
    data = b"@a:x.org,Ruritania,UN agencies\n@b:x.org,Fenwick,think tank\n"
    roster = parse_roster_csv(data, WITH_EXTRAS)
    assert [(row.user_id, row.category) for row in roster.rows] == [("@a:x.org", "UN agency")]
    assert roster.problems == ["row 2: unknown category"]
    assert roster.unknown_category
    assert not parse_roster_csv(b"@a:x.org,Ruritania,UN agency\n").rows  # not a built-in category


# ---------------------------------------------------------------- the synopsis


def synopsis_for(categories: dict[str, str], k: int = 3):
    people = sorted(categories)
    text = "Victim assistance for survivors needs predictable funding."
    data = SynopsisInput(
        DialogueInput("D", 0.0, 0.0, 1),
        (ChallengeInput(1, "One", "?"),),
        tuple(ContributionInput(f"r{i}", 1, text, person) for i, person in enumerate(people)),
        categories,
        k=k,
        stakeholder_categories=WITH_EXTRAS,
    )
    return compile_synopsis(data).sections[0].themes[0]


def test_a_configured_category_is_named_behind_a_theme_from_k_people():
    theme = synopsis_for({"a": "UN agency", "b": "UN agency", "c": "UN agency", "d": "academia", "e": "academia"})
    assert theme.support_band == "several"
    assert theme.category_phrase == "including UN agencies"


def test_a_category_below_k_is_not_named_even_when_the_theme_has_k_people():
    theme = synopsis_for({"a": "academia", "b": "academia", "c": "State not party", "d": "State not party"})
    assert theme.support_band == "a few"
    assert theme.category_phrase is None


def test_a_stored_category_the_deployment_no_longer_lists_is_never_named():
    theme = synopsis_for({"a": "think tank", "b": "think tank", "c": "think tank"})
    assert theme.category_phrase is None
