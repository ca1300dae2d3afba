"""The body's neutral statements, the annex's contribution lists and the secretariat's edits, on a compiled draft.

The compiler picks each theme's representative contribution (`Theme.statement`); this pass decides what the body
prints instead, in this order: the secretariat's wording (`theme wording`), else the secretariat's heading the
theme stands under, else the representative contribution in reported form (synopsis.reported_speech), flagged as
machine-drafted. Other points and ways forward taken from contributions are reported the same way. It also lists,
per theme and other point, every contribution it stands for (reference, scrubbed text, language) for the annex, adds the
secretariat's lead paragraphs and ways forward, and records in the method note which statements the secretariat
wrote. Pure: equal inputs give equal outputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from i18n import document_text
from synopsis.model import (
    FROM_HEADING,
    FROM_MACHINE,
    FROM_SECRETARIAT,
    AnnexEntry,
    ChallengeSection,
    Synopsis,
    SynopsisInput,
    WayForward,
)
from synopsis.reported_speech import reported


def with_wording(synopsis: Synopsis, data: SynopsisInput) -> Synopsis:
    texts = {contribution.ref: (contribution.text, contribution.language) for contribution in data.contributions}
    # Position in the order set: when two of a theme's contributions carry a wording, the later one wins.
    wordings = {ref: (position, text) for position, (ref, text) in enumerate(data.secretariat.theme_wordings)}
    leads = dict(data.secretariat.leads)
    edited: list[str] = []
    language = synopsis.language
    sections = [_section(section, texts, wordings, leads, edited, language) for section in synopsis.sections]
    ways_forward = _ways_forward(synopsis.ways_forward, data.secretariat.ways_forward, edited, language)
    return replace(
        synopsis,
        sections=tuple(sections),
        ways_forward=ways_forward,
        method=replace(synopsis.method, edited=tuple(edited)),
    )


def _section(
    section: ChallengeSection,
    texts: Mapping[str, tuple[str, str | None]],
    wordings: Mapping[str, tuple[int, str]],
    leads: Mapping[int, str],
    edited: list[str],
    language: str,
) -> ChallengeSection:
    used: set[str] = set()  # a contribution listed under two headings gives its wording to the first only
    lead = leads.get(section.number)
    if lead:
        edited.append(document_text(language, "challenge {challenge}, lead paragraph", challenge=section.number))
    themes = []
    for theme in section.themes:
        own = _secretariat(theme.refs, wordings, used)
        if own is not None:
            wording, source = own, FROM_SECRETARIAT
            edited.append(
                document_text(
                    language, "challenge {challenge}, theme {theme}", challenge=section.number, theme=theme.number
                )
            )
        elif theme.heading is not None:
            wording, source = theme.heading, FROM_HEADING
        else:
            wording, source = reported(theme.statement).text, FROM_MACHINE
        entries = tuple(AnnexEntry(ref, *texts[ref]) for ref in theme.refs if ref in texts)
        themes.append(replace(theme, wording=wording, wording_source=source, contributions=entries))
    others = []
    for point in section.other_points:
        own = _secretariat(point.refs, wordings, used)
        if own is not None:
            refs = ", ".join(point.refs)
            edited.append(
                document_text(
                    language, "challenge {challenge}, other point {refs}", challenge=section.number, refs=refs
                )
            )
            others.append(replace(point, wording=own, wording_source=FROM_SECRETARIAT))
        else:
            others.append(replace(point, wording=reported(point.statement).text, wording_source=FROM_MACHINE))
    return replace(section, themes=tuple(themes), other_points=tuple(others), lead=lead or None)


def _secretariat(refs: Sequence[str], wordings: Mapping[str, tuple[int, str]], used: set[str]) -> str | None:
    candidates = [(wordings[ref][0], ref) for ref in refs if ref in wordings and ref not in used]
    if not candidates:
        return None
    _, ref = max(candidates)
    used.add(ref)
    return wordings[ref][1]


def _ways_forward(
    from_contributions: Sequence[WayForward],
    from_secretariat: Sequence[tuple[int, str]],
    edited: list[str],
    language: str,
) -> tuple[WayForward, ...]:
    ways = [
        replace(way, wording=reported(way.statement).text, wording_source=FROM_MACHINE) for way in from_contributions
    ]
    ways += [
        WayForward(number, text, (), wording=text, wording_source=FROM_SECRETARIAT) for number, text in from_secretariat
    ]
    for number in sorted({number for number, _ in from_secretariat}):
        edited.append(document_text(language, "challenge {challenge}, ways forward", challenge=number))
    # Stable: per challenge, those taken from contributions (in reference order) first, then the secretariat's.
    return tuple(sorted(ways, key=lambda way: way.challenge_number))
