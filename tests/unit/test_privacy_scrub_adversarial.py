"""Scrubbing takes linear time: 64 KB bodies built to hit each pattern's worst case are scrubbed, and scrubbed well.

Each body is scrubbed in a forked child (tests/support/time_guard.py) with a generous timeout, so a pattern that went
quadratic again fails its own test instead of hanging the suite; the time itself is measured by
`benchmarks/scrub_speed.py`, not here.
"""

from __future__ import annotations

import functools
import re

import pytest

from privacy import ScrubContext, scrub_message
from tests.support.scrub_corpus import Shape, adversarial_shapes, realistic_roster
from tests.support.time_guard import finishes_within

GUARD_SECONDS = 20  # a linear scrub of 64 KB takes milliseconds; the quadratic ones took minutes

# What would be left of an e-mail address or a Matrix user ID (checked with patterns that cannot backtrack much).
EMAIL_LEFT = re.compile(r"[\w%+-]@[\w-]+\.[\w-]")
USER_ID_LEFT = re.compile(r"@[A-Za-z0-9._=\-/+]+:(?:[A-Za-z0-9]|\[[0-9A-Fa-f:.]{1,45}\])")


@functools.cache
def _corpus(members: int) -> tuple[ScrubContext, dict[str, Shape]]:
    """The context and shapes for a roster of `members`, built (and the context's patterns compiled) once."""
    roster = realistic_roster(members)
    context = ScrubContext(roster.member_ids, roster.display_names, roster.affiliations)
    scrub_message("", None, context)
    return context, {shape.name: shape for shape in adversarial_shapes(roster)}


def _scrub_shape(name: str, members: int) -> str:
    context, shapes = _corpus(members)
    return scrub_message(shapes[name].body, shapes[name].formatted_body, context)


def _scrub_with_guard(name: str, members: int) -> str:
    _corpus(members)  # built before the fork, so that the child only scrubs
    return finishes_within(GUARD_SECONDS, _scrub_shape, name, members)


@pytest.mark.parametrize("name", [shape.name for shape in adversarial_shapes(realistic_roster())])
def test_an_adversarial_body_is_scrubbed_without_emails_or_user_ids_left(name):
    scrubbed = _scrub_with_guard(name, members=60)
    assert EMAIL_LEFT.search(scrubbed) is None
    assert USER_ID_LEFT.search(scrubbed) is None


@pytest.mark.parametrize("name", ["whitespace_run", "name_prefixes", "affiliation_repeated", "email_apostrophe_runs"])
def test_a_roster_of_500_members_still_scrubs_an_adversarial_body(name):
    scrubbed = _scrub_with_guard(name, members=500)
    assert EMAIL_LEFT.search(scrubbed) is None
    assert USER_ID_LEFT.search(scrubbed) is None


def test_a_roster_of_500_members_still_finds_its_affiliations():
    scrubbed = _scrub_with_guard("affiliation_repeated", members=500)
    assert scrubbed.startswith("[affiliation] Red Cros [affiliation] Red Cros ")


def test_the_realistic_roster_has_sixty_members_and_their_affiliations():
    roster = realistic_roster()
    assert len(roster.member_ids) == 60
    assert len(roster.display_names) == 60
    assert len(roster.affiliations) >= 30


def _scrub_with_display_name(display_name: str) -> str:
    context = ScrubContext(frozenset({"@a:example.org"}), frozenset({display_name}), frozenset())
    return scrub_message("Amara Okafor spoke.", None, context)


@pytest.mark.parametrize("display_name", ["Amara Okafor " + "(" * 60_000, "Amara Okafor " + "( " * 30_000])
def test_a_display_name_of_unclosed_brackets_is_read_in_linear_time(display_name):
    # The brackets never close, so there is no shorter form to look for; the name's parts are still found.
    scrubbed = finishes_within(GUARD_SECONDS, _scrub_with_display_name, display_name)
    assert scrubbed == "[participant] [participant] spoke."


def test_display_names_each_one_letter_longer_than_the_last_up_to_the_longest_looked_for_are_all_found():
    # Every letter is a branching point of the names' trie: as deep a nesting as the pattern can get.
    names = frozenset("Zo" + "e" * count for count in range(1, 299))
    context = ScrubContext(frozenset(), names, frozenset())
    assert scrub_message("Zoeee and Zo" + "e" * 298 + " agreed; Zo" + "e" * 299 + " did not.", None, context) == (
        "[participant] and [participant] agreed; Zo" + "e" * 299 + " did not."
    )
