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

Stakeholder categories follow the same rule per category: a category is named only if at least k distinct
contributors from it took part (`privacy.categories`, which also holds a deployment's own categories).
"""

from __future__ import annotations

from collections.abc import Mapping

from i18n import document_marked
from privacy.categories import CATEGORY_PHRASE_ORDER, DEFAULT_CATEGORIES, STAKEHOLDER_CATEGORIES

__all__ = [
    "A_FEW",
    "CATEGORY_PHRASE_ORDER",
    "MANY",
    "SEVERAL",
    "STAKEHOLDER_CATEGORIES",
    "band",
    "category_phrase",
    "normalise_category",
]

# The bands are the model's values in English; the synopsis renderers write them in the document's language
# (these are the words the JSON gives; the Markdown and DOCX have a whole sentence for each band).
A_FEW = document_marked("a few")
SEVERAL = document_marked("several")
MANY = document_marked("many")

SEVERAL_FROM = 5
"""Smallest count shown as "several" (unless k is larger)."""

MANY_FROM = 10
"""Smallest count shown as "many" (unless k is larger)."""


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
    """Say which of the built-in stakeholder categories took part, naming only those with at least `k` distinct
    contributors; see `privacy.categories.StakeholderCategories.phrase` (a deployment's own list goes there)."""
    _check_k(k)
    return DEFAULT_CATEGORIES.phrase(category_counts, k)


def normalise_category(text: str) -> str | None:
    """Map what a convenor typed ("CSO", "States Parties", "international organization", …) to a built-in name.

    Case, surrounding whitespace, hyphens/underscores and a trailing full stop are ignored. Returns None for
    anything unrecognised, so the caller can ask again instead of filing someone under a wrong category.
    """
    return DEFAULT_CATEGORIES.normalise(text)
