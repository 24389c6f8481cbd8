"""Wiring: what a handler needs (database, attachment store, settings, clock)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache

from pymongo.database import Database

from servicekit.sealing import Sealer
from submission import repository
from submission.config import SubmissionSettings
from submission.domain.calendar import (
    DEFAULT_CUTOFF,
    DEFAULT_WINDOWS,
    PausePolicy,
    WorkingCalendar,
    vietnam_public_holidays,
)
from submission.domain.content import ContentLimits
from submission.scanning import NoScanner, Scanner, scanner_from_settings
from submission.storage import AttachmentStore


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    db: Database
    store: AttachmentStore
    settings: SubmissionSettings
    clock: Callable[[], datetime] = field(default=utc_now)
    sealer: Sealer | None = None  # from the settings' key rings unless given
    scanner: Scanner = field(default_factory=NoScanner)

    def __post_init__(self) -> None:
        if self.sealer is None:
            self.sealer = self.settings.sealer()

    @classmethod
    def from_settings(cls, db: Database, store: AttachmentStore,
                      settings: SubmissionSettings) -> Services:
        return cls(db=db, store=store, settings=settings,
                   scanner=scanner_from_settings(settings.clamd_address,
                                                 settings.clamd_timeout_seconds))

    def now(self) -> datetime:
        return self.clock()

    def content_limits(self) -> ContentLimits:
        s = self.settings
        return ContentLimits(zip_max_members=s.zip_max_members,
                             zip_max_expanded_bytes=s.zip_max_expanded_bytes,
                             zip_max_ratio=s.zip_max_ratio, image_max_pixels=s.image_max_pixels)

    def calendar_settings(self) -> dict:
        return repository.get_calendar_document(self.db)

    def calendar(self) -> WorkingCalendar:
        return calendar_from_document(self.calendar_settings(), self.now().year)

    def pause_policy(self) -> PausePolicy:
        chosen = self.calendar_settings().get("pause_policy") or self.settings.pause_policy
        return PausePolicy(chosen)


@lru_cache(maxsize=16)
def _holidays(first_year: int, last_year: int) -> frozenset[date]:
    return frozenset(vietnam_public_holidays(range(first_year, last_year + 1)))


def _time(text: str) -> time:
    return time.fromisoformat(text)


def calendar_from_document(document: dict, year: int) -> WorkingCalendar:
    """The working calendar: public holidays (pre-filled) + what administrators changed."""
    days = document.get("days") or {}
    off = frozenset(date.fromisoformat(d) for d, e in days.items() if e["kind"] == "day_off")
    makeup = frozenset(date.fromisoformat(d) for d, e in days.items()
                       if e["kind"] == "working_day")
    windows = tuple((_time(a), _time(b)) for a, b in document.get("windows") or []) \
        or DEFAULT_WINDOWS
    cutoff = _time(document["cutoff"]) if document.get("cutoff") else DEFAULT_CUTOFF
    return WorkingCalendar(public_holidays=_holidays(year - 1, year + 2), extra_days_off=off,
                           makeup_working_days=makeup, windows=windows, cutoff=cutoff)
