"""The synopsis's inputs and its document model, shared by the compiler and the renderers.

People never appear here: contributions carry a pseudonymous `member_key` (used only to count distinct people, and
never copied into the document) and a short reference (`ref`) that moderators use to curate the draft.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from privacy.categories import DEFAULT_CATEGORIES, StakeholderCategories
from synopsis.consensus import ConsensusRoundInput, ConsensusRoundResult

# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class DialogueInput:
    title: str
    started_at: float  # unix seconds
    ended_at: float | None
    session_count: int  # distinct days on which challenges were open
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class ChallengeInput:
    number: int
    title: str
    prompt: str
    headings: tuple[str, ...] = ()  # the secretariat's expected themes, in its order (guided themes)


@dataclass(frozen=True, slots=True)
class ContributionInput:
    ref: str
    challenge_number: int
    text: str  # already scrubbed
    member_key: str
    supporter_keys: frozenset[str] = frozenset()
    created_at: float = 0.0
    scrubbed: bool = False  # whether scrubbing replaced anything in it (names, affiliations, contact details)


@dataclass(frozen=True, slots=True)
class Overrides:
    """Moderators' corrections, keyed by contribution references so they survive recompilation.

    Applied in this order after the machine grouping: `joins` (the theme holding the first ref is merged into the
    theme holding the second), then `moves` (the ref goes to the theme holding the target ref, or alone into a new
    theme when the target is None). `excluded` refs are left out before anything else; `ways_forward` refs are
    listed under "Suggested ways forward" (and still count in their theme).
    """

    joins: tuple[tuple[str, str], ...] = ()
    moves: tuple[tuple[str, str | None], ...] = ()
    excluded: frozenset[str] = frozenset()
    ways_forward: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SynopsisInput:
    dialogue: DialogueInput
    challenges: tuple[ChallengeInput, ...]
    contributions: tuple[ContributionInput, ...]
    categories: Mapping[str, str] = field(default_factory=dict)  # member_key -> stakeholder category
    overrides: Overrides = Overrides()
    k: int = 3
    stakeholder_categories: StakeholderCategories = DEFAULT_CATEGORIES  # the deployment's list and plurals
    consensus: tuple[ConsensusRoundInput, ...] = ()  # consensus rounds' statements and votes (synopsis.consensus)


# ---------------------------------------------------------------- document


@dataclass(frozen=True, slots=True)
class Theme:
    number: int  # 1-based within its challenge, stable for the same input
    label: str  # a few distinctive keywords
    statement: str  # the most representative contribution (medoid), as written (scrubbed)
    refs: tuple[str, ...]  # every contribution the theme stands for, in a stable order
    contribution_band: str | None  # how many contributions it stands for (duplicates included), as a band; None below k
    support_band: str | None  # distinct people (contributors + 👍 supporters) as a band, None below k
    category_phrase: str | None  # "including civil society participants", only for categories reaching k
    heading: str | None = None  # the secretariat's heading this theme stands under; None: a machine theme


@dataclass(frozen=True, slots=True)
class OtherPoint:
    statement: str
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChallengeSection:
    number: int
    title: str
    prompt: str
    themes: tuple[Theme, ...]
    other_points: tuple[OtherPoint, ...]  # singletons: minority views are kept, not dropped
    participation_band: str | None


@dataclass(frozen=True, slots=True)
class WayForward:
    challenge_number: int
    statement: str
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MethodNote:
    k: int
    grouping: str  # one paragraph: how contributions were grouped
    excluded_count_band: str | None  # moderators' exclusions, as a band (None below k)
    contribution_count_band: str | None
    scrubbed_count_band: str | None = None  # contributions that scrubbing changed, as a band (None below k)


@dataclass(frozen=True, slots=True)
class Synopsis:
    title: str
    period: str  # e.g. "1–3 December 2026", from the dialogue's dates
    session_count: int
    participation_band: str | None
    sections: tuple[ChallengeSection, ...]
    ways_forward: tuple[WayForward, ...]
    method: MethodNote
    consensus: tuple[ConsensusRoundResult, ...] = ()  # consensus marks per round (synopsis.consensus)
