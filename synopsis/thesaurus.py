"""Synonym sets of treaty-dialogue vocabulary, so contributions that say the same thing in other words can meet.

TF-IDF sees only shared words: "leaving the treaty" and "withdrawal from the Convention" share none. Before
grouping, every phrase below is replaced by its set's head word, so both read "withdraw … convention". The sets are
written for disarmament and humanitarian-treaty dialogues by one rule: **same meaning, not same topic**. "Quit" and
"withdraw" are one set; "stigma" and "media" are not, however often they come up together. A word that often means
something else in diplomatic speech is left out ("press", "deliver", "help") or kept only in context ("leave the
treaty", never "leave" alone). Nothing here is shown to anyone: labels and statements keep the participants' own
words.

A head word counts as one of its own phrases. Phrases are matched on the stems of *all* words of a contribution
(stop words included, so "States not party" is not read as "States party"), longest phrase first, so "cluster
munitions" and "States not party" win over their parts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from synopsis.text import stem, words_of

SYNONYM_SETS: Mapping[str, Sequence[str]] = {
    # Leaving a treaty.
    "withdraw": (
        "withdrawal",
        # "leave" alone mostly means something else ("leave no one behind", "leaves victims"): only with the treaty.
        "leave the convention",
        "leave the treaty",
        "leaving the convention",
        "leaving the treaty",
        "left the convention",
        "left the treaty",
        "quit",
        "quitting",
        "denounce",
        "denunciation",
        "exit",
        "pull out",
        "pulling out",
        "walk away",
        "renounce",
        "renunciation",
    ),
    # States outside a treaty, and becoming a party.
    "nonparty": (
        "states not party",
        "state not party",
        "states not parties",
        "non party",
        "non parties",
        "non state party",
        "non signatory",
        "non signatories",
        "holdout",
        "holdouts",
        "outside the convention",
        "outside the treaty",
        "have not joined",
        "non member",
        "non members",
    ),
    "accede": (
        "accession",
        "join the convention",
        "join the treaty",
        "joining the convention",
        "joining the treaty",
        "universalisation",
        "universalization",
        "universality",
        "ratify",
        "ratification",
    ),
    # What is done with the weapons.
    "use": ("using", "used", "strike", "attack", "deploy", "deployment", "employ"),
    "transfer": ("ship", "shipment", "transit", "export", "import", "supply"),  # not "deliver": "deliver results"
    # The weapons themselves, however they are named.
    "munition": (
        "cluster munition",
        "cluster bomb",
        "submunition",
        "bomblet",
        "the weapon",
        "these weapons",
        "such weapons",
        "banned weapon",
        "prohibited weapon",
    ),
    "remnant": ("remnants", "unexploded", "uxo", "explosive remnants", "dud", "contamination", "contaminated"),
    "clearance": ("demining", "decontamination", "land release"),
    # People harmed, and the help they get.
    "casualty": ("casualties", "victim", "killed", "killing", "maimed", "maiming", "injured", "wounded"),
    "survivor": ("survivors", "victim assistance"),
    "funding": ("funds", "fund", "financing", "financial", "money", "financial resources", "donor", "budget"),
    "assistance": ("assist", "aid"),  # not "help": "would help to" is everywhere
    # Saying things plainly, and the world around the treaty.
    "realistic": ("realism", "honest", "frank", "candid", "clear eyed", "squarely", "head on", "face reality"),
    "geopolitical": ("geopolitics", "strategic environment", "security environment", "political context"),
    "military": ("militaries", "armed forces", "defence ministries", "defense ministries", "ministry of defence"),
    # Working together, or apart.
    "alliance": ("coalition", "partnership"),
    "silo": ("silos", "fragmented", "fragmentation", "in isolation", "works alone"),
    # Reputation, memory and the public.
    "stigma": ("stigmatisation", "stigmatization", "name and shame", "naming and shaming", "taboo"),
    "memory": ("remember", "forgotten", "forget", "forgetting"),  # not "remind": "let me remind you"
    "advocacy": ("campaign", "campaigning", "awareness raising"),
    "media": ("news", "journalists"),  # not "press": "press for action"
    "public": ("general public", "public opinion", "public attention"),
    # Development and peace.
    "development": ("sustainable development",),
    "farming": ("agriculture", "farmland", "farmer", "farm"),  # not "fields": "in the fields of cooperation"
    "peace": ("peacebuilding",),
    # How States answer, and what becomes accepted.
    # Not "object": "the object and purpose of the treaty".
    "react": ("reaction", "respond", "response", "protest", "objected", "objection", "condemn", "condemnation"),
    "normalise": ("normal", "normalisation", "normalization"),
    "recent": ("current", "ongoing", "today's", "fresh", "latest"),
}
"""Head word → phrases that mean the same in treaty dialogues (matched by stems, longest first)."""


@dataclass(frozen=True, slots=True)
class Thesaurus:
    """Replaces synonym phrases by their head word. Build once; `apply` is pure and deterministic.

    A phrase listed under two head words belongs to the set that comes first in `sets`.
    """

    sets: Mapping[str, Sequence[str]] = field(default_factory=lambda: SYNONYM_SETS)
    _phrases: dict[tuple[str, ...], str] = field(init=False, repr=False, compare=False)
    _longest_from: dict[str, int] = field(init=False, repr=False, compare=False)  # first stem → longest phrase

    def __post_init__(self) -> None:
        phrases: dict[tuple[str, ...], str] = {}
        for head, variants in self.sets.items():
            for variant in (head, *variants):
                key = _stems_of(variant)
                if key:
                    phrases.setdefault(key, head.casefold())  # texts are casefolded; the head word must match them
        longest_from: dict[str, int] = {}
        for key in phrases:
            longest_from[key[0]] = max(longest_from.get(key[0], 0), len(key))
        object.__setattr__(self, "_phrases", phrases)
        object.__setattr__(self, "_longest_from", longest_from)

    def extended(self, extra: Mapping[str, Sequence[str]]) -> Thesaurus:
        """This thesaurus with `extra` sets added first, so a deployment's own vocabulary wins where the two differ.

        A head word that is already here keeps its phrases and gains the extra ones.
        """
        merged: dict[str, tuple[str, ...]] = {}
        for head, variants in extra.items():
            merged[head] = (*variants, *self.sets.get(head, ()))
        for head, variants in self.sets.items():
            merged.setdefault(head, tuple(variants))
        return Thesaurus(merged)

    def apply(self, normalised: str) -> str:
        """`normalised` with every synonym phrase replaced by its head word (longest match, left to right)."""
        return " ".join(self.replace_words(words_of(normalised)))

    def replace_words(self, words: Sequence[str]) -> list[str]:
        """`words` (casefolded, in order) with every synonym phrase replaced by its head word."""
        stems = list(map(stem, words))
        longest_from, phrases = self._longest_from, self._phrases
        out: list[str] = []
        index, count = 0, len(words)
        while index < count:
            # Most words start no phrase (longest 0); only those that do are looked up, at the lengths that exist.
            matched = 0
            for length in range(min(longest_from.get(stems[index], 0), count - index), 0, -1):
                head = phrases.get(tuple(stems[index : index + length]))
                if head is not None:
                    out.append(head)
                    matched = length
                    break
            if matched:
                index += matched
            else:
                out.append(words[index])
                index += 1
        return out


def _stems_of(phrase: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in words_of(phrase.casefold()))


DEFAULT_THESAURUS = Thesaurus()
