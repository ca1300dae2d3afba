"""Names and affiliations the way people write them: every row of the leak corpus comes out as expected.

The corpus (tests/support/leak_corpus.py) has one row per way a name or affiliation slips through: short forms,
demonyms, ISO codes, acronyms, first names and surnames, possessives, capitals, hashtags, URLs, e-mail addresses, line
breaks, quotes, reply fallbacks, DMs and edits; and sentences that must survive unchanged.
"""

from __future__ import annotations

import pytest

from privacy import ScrubContext, scrub_message
from tests.support.leak_corpus import AFFILIATIONS, DISPLAY_NAMES, KEPT, LEAKS, MEMBER_IDS

CONTEXT = ScrubContext(member_ids=MEMBER_IDS, display_names=DISPLAY_NAMES, affiliations=AFFILIATIONS)


def test_the_corpus_has_at_least_sixty_leaks():
    assert len(LEAKS) >= 60
    assert len({row[0] for row in LEAKS}) == len(LEAKS)


@pytest.mark.parametrize(("body", "formatted", "expected"), [row[1:] for row in LEAKS], ids=[row[0] for row in LEAKS])
def test_a_leak_is_scrubbed(body, formatted, expected):
    assert scrub_message(body, formatted, CONTEXT) == expected


@pytest.mark.parametrize("text", [row[1] for row in KEPT], ids=[row[0] for row in KEPT])
def test_ordinary_words_are_kept(text):
    assert scrub_message(text, None, CONTEXT) == text


@pytest.mark.parametrize(("body", "formatted", "expected"), [row[1:] for row in LEAKS], ids=[row[0] for row in LEAKS])
def test_scrubbing_a_leak_twice_changes_nothing_more(body, formatted, expected):
    assert scrub_message(expected, None, CONTEXT) == expected
