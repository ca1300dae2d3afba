"""Stakeholder categories: the deployment's list, how a convenor's spelling maps onto it, and the phrase that names
the categories behind a theme.

A deployment configures its categories (`privacy.stakeholder_categories`): by default the five below, to which it
may add its own ("State not party", "UN agency", "academia", …). The roster stores only canonical names from that
list, so an unknown or misspelt category is refused when it is entered, not silently dropped from the synopsis.

A category is named in a phrase only when at least k distinct people of it stand behind the theme, and categories
are listed in a fixed order, never by size, so the phrase does not reveal which group was larger: the built-in ones
first (survivors, civil society participants, international organisations, States parties), then the deployment's
own in the order it lists them, then "other participants".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

STAKEHOLDER_CATEGORIES: tuple[str, ...] = (
    "State party",
    "international organisation",
    "civil society",
    "survivor",
    "other",
)
"""The built-in canonical category names: the default list, and the names the synonyms below map onto."""

CATEGORY_PHRASE_ORDER: tuple[str, ...] = (
    "survivor",
    "civil society",
    "international organisation",
    "State party",
    "other",
)
"""The fixed order of the built-in categories in a phrase; a deployment's own come before "other"."""

LAST_IN_PHRASE = "other"

BUILT_IN_PLURALS: Mapping[str, str] = MappingProxyType(
    {
        "State party": "States parties",
        "international organisation": "international organisations",
        "civil society": "civil society participants",
        "survivor": "survivors",
        "other": "other participants",
    }
)

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


def category_key(text: str) -> str:
    """What two spellings of one category have in common: case, spacing, `-`/`_` and a final full stop ignored."""
    return _SEPARATORS.sub(" ", text.strip().rstrip(".").casefold()).strip()


def default_plural(name: str) -> str:
    """How a category without a configured plural is named in a phrase ("academia" -> "academia participants")."""
    return BUILT_IN_PLURALS.get(name, f"{name} participants")


@dataclass(frozen=True, slots=True)
class StakeholderCategories:
    """A deployment's stakeholder categories, with the plural each is named by in a phrase."""

    names: tuple[str, ...] = STAKEHOLDER_CATEGORIES
    plurals: Mapping[str, str] = field(default_factory=dict)  # name -> plural; missing ones use `default_plural`

    def __post_init__(self) -> None:
        if not self.names:
            raise ValueError("at least one stakeholder category is needed")
        keys = [category_key(name) for name in self.names]
        if len(set(keys)) != len(keys):
            raise ValueError(f"stakeholder categories repeat one another: {self.names}")
        unknown = set(self.plurals) - set(self.names)
        if unknown:
            raise ValueError(f"plurals given for categories that are not listed: {sorted(unknown)}")

    def listing(self) -> str:
        """The allowed names for a message: "State party, international organisation, …"."""
        return ", ".join(self.names)

    def normalise(self, text: str) -> str | None:
        """The canonical name for what a convenor typed, or None if it is none of the configured categories.

        Accepts a configured name or its plural in any case and spacing, and, for built-in categories the
        deployment lists, the usual synonyms ("CSO", "NGOs", "States Parties", "international organization").
        """
        key = category_key(text)
        for name in self.names:
            if key in (category_key(name), category_key(self.plural(name))):
                return name
        synonym = _SYNONYMS.get(key)
        return synonym if synonym in self.names else None

    def plural(self, name: str) -> str:
        return self.plurals.get(name) or default_plural(name)

    def phrase_order(self) -> tuple[str, ...]:
        built_in = [name for name in CATEGORY_PHRASE_ORDER if name in self.names and name != LAST_IN_PHRASE]
        own = [name for name in self.names if name not in CATEGORY_PHRASE_ORDER]
        last = [LAST_IN_PHRASE] if LAST_IN_PHRASE in self.names else []
        return (*built_in, *own, *last)

    def phrase(self, counts: Mapping[str, int], k: int) -> str | None:
        """Say which categories took part, naming only those with at least `k` distinct people behind the theme.

        `counts` maps configured names to distinct-people counts (missing ones count 0). Reads e.g. "including
        civil society participants and UN agencies"; None when no category reaches k. Raises ValueError for a name
        that is not configured or a negative count: a misspelt key must not silently drop or mislabel a group.
        """
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        for name, count in counts.items():
            if name not in self.names:
                raise ValueError(f"unknown stakeholder category {name!r}; expected one of {self.names}")
            if count < 0:
                raise ValueError(f"a count cannot be negative, got {count} for {name!r}")
        shown = [self.plural(name) for name in self.phrase_order() if counts.get(name, 0) >= k]
        if not shown:
            return None
        listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
        return f"including {listed}"

    def count(self, people: Iterable[str], category_of: Mapping[str, str]) -> dict[str, int]:
        """Distinct people per category; a stored category this deployment no longer lists is left out."""
        counts: dict[str, int] = {}
        for person in people:
            stored = category_of.get(person)
            name = None if stored is None else self.normalise(stored)
            if name is not None:
                counts[name] = counts.get(name, 0) + 1
        return counts


DEFAULT_CATEGORIES = StakeholderCategories()
"""The built-in list, for callers (and tests) with no deployment settings at hand."""
