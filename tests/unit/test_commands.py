"""The command table: parsing, look-up, help and permissions, without a homeserver."""

from __future__ import annotations

import pytest

from handlers.commands import (
    CommandRegistry,
    Permission,
    commands_markdown,
    help_overview,
    parse_invocation,
    permission_reply,
)
from handlers.context import RoomSnapshot, room_version_has_privileged_creators
from handlers.registry import build_registry

PREFIXES = ("!dialogue", "!dg")


def test_a_message_starting_with_the_prefix_is_an_invocation():
    invocation = parse_invocation("  !dialogue help ping ", PREFIXES)
    assert invocation is not None
    assert invocation.text == "help ping"


def test_the_alias_works_and_is_reported_as_the_main_prefix():
    invocation = parse_invocation("!DG ping", PREFIXES)
    assert invocation is not None
    assert (invocation.prefix, invocation.text) == ("!dialogue", "ping")


@pytest.mark.parametrize("body", ["!dialoguex help", "please !dialogue help", "!dgping", "", "   "])
def test_the_prefix_must_be_a_whole_first_word(body):
    assert parse_invocation(body, PREFIXES) is None


def test_arguments_keep_their_line_breaks():
    invocation = parse_invocation("!dialogue challenge add Title ;\nline one\nline two", PREFIXES)
    assert invocation is not None
    assert invocation.text == "challenge add Title ;\nline one\nline two"


def test_command_names_match_whole_words_not_prefixes():
    registry = build_registry()
    assert registry.find("helpme").command is None
    assert registry.find("help me").command is registry.get("help")


def test_the_longest_multi_word_name_wins():
    async def nothing(call, tx):
        return None

    from handlers.commands import Command

    registry = CommandRegistry(
        [Command("challenge", "a", nothing), Command("challenge add", "b", nothing, arguments="<title>")]
    )
    lookup = registry.find("challenge add My title")
    assert lookup.command is registry.get("challenge add")
    assert lookup.raw_args == "My title"


def test_declaring_a_name_twice_is_refused():
    async def nothing(call, tx):
        return None

    from handlers.commands import Command

    with pytest.raises(ValueError, match="declared twice"):
        CommandRegistry([Command("ping", "a", nothing), Command("pong", "b", nothing, aliases=("ping",))])


def test_help_lists_every_command_with_its_usage():
    registry = build_registry()
    reply = help_overview(registry, "!dialogue", ("!dg",))
    for command in registry:
        assert command.usage("!dialogue") in reply.text
    assert "(moderator)" in reply.text
    assert reply.html is not None and "<ul>" in reply.html


def test_the_markdown_reference_has_one_row_per_command():
    registry = build_registry()
    table = commands_markdown(registry, "!dialogue")
    assert len(table.strip().splitlines()) == 2 + len(list(registry))
    assert "| `!dialogue health` | moderator |" in table


def test_the_permission_answer_names_the_threshold():
    command = build_registry().get("health")
    assert command is not None and command.permission is Permission.MODERATOR
    assert "power level 50" in permission_reply(command, "!dialogue", 50).text


@pytest.mark.parametrize(
    ("version", "privileged"),
    [("12", True), ("13", True), ("11", False), ("10", False), ("org.matrix.hydra.11", True)],
)
def test_creators_are_privileged_from_room_version_12(version, privileged):
    assert room_version_has_privileged_creators(version) is privileged


def test_a_v12_creator_is_a_moderator_although_absent_from_the_power_levels():
    room = RoomSnapshot(room_id="!r:x", room_version="12", creators=frozenset({"@c:x"}))
    assert room.is_moderator("@c:x", 50)
    assert not room.is_moderator("@p:x", 50)


def test_a_v11_creator_needs_power_in_the_table():
    room = RoomSnapshot(room_id="!r:x", room_version="11", creators=frozenset({"@c:x"}), user_power_levels={"@m:x": 50})
    assert not room.is_moderator("@c:x", 50)
    assert room.is_moderator("@m:x", 50)


def test_the_users_default_power_level_applies_to_unlisted_users():
    room = RoomSnapshot(room_id="!r:x", users_default_power_level=60)
    assert room.is_moderator("@anyone:x", 50)
