"""Gathering a dialogue's stored material into the synopsis compiler's input (shared by chat commands and the CLI)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from dialogue.vocabulary import CorrectionKind, WordingKind
from privacy.categories import DEFAULT_CATEGORIES, StakeholderCategories
from scheduling.zones import dialogue_zone
from synopsis.consensus import ConsensusRoundInput, ConsensusThemeInput, ConsensusVoteInput
from synopsis.model import (
    ChallengeInput,
    ContributionInput,
    DialogueInput,
    Overrides,
    SecretariatText,
    Synopsis,
    SynopsisInput,
)
from synopsis.progress import Progress, no_progress

if TYPE_CHECKING:
    from config import SynopsisSettings
    from config.settings import BotSettings, PrivacySettings
    from storage import Correction, Dialogue, Transaction
    from storage.secretariat_wording import Wording
    from synopsis.grouping import GroupingParams


def grouping_params(settings: SynopsisSettings) -> GroupingParams:
    """The compiler's grouping, with the deployment's own synonym sets (`synopsis.synonyms`) added to the built-in."""
    # Imported here: the grouping loads numpy and scikit-learn, which only a compile needs (bot/compile_worker.py).
    from synopsis.grouping import CHOSEN
    from synopsis.thesaurus import DEFAULT_THESAURUS

    if not settings.synonyms:
        return CHOSEN
    return replace(CHOSEN, thesaurus=DEFAULT_THESAURUS.extended(settings.synonyms))


async def compile_off_loop(
    data: SynopsisInput, settings: SynopsisSettings, progress: Progress = no_progress
) -> Synopsis:
    """Compile in a worker thread, for the offline CLI (a large dialogue takes seconds), telling `progress` how far
    it got. The running bot compiles through handlers/slow_work.py instead, outside the event's transaction."""
    from synopsis.compile import compile_synopsis

    return await asyncio.to_thread(compile_synopsis, data, grouping_params(settings), progress=progress)


def overrides_from(corrections: list[Correction]) -> Overrides:
    """Replay the moderators' corrections in the order they were made; a later include undoes an exclude."""
    joins: list[tuple[str, str]] = []
    moves: list[tuple[str, str | None]] = []
    excluded: set[str] = set()
    forward: set[str] = set()
    for correction in corrections:
        if correction.kind == CorrectionKind.JOIN and correction.target_ref is not None:
            joins.append((correction.ref, correction.target_ref))
        elif correction.kind == CorrectionKind.MOVE:
            moves.append((correction.ref, correction.target_ref))
        elif correction.kind == CorrectionKind.EXCLUDE:
            excluded.add(correction.ref)
        elif correction.kind == CorrectionKind.INCLUDE:
            excluded.discard(correction.ref)
        elif correction.kind == CorrectionKind.FORWARD:
            forward.add(correction.ref)
        elif correction.kind == CorrectionKind.UNFORWARD:
            forward.discard(correction.ref)
    return Overrides(tuple(joins), tuple(moves), frozenset(excluded), frozenset(forward))


def secretariat_text(wordings: list[Wording]) -> SecretariatText:
    """The secretariat's stored wording (oldest first) as the compiler takes it."""
    return SecretariatText(
        theme_wordings=tuple((w.target, w.text) for w in wordings if w.kind == WordingKind.THEME),
        leads=tuple((int(w.target), w.text) for w in wordings if w.kind == WordingKind.LEAD),
        ways_forward=tuple((int(w.target), w.text) for w in wordings if w.kind == WordingKind.WAY_FORWARD),
    )


class Configured(Protocol):
    """What the input is gathered by: the whole configuration (the CLI, the web view) or the handlers' part of it."""

    @property
    def bot(self) -> BotSettings: ...

    @property
    def privacy(self) -> PrivacySettings: ...


async def synopsis_input_for(
    tx: Transaction, dialogue: Dialogue, settings: Configured, *, language: str | None = None
) -> SynopsisInput:
    """`gather_synopsis_input` with the deployment's default time zone, k and stakeholder categories."""
    privacy = settings.privacy
    return await gather_synopsis_input(
        tx, dialogue, settings.bot.timezone, privacy.k_threshold, privacy.categories(), language=language
    )


async def gather_synopsis_input(
    tx: Transaction,
    dialogue: Dialogue,
    default_timezone: str,
    k: int,
    stakeholder_categories: StakeholderCategories = DEFAULT_CATEGORIES,
    *,
    now: float | None = None,
    language: str | None = None,
) -> SynopsisInput:
    """Everything the compiler needs about `dialogue`, with the document written in `language` (None: the
    dialogue's own language, `!dialogue language`; English when it has none, or none the document can be written in)."""
    language = language or dialogue.language
    zone = dialogue_zone(dialogue.timezone, default_timezone)
    challenges = await tx.challenges.list(dialogue.id)
    inputs = [
        ChallengeInput(c.number, c.title, c.prompt, tuple(await tx.theme_headings.list(c.id))) for c in challenges
    ]
    numbers = {challenge.id: challenge.number for challenge in challenges}
    supporters = await tx.contributions.supporters_by_contribution(dialogue.id)
    contributions = tuple(
        ContributionInput(
            ref=item.ref,
            challenge_number=numbers[item.challenge_id],
            text=item.text,
            member_key=item.member_key,
            supporter_keys=supporters.get(item.id, frozenset()),
            created_at=item.created_at,
            scrubbed=item.scrubbed,
            language=item.language,
        )
        for item in await tx.contributions.for_dialogue(dialogue.id)
        if item.challenge_id in numbers
    )
    session_days = {
        datetime.fromtimestamp(challenge.opened_at, UTC).astimezone(zone).date()
        for challenge in challenges
        if challenge.opened_at is not None
    }
    categories = {key: value for key, value in (await tx.roster.categories(dialogue.id)).items() if value}
    return SynopsisInput(
        dialogue=DialogueInput(
            title=dialogue.title,
            started_at=dialogue.created_at,
            ended_at=dialogue.ended_at,
            session_count=len(session_days),
            timezone=zone.key,
        ),
        challenges=tuple(inputs),
        contributions=contributions,
        categories=categories,
        overrides=overrides_from(await tx.synopses.corrections(dialogue.id)),
        k=k,
        stakeholder_categories=stakeholder_categories,
        consensus=await gather_consensus_input(tx, dialogue, numbers, time.time() if now is None else now),
        secretariat=secretariat_text(await tx.secretariat_wording.all(dialogue.id)),
        language=language or "en",
    )


async def gather_consensus_input(
    tx: Transaction, dialogue: Dialogue, numbers: dict[int, int], now: float
) -> tuple[ConsensusRoundInput, ...]:
    """The dialogue's consensus rounds: their statements and votes (under pseudonymous keys), and whether each
    round's window has closed by `now` (marks appear only then)."""
    rounds = []
    for round_ in await tx.consensus.rounds(dialogue.id):
        if round_.challenge_id not in numbers:
            continue
        rounds.append(
            ConsensusRoundInput(
                challenge_number=numbers[round_.challenge_id],
                themes=tuple(
                    ConsensusThemeInput(t.position, t.statement) for t in await tx.consensus.themes(round_.id)
                ),
                votes=tuple(
                    ConsensusVoteInput(v.position, v.member_key, v.choice) for v in await tx.consensus.votes(round_.id)
                ),
                closed=round_.closes_at <= now,
            )
        )
    return tuple(rounds)
