"""The object an open transaction hands to callers: one attribute per repository."""

from __future__ import annotations

from storage.backrooms import BackroomsRepository
from storage.challenges import ChallengesRepository
from storage.confirmations import ConfirmationsRepository
from storage.consensus import ConsensusRepository
from storage.contributions import ContributionsRepository
from storage.dialogues import DialoguesRepository
from storage.inbox import InboxRepository
from storage.language_preferences import LanguagePreferencesRepository
from storage.media import MediaRepository
from storage.once import OnceRepository
from storage.outbox import OutboxRepository
from storage.rooms import RoomsRepository
from storage.roster import RosterRepository
from storage.schedules import SchedulesRepository
from storage.secretariat_wording import SecretariatWordingRepository
from storage.session import Session
from storage.state import StateRepository
from storage.synopses import SynopsesRepository
from storage.theme_headings import ThemeHeadingsRepository


class Transaction:
    """Repositories sharing one database transaction; everything commits or rolls back together.

    To add a repository, add one line here.
    """

    def __init__(self, session: Session) -> None:
        self.inbox = InboxRepository(session)
        self.outbox = OutboxRepository(session)
        self.rooms = RoomsRepository(session)
        self.state = StateRepository(session)
        self.dialogues = DialoguesRepository(session)
        self.challenges = ChallengesRepository(session)
        self.contributions = ContributionsRepository(session)
        self.roster = RosterRepository(session)
        self.once = OnceRepository(session)
        self.confirmations = ConfirmationsRepository(session)
        self.schedules = SchedulesRepository(session)
        self.synopses = SynopsesRepository(session)
        self.theme_headings = ThemeHeadingsRepository(session)
        self.secretariat_wording = SecretariatWordingRepository(session)
        self.media = MediaRepository(session)
        self.backrooms = BackroomsRepository(session)
        self.consensus = ConsensusRepository(session)
        self.language_preferences = LanguagePreferencesRepository(session)
