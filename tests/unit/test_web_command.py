"""`!dialogue web [<dialogue>]`: its argument, and the link it sends."""

from __future__ import annotations

import pytest

from handlers.commands import UsageError
from handlers.web_commands import link_for, web_arguments


def test_no_argument_means_the_rooms_dialogue_and_a_number_names_one() -> None:
    assert web_arguments("") is None
    assert web_arguments("  ") is None
    assert web_arguments("3") == 3
    assert web_arguments("#3") == 3


@pytest.mark.parametrize("raw", ["three", "3 4", "-1", "3;", "²"])
def test_anything_else_is_a_usage_error(raw: str) -> None:
    with pytest.raises(UsageError):
        web_arguments(raw)


def test_the_link_opens_the_dialogues_page_with_the_token() -> None:
    assert link_for("https://view.test", 3, "v1.3.9.sig") == "https://view.test/d/3?t=v1.3.9.sig"
