"""The synopsis's inputs and its document model, shared by the compiler and the renderers.

People never appear here: contributions carry a pseudonymous `member_key` (used only to count distinct people, and
never copied into the document) and a short reference (`ref`) that moderators use to curate the draft.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from privacy.categories import DEFAULT_CATEGORIES, StakeholderCategories
from synopsis.consensus import ConsensusRoundInput, ConsensusRoundResult
from synopsis.participation import Participation

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
    language: str | None = None  # ISO 639-1 code (synopsis.language); None when the detector was unsure


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
class SecretariatText:
    """The ISU's or a moderator's own wording, which the draft uses instead of the machine's.

    A theme's wording is keyed by the reference of a contribution in it, as corrections are, so it survives
    recompilation (when two of a theme's contributions carry one, the one set last wins). Leads and ways forward are
    keyed by challenge number; ways forward are listed in the order given, after those taken from contributions.
    """

    theme_wordings: tuple[tuple[str, str], ...] = ()  # (contribution ref, wording), in the order set
    leads: tuple[tuple[int, str], ...] = ()  # (challenge number, lead paragraph)
    ways_forward: tuple[tuple[int, str], ...] = ()  # (challenge number, a way forward), in the order set


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
    secretariat: SecretariatText = SecretariatText()
    # The document's language (ISO 639-1): every word the bot writes in the synopsis, not the contributions, which
    # are quoted as written. One without a catalogue (i18n.COMPLETE_LANGUAGES) reads in English.
    language: str = "en"


# ---------------------------------------------------------------- document

# Where the statement the body prints comes from (`wording_source`). Only "machine" is machine-drafted: a
# contribution in reported form (synopsis.reported_speech), flagged as such in every format.
FROM_SECRETARIAT = "secretariat"
FROM_HEADING = "heading"
FROM_MACHINE = "machine"


@dataclass(frozen=True, slots=True)
class AnnexEntry:
    """One contribution as the annex lists it: its reference, its scrubbed text and its language (None: unknown),
    nothing about its author."""

    ref: str
    text: str
    language: str | None = None


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
    # The body's neutral statement and the annex's list (added with the annex; "" / () when built by hand).
    wording: str = ""  # the secretariat's wording, else the heading, else `statement` in reported form
    wording_source: str = FROM_MACHINE
    contributions: tuple[AnnexEntry, ...] = ()  # every contribution in `refs`, scrubbed, for the annex

    @property
    def machine_drafted(self) -> bool:
        return self.wording_source == FROM_MACHINE


@dataclass(frozen=True, slots=True)
class OtherPoint:
    statement: str
    refs: tuple[str, ...]
    language: str | None = None  # the statement's language, as for an annex entry
    wording: str = ""  # as for a theme: the secretariat's wording, else `statement` in reported form
    wording_source: str = FROM_MACHINE

    @property
    def machine_drafted(self) -> bool:
        return self.wording_source == FROM_MACHINE


@dataclass(frozen=True, slots=True)
class ChallengeSection:
    number: int
    title: str
    prompt: str
    themes: tuple[Theme, ...]
    other_points: tuple[OtherPoint, ...]  # singletons: minority views are kept, not dropped
    participation_band: str | None
    lead: str | None = None  # the secretariat's lead paragraph for the challenge


@dataclass(frozen=True, slots=True)
class WayForward:
    challenge_number: int
    statement: str
    refs: tuple[str, ...]  # () for one the secretariat wrote
    wording: str = ""  # the secretariat's text, or `statement` in reported form
    wording_source: str = FROM_MACHINE

    @property
    def machine_drafted(self) -> bool:
        return self.wording_source == FROM_MACHINE


@dataclass(frozen=True, slots=True)
class MethodNote:
    k: int
    grouping: str  # one paragraph: how contributions were grouped
    excluded_count_band: str | None  # moderators' exclusions, as a band (None below k)
    contribution_count_band: str | None
    scrubbed_count_band: str | None = None  # contributions that scrubbing changed, as a band (None below k)
    edited: tuple[str, ...] = ()  # which statements the secretariat wrote or edited, e.g. "challenge 1, theme 2"


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
    # The languages its contributions were detected in (ISO 639-1, sorted; unknown ones left out). With more than
    # one, the annex notes each contribution's language.
    languages: tuple[str, ...] = ()
    language: str = "en"  # the document's language (SynopsisInput.language): the renderers write in it
    # The participation charts' bars (synopsis.participation): per challenge and per day, as bands, never below k.
    participation: Participation = field(default_factory=Participation)

    @property
    def multilingual(self) -> bool:
        return len(self.languages) > 1
