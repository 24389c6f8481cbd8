"""One time source for the platform, and Vietnam's calendar day.

Use cases take a :class:`Clock` (from a service's ``bootstrap``) instead of reading the system
time, so tests fix time with :class:`FixedClock`. Stored times are UTC; the day a rule means
("today", a day off, a statistics month) is the day in Vietnam (UTC+7, no daylight saving),
never the server's local date: between 17:00 and 24:00 UTC the two differ.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol

VIETNAM = timezone(timedelta(hours=7), "ICT")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock tests set and move by hand."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a FixedClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **kwargs: float) -> None:
        """Move forward by ``timedelta(**kwargs)``."""
        self._now = self._now + timedelta(**kwargs)


def vietnam_date(moment: datetime) -> date:
    """The calendar day in Vietnam at ``moment`` (an aware datetime)."""
    return moment.astimezone(VIETNAM).date()


def today_in_vietnam(clock: Clock | None = None) -> date:
    """Today's date in Vietnam, by ``clock`` (the system clock by default)."""
    return vietnam_date((clock or SystemClock()).now())
