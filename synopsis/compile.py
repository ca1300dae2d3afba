"""Compile a dialogue's contributions into the draft synopsis (pure: no I/O, no clock, no randomness).

`compile_synopsis(data)` works challenge by challenge:

1. moderators' exclusions are dropped;
2. duplicates are merged and the rest grouped into themes by machine (`synopsis.grouping`);
3. moderators' joins, then moves, are applied (they are keyed by contribution references, so they survive a
   recompilation with new contributions; a reference that no longer exists is ignored);
4. each group of two or more contributions becomes a theme: its statement is the medoid (the contribution most
   similar on average to the others), its label the keywords most distinctive of it within the challenge; a group
   of one is kept under "Other points raised", so minority views are not lost;
5. support is counted in distinct people (contributors and 👍 supporters), and shown only as a band from k upwards;
   a theme's number of contributions is a band too. No exact count of people or contributions reaches the
   `Synopsis`: the only numbers in it are ordinals (challenge and theme numbers), the threshold k and the number of
   sessions, which follows from the published schedule.

The same input always gives an equal `Synopsis`: inputs are put into a total order (by reference) before anything
else, and every tie is broken by reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from privacy.bands import band
from synopsis.consensus import consensus_results
from synopsis.document_locale import document_language, format_period
from synopsis.grouping import CHOSEN, Grouping, GroupingParams
from synopsis.guided import GUIDED, Assignment, GuidedParams, with_thesaurus
from synopsis.method_note import method_paragraph
from synopsis.model import (
    ChallengeInput,
    ChallengeSection,
    ContributionInput,
    MethodNote,
    OtherPoint,
    Overrides,
    Synopsis,
    SynopsisInput,
    Theme,
    WayForward,
)
from synopsis.multilingual import SameLanguage, Similarity, similarity_for
from synopsis.participation import participation
from synopsis.progress import GROUPING, Progress, no_progress
from synopsis.text import PLACEHOLDER_RE, ref_sort_key, word_tokens, written_words
from synopsis.wording import with_wording

MIN_KEYWORDS = 2
MAX_KEYWORDS = 4
KEYWORD_RELATIVE_FLOOR = 0.5
"""A third or fourth keyword is added only if it scores at least this share of the best one (else it is noise)."""


def compile_synopsis(
    data: SynopsisInput,
    params: GroupingParams = CHOSEN,
    guided: GuidedParams = GUIDED,
    progress: Progress = no_progress,
) -> Synopsis:
    """Compile the draft synopsis. Deterministic: equal inputs (in any contribution order) give equal outputs.

    `progress` hears (GROUPING, done, total) before the first challenge and after each one (synopsis/progress.py).

    `params` and `guided` exist for the benchmarks and tests; the bot uses the measured `CHOSEN` and `GUIDED`. Raises
    `zoneinfo.ZoneInfoNotFoundError` for an unknown `dialogue.timezone` (a wrong date would be worse than none).
    """
    # The body's neutral statements, the annex's lists and the secretariat's own wording (synopsis/wording.py).
    return with_wording(_grouped(data, params, guided, progress), data)


def _grouped(data: SynopsisInput, params: GroupingParams, guided: GuidedParams, progress: Progress) -> Synopsis:
    k = data.k
    language = document_language(data.language)
    challenges = sorted(data.challenges, key=lambda challenge: challenge.number)
    known = {challenge.number for challenge in challenges}
    # Contributions to a challenge the dialogue does not list have no section to go in, so they are left out.
    listed = (c for c in data.contributions if c.challenge_number in known)
    present = _unique_refs(sorted(listed, key=_contribution_order))
    excluded = data.overrides.excluded
    kept = [c for c in present if c.ref not in excluded]

    by_challenge: dict[int, list[ContributionInput]] = {number: [] for number in known}
    for contribution in kept:
        by_challenge[contribution.challenge_number].append(contribution)

    sections: list[ChallengeSection] = []
    scalable = False
    # Two or more detected languages: texts are compared across languages (synopsis/multilingual.py).
    # The grouping's thesaurus (with the deployment's synonym sets) serves the headings too.
    similarity = similarity_for((c.language for c in kept), params, with_thesaurus(guided, params.thesaurus))
    progress(GROUPING, 0, len(challenges))
    for done, challenge in enumerate(challenges, start=1):
        section, used_scalable = _compile_section(
            challenge, by_challenge[challenge.number], data, params, guided, similarity
        )
        sections.append(section)
        scalable = scalable or used_scalable
        progress(GROUPING, done, len(challenges))

    ways_forward = tuple(
        WayForward(challenge_number=c.challenge_number, statement=c.text, refs=(c.ref,))
        for c in sorted(
            (c for c in kept if c.ref in data.overrides.ways_forward),
            key=lambda c: (c.challenge_number, *_contribution_order(c)),
        )
    )
    excluded_count = sum(1 for c in present if c.ref in excluded)
    return Synopsis(
        title=data.dialogue.title,
        period=format_period(
            data.dialogue.started_at,
            data.dialogue.ended_at if data.dialogue.ended_at is not None else _last_time(kept),
            data.dialogue.timezone,
            language,
        ),
        session_count=data.dialogue.session_count,
        participation_band=band(len({c.member_key for c in kept}), k),
        sections=tuple(sections),
        ways_forward=ways_forward,
        method=MethodNote(
            k=k,
            grouping=method_paragraph(
                params,
                k,
                scalable=scalable,
                guided=any(c.headings for c in challenges if by_challenge[c.number]),
                language=language,
                cross_lingual=similarity.cross_lingual,
            ),
            excluded_count_band=band(excluded_count, k),
            contribution_count_band=band(len(kept), k),
            scrubbed_count_band=band(sum(1 for c in kept if c.scrubbed), k),
        ),
        consensus=consensus_results(data.consensus, k, data.categories, data.stakeholder_categories),
        languages=tuple(sorted({c.language for c in kept if c.language is not None})),
        language=language,
        participation=participation(kept, known, data.dialogue.timezone, k),
    )


def _contribution_order(contribution: ContributionInput) -> tuple[object, ...]:
    # A total order: the reference first; the rest only matters if a caller ever hands in a reference twice.
    return (
        ref_sort_key(contribution.ref),
        contribution.created_at,
        contribution.text,
        contribution.member_key,
        tuple(sorted(contribution.supporter_keys)),
        contribution.language or "",
    )


def _unique_refs(contributions: Sequence[ContributionInput]) -> list[ContributionInput]:
    # References are unique in storage; should one ever repeat, overrides could not tell the two apart, so only the
    # first (in the total order) is kept rather than letting one reference stand in two places.
    seen: set[str] = set()
    unique = []
    for contribution in contributions:
        if contribution.ref not in seen:
            seen.add(contribution.ref)
            unique.append(contribution)
    return unique


def _last_time(contributions: Iterable[ContributionInput]) -> float | None:
    return max((c.created_at for c in contributions), default=None)


# ---------------------------------------------------------------- one challenge


@dataclass(frozen=True, slots=True)
class _Group:
    members: tuple[int, ...]  # indices into the challenge's contributions (in reference order), ascending


def _compile_section(
    challenge: ChallengeInput,
    contributions: Sequence[ContributionInput],
    data: SynopsisInput,
    params: GroupingParams,
    guided: GuidedParams = GUIDED,
    similarity: Similarity | None = None,
) -> tuple[ChallengeSection, bool]:
    """The section for one challenge, and whether the large-challenge grouping path was used."""
    similarity = similarity or SameLanguage(params, with_thesaurus(guided, params.thesaurus))
    k = data.k
    participation = band(len({c.member_key for c in contributions}), k)
    if not contributions:
        return ChallengeSection(challenge.number, challenge.title, challenge.prompt, (), (), participation), False

    texts = [c.text for c in contributions]
    grouping = similarity.group(texts)
    refs = [c.ref for c in contributions]
    headings = challenge.headings
    unguided = Assignment((None,) * len(texts), (None,) * len(texts))
    assignment = similarity.assign(headings, texts) if headings else unguided
    # Heading groups come first (numbers 0 … len(headings) - 1, even when empty, so the numbers say which heading a
    # group stands under); what no heading took is grouped by machine among itself.
    initial: list[list[str]] = [[] for _ in headings]
    for index, heading in enumerate(assignment.primary):
        if heading is not None:
            initial[heading].append(refs[index])
    left = [index for index, heading in enumerate(assignment.primary) if heading is None]
    if left:
        machine_grouping = grouping if len(left) == len(texts) else similarity.group([texts[i] for i in left])
        machine: dict[int, list[int]] = {}
        for index, label in zip(left, machine_grouping.text_labels(), strict=True):
            machine.setdefault(label, []).append(index)
        initial += [[refs[i] for i in members] for members in machine.values()]
    numbered = apply_overrides_numbered(initial, data.overrides)
    index_of = {ref: index for index, ref in enumerate(refs)}
    # A near tie also lists a contribution under its second heading, if a moderator has not moved it away from its
    # first. It is still one contribution: the section's and the document's totals count it once.
    also: dict[int, list[int]] = {}
    living = dict(numbered)
    for index, second in enumerate(assignment.secondary):
        first = assignment.primary[index]
        if second is None or first is None or first not in living or second not in living:
            continue
        if refs[index] in living[first] and refs[index] not in living[second]:
            also.setdefault(second, []).append(index)
    heading_groups: list[tuple[str, _Group]] = []
    resolved: list[_Group] = []
    for number, group in numbered:
        # Those that live in the group first, so a theme's first reference (what merge and move aim at) is one of
        # them; contributions listed there for a near tie after.
        members = _Group((*sorted(index_of[ref] for ref in group), *sorted(also.get(number, []))))
        if number < len(headings):
            heading_groups.append((headings[number], members))
        else:
            resolved.append(members)

    themes_found = [group for group in resolved if len(group.members) >= 2]
    singles = [group for group in resolved if len(group.members) == 1]
    statements = _medoids(themes_found, grouping, contributions)
    labels = _keywords(themes_found, grouping, contributions)

    ranked: list[tuple[_Group, str, str, set[str], str | None]] = []
    for theme, statement, keywords in zip(themes_found, statements, labels, strict=True):
        people = _people(contributions[i] for i in theme.members)
        ranked.append((theme, statement, keywords, people, None))
    ranked.sort(key=lambda entry: (-len(entry[3]), -len(entry[0].members), ref_sort_key(refs[entry[0].members[0]])))
    # The secretariat's headings come first, in its order; a heading that drew no contribution is not shown.
    headed = [(heading, group) for heading, group in heading_groups if group.members]
    headed_statements = _medoids([group for _, group in headed], grouping, contributions)
    ranked = [
        (group, statement, heading, _people(contributions[i] for i in group.members), heading)
        for (heading, group), statement in zip(headed, headed_statements, strict=True)
    ] + ranked

    themes = tuple(
        Theme(
            number=number,
            label=label or _fallback_label(statement),
            statement=statement,
            refs=tuple(refs[i] for i in group.members),
            contribution_band=band(len(group.members), k),
            support_band=band(len(people), k),
            category_phrase=data.stakeholder_categories.phrase(
                data.stakeholder_categories.count(people, data.categories), k
            ),
            heading=heading,
        )
        for number, (group, statement, label, people, heading) in enumerate(ranked, start=1)
    )
    other_points = tuple(
        OtherPoint(
            statement=contributions[group.members[0]].text,
            refs=(refs[group.members[0]],),
            language=contributions[group.members[0]].language,
        )
        for group in sorted(singles, key=lambda group: ref_sort_key(refs[group.members[0]]))
    )
    section = ChallengeSection(challenge.number, challenge.title, challenge.prompt, themes, other_points, participation)
    return section, grouping.scalable


def apply_overrides(groups: Sequence[Sequence[str]], overrides: Overrides) -> list[list[str]]:
    """`apply_overrides_numbered` without the group numbers."""
    return [group for _, group in apply_overrides_numbered(groups, overrides)]


def apply_overrides_numbered(groups: Sequence[Sequence[str]], overrides: Overrides) -> list[tuple[int, list[str]]]:
    """Apply moderators' joins, then moves, to groups of refs; refs that are not in any group are ignored.

    A join (a, b) merges the group holding a into the group holding b. A move (r, t) takes r out of its group and
    puts it into the group holding t, or alone into a new group when t is None. Groups left empty disappear. The
    result lists groups in order of creation (machine groups first), each in its original order plus arrivals, with
    its number: the position of the group it started as (a join keeps the target's), or a new number for a move to
    a theme of its own.
    """
    members: dict[int, list[str]] = {number: list(group) for number, group in enumerate(groups)}
    where: dict[str, int] = {ref: number for number, group in members.items() for ref in group}
    next_number = len(members)
    for source, target in overrides.joins:
        if source not in where or target not in where or where[source] == where[target]:
            continue
        moving, into = where[source], where[target]
        for ref in members.pop(moving):
            members[into].append(ref)
            where[ref] = into
    for ref, destination in overrides.moves:
        if ref not in where or (destination is not None and (destination not in where or destination == ref)):
            continue
        members[where[ref]].remove(ref)
        if destination is None:
            into, next_number = next_number, next_number + 1
            members[into] = []
        else:
            into = where[destination]
        members[into].append(ref)
        where[ref] = into
    return [(number, group) for number, group in sorted(members.items()) if group]


def _people(contributions: Iterable[ContributionInput]) -> set[str]:
    # A person counts once however often they wrote or 👍'd, and whether they did both.
    people: set[str] = set()
    for contribution in contributions:
        people.add(contribution.member_key)
        people.update(contribution.supporter_keys)
    return people


def _medoids(groups: Sequence[_Group], grouping: Grouping, contributions: Sequence[ContributionInput]) -> list[str]:
    """For each group, the statement of its medoid: highest mean similarity to the group's other contributions.

    Works on merged items weighted by how many of the group's contributions they hold, in O(size) per group: with
    unit rows, x_i · Σ_j w_j x_j counts x_i's similarity to every contribution, itself included once too often.
    """
    statements = []
    features = grouping.features
    for group in groups:
        weights: dict[int, int] = {}
        first_member: dict[int, int] = {}
        for index in group.members:
            item = grouping.item_of[index]
            weights[item] = weights.get(item, 0) + 1
            first_member.setdefault(item, index)
        items = sorted(weights)
        rows = features[items]
        weight = np.array([weights[item] for item in items], dtype=np.float64)
        total = sp.csr_matrix(weight) @ rows
        dots = np.asarray(rows @ total.T.toarray()).ravel()
        selves = np.asarray(rows.multiply(rows).sum(axis=1)).ravel()
        mean = (dots - selves) / (len(group.members) - 1)
        # A statement mostly of placeholders is passed over while a readable one exists. Rounded so that float noise
        # cannot decide a tie; the earliest reference does.
        readable = [_readable(_item_statement(item, group, grouping, contributions)) for item in items]
        best = min(
            range(len(items)), key=lambda n: (not readable[n], -round(float(mean[n]), 9), first_member[items[n]])
        )
        statements.append(_item_statement(items[best], group, grouping, contributions))
    return statements


# A statement is unreadable when more than this share of its words are placeholders ("[participant] [affiliation]
# [participant]: …"): scrubbing took out what it was about.
_MAX_PLACEHOLDER_SHARE = 1 / 3


def _readable(text: str) -> bool:
    placeholders = len(PLACEHOLDER_RE.findall(text))
    words = len(re.findall(r"\w+", PLACEHOLDER_RE.sub(" x ", text)))
    return placeholders <= _MAX_PLACEHOLDER_SHARE * words


def _item_statement(item: int, group: _Group, grouping: Grouping, contributions: Sequence[ContributionInput]) -> str:
    # The item's most frequent wording, if a moderator's move has not taken that contribution elsewhere.
    representative = grouping.representatives[item]
    if representative in group.members:
        return contributions[representative].text
    return contributions[next(i for i in group.members if grouping.item_of[i] == item)].text


def _keywords(groups: Sequence[_Group], grouping: Grouping, contributions: Sequence[ContributionInput]) -> list[str]:
    """For each group, its 2–4 most distinctive keywords, as written, joined by commas.

    A stem's score is its TF-IDF weight summed over the group, times the share of the challenge's total weight for
    that stem that falls in the group: frequent in the theme and concentrated there. Stems found in at least two of
    the group's contributions come first; others only fill the label up to two keywords.
    """
    if not groups:
        return []
    vectorizer = TfidfVectorizer(analyzer=word_tokens, sublinear_tf=True)
    try:
        weights = sp.csr_matrix(vectorizer.fit_transform(grouping.keys))
    except ValueError:  # no content words anywhere in the challenge
        return ["" for _ in groups]
    vocabulary = vectorizer.get_feature_names_out()
    total = np.asarray(weights.sum(axis=0)).ravel()
    membership = sp.csr_matrix(
        (
            np.ones(sum(len(group.members) for group in groups)),
            (
                np.repeat(np.arange(len(groups)), [len(group.members) for group in groups]),
                np.concatenate([np.array(group.members, dtype=np.int64) for group in groups]),
            ),
        ),
        shape=(len(groups), len(contributions)),
    )
    sums = sp.csr_matrix(membership @ weights)
    presence = weights.copy()
    presence.data[:] = 1.0
    spread = sp.csr_matrix(membership @ presence)  # in how many of the group's contributions each stem occurs
    sums.sort_indices()
    spread.sort_indices()
    labels = []
    for number, group in enumerate(groups):
        row, shared = sums.getrow(number), spread.getrow(number)
        scores = row.data * row.data / total[row.indices]
        # Stems that several contributions share describe the theme; one contribution's own words come after.
        order = sorted(
            range(len(scores)),
            key=lambda n: (shared.data[n] < 2, -round(float(scores[n]), 9), vocabulary[row.indices[n]]),
        )
        chosen: list[str] = []
        for n in order[:MAX_KEYWORDS]:
            if len(chosen) >= MIN_KEYWORDS and (
                shared.data[n] < 2 or scores[n] < KEYWORD_RELATIVE_FLOOR * scores[order[0]]
            ):
                break
            chosen.append(str(vocabulary[row.indices[n]]))
        labels.append(", ".join(_written_forms(chosen, (contributions[i].text for i in group.members))))
    return labels


def _written_forms(stems: Sequence[str], texts: Iterable[str]) -> list[str]:
    # Show each stem the way people most often wrote it in the theme (ties: lower case first, then alphabetical).
    wanted = set(stems)
    counts: dict[str, dict[str, int]] = {stem: {} for stem in stems}
    for text in texts:
        for stem, word in written_words(text):
            if stem in wanted:
                counts[stem][word] = counts[stem].get(word, 0) + 1
    forms = []
    for stem in stems:
        if counts[stem]:
            forms.append(min(counts[stem], key=lambda w: (-counts[stem][w], w != w.lower(), w)))
        else:
            forms.append(stem)
    return forms


def _fallback_label(statement: str) -> str:
    # A theme with no content words at all (e.g. "+1" twice): its first words are the best label there is.
    words = statement.split()
    return " ".join(words[:4]) if words else "…"
