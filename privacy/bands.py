"""k-anonymous counts: words instead of numbers, and nothing at all below k.

Under the Chatham House Rule a synopsis may say that a view was held, but not by whom. An exact count ("2
participants", "1 survivor") can point at a person in a small room, so counts that leave the room are shown only
as bands, and only when at least `k` distinct contributors stand behind them.

Band cut-offs (`band(count, k)`), for a threshold k ≥ 1:

| distinct contributors    | shown as         |
|--------------------------|------------------|
| count < k                | nothing (`None`) |
| k ≤ count < 5            | "a few"          |
| max(k, 5) ≤ count < 10   | "several"        |
| count ≥ max(k, 10)       | "many"           |

So the lowest band shown always starts at k: with k = 3, 3–4 is "a few"; with k = 5, "a few" never appears and
5–9 is "several"; with k = 7, 7–9 is "several"; with k ≥ 10, only "many" is ever shown.

Stakeholder categories (`category_phrase`) follow the same rule per category: a category is named only if at least
k distinct contributors from it took part. Categories are listed in a fixed order, never by size, so the phrase does
not reveal which group was larger: survivors, civil society participants, international organisations,
States parties, other participants.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

A_FEW = "a few"
SEVERAL = "several"
MANY = "many"

SEVERAL_FROM = 5
"""Smallest count shown as "several" (unless k is larger)."""

MANY_FROM = 10
"""Smallest count shown as "many" (unless k is larger)."""

STAKEHOLDER_CATEGORIES: tuple[str, ...] = (
    "State party",
    "international organisation",
    "civil society",
    "survivor",
    "other",
)
"""The canonical stakeholder category names, as stored and as accepted by `category_phrase`."""

CATEGORY_PHRASE_ORDER: tuple[str, ...] = (
    "survivor",
    "civil society",
    "international organisation",
    "State party",
    "other",
)
"""The fixed order in which `category_phrase` lists categories (independent of their counts)."""

_PLURALS: Mapping[str, str] = {
    "State party": "States parties",
    "international organisation": "international organisations",
    "civil society": "civil society participants",
    "survivor": "survivors",
    "other": "other participants",
}

_SYNONYMS: Mapping[str, str] = {
    **dict.fromkeys(
        ("state", "states", "state party", "states parties", "state parties", "states party"),
        "State party",
    ),
    **dict.fromkeys(
        (
            "io",
            "ios",
            "igo",
            "igos",
            "international organisation",
            "international organisations",
            "international organization",
            "international organizations",
            "intergovernmental organisation",
            "intergovernmental organisations",
            "intergovernmental organization",
            "intergovernmental organizations",
        ),
        "international organisation",
    ),
    **dict.fromkeys(
        (
            "cso",
            "csos",
            "ngo",
            "ngos",
            "civil society",
            "civil society organisation",
            "civil society organisations",
            "civil society organization",
            "civil society organizations",
            "non governmental organisation",
            "non governmental organisations",
            "non governmental organization",
            "non governmental organizations",
        ),
        "civil society",
    ),
    **dict.fromkeys(("survivor", "survivors"), "survivor"),
    **dict.fromkeys(("other", "others"), "other"),
}

_SEPARATORS = re.compile(r"[\s_\-]+")


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


def band(count: int, k: int) -> str | None:
    """Return the word band for `count` distinct contributors, or None if fewer than `k` (nothing may be shown).

    The cut-offs are in the module docstring. Raises ValueError for a negative count or k < 1, since either means
    the caller computed something wrong and a guess could leak.
    """
    _check_k(k)
    if count < 0:
        raise ValueError(f"a count cannot be negative, got {count}")
    if count < k:
        return None
    if count < SEVERAL_FROM:
        return A_FEW
    if count < MANY_FROM:
        return SEVERAL
    return MANY


def category_phrase(category_counts: Mapping[str, int], k: int) -> str | None:
    """Say which stakeholder categories took part, naming only those with at least `k` distinct contributors.

    `category_counts` maps canonical category names (see `STAKEHOLDER_CATEGORIES`) to distinct-contributor counts;
    missing categories count as 0. The result reads e.g. "including civil society participants and States parties",
    lists categories in `CATEGORY_PHRASE_ORDER` (never by size), and is None when no category reaches k.
    Raises ValueError for an unknown category name or a negative count: a misspelt key must not silently drop or
    mislabel a group.
    """
    _check_k(k)
    for name, count in category_counts.items():
        if name not in _PLURALS:
            raise ValueError(f"unknown stakeholder category {name!r}; expected one of {STAKEHOLDER_CATEGORIES}")
        if count < 0:
            raise ValueError(f"a count cannot be negative, got {count} for {name!r}")
    shown = [_PLURALS[name] for name in CATEGORY_PHRASE_ORDER if category_counts.get(name, 0) >= k]
    if not shown:
        return None
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    return f"including {listed}"


def normalise_category(text: str) -> str | None:
    """Map what a convenor typed ("CSO", "States Parties", "international organization", …) to a canonical name.

    Case, surrounding whitespace, hyphens/underscores and a trailing full stop are ignored. Returns None for
    anything unrecognised, so the caller can ask again instead of filing someone under a wrong category.
    """
    key = _SEPARATORS.sub(" ", text.strip().rstrip(".").casefold()).strip()
    return _SYNONYMS.get(key)
