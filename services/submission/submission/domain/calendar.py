"""Working calendar: which days and hours count toward a dossier's processing time.

Time is counted in working hours inside the daily windows (default 07:00–11:30 and
13:30–17:00, 8 h a day) in Asia/Ho_Chi_Minh. A working day is a weekday that is neither a
public holiday nor an extra day off, or any day an administrator declared a make-up working
day. See services/submission/README.md for the rules in prose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import holidays

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_WINDOWS: tuple[tuple[time, time], ...] = (
    (time(7, 0), time(11, 30)),
    (time(13, 30), time(17, 0)),
)
DEFAULT_CUTOFF = time(15, 0)
_MAX_SCAN_DAYS = 3660  # ten years: a calendar with no working day at all is a config error


class PausePolicy(StrEnum):
    """What a supplement request does to the appointment date."""

    EXTEND = "extend"  # old due date + the working time the dossier spent waiting
    RESTART = "restart"  # full processing time again from the completed dossier


def vietnam_public_holidays(years: Iterable[int]) -> dict[date, str]:
    """Public holidays (with announced swaps) from the `holidays` package."""
    return dict(holidays.Vietnam(years=list(years)).items())


@dataclass(frozen=True)
class WorkingCalendar:
    public_holidays: frozenset[date] = frozenset()
    extra_days_off: frozenset[date] = frozenset()
    makeup_working_days: frozenset[date] = frozenset()
    windows: tuple[tuple[time, time], ...] = DEFAULT_WINDOWS
    cutoff: time = DEFAULT_CUTOFF
    tz: ZoneInfo = field(default=VN_TZ)

    @classmethod
    def for_years(cls, years: Iterable[int], **kwargs) -> WorkingCalendar:
        return cls(public_holidays=frozenset(vietnam_public_holidays(years)), **kwargs)

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValueError("at least one working-hours window is required")
        previous_end = time.min
        for start, end in self.windows:
            if not previous_end <= start < end:
                raise ValueError("working-hours windows must be ordered and not overlap")
            previous_end = end

    # ---- days -------------------------------------------------------------------------
    @property
    def hours_per_day(self) -> timedelta:
        return sum((_span(s, e) for s, e in self.windows), timedelta())

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_working_days:
            return True
        if day in self.public_holidays or day in self.extra_days_off:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for offset in range(1, _MAX_SCAN_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError("no working day found in the calendar")

    # ---- instants ---------------------------------------------------------------------
    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime")
        return moment.astimezone(self.tz)

    def _at(self, day: date, t: time) -> datetime:
        return datetime.combine(day, t, tzinfo=self.tz)

    def clock_start(self, received_at: datetime) -> datetime:
        """When the processing clock starts for a dossier received at `received_at`.

        Received on a working day before the cut-off (15:00): from that moment, moved forward
        to the next window if it fell before opening or in the lunch break. Otherwise: the
        first window of the next working day.
        """
        moment = self.local(received_at)
        day = moment.date()
        if self.is_working_day(day) and moment.time() < self.cutoff:
            for start, end in self.windows:
                if moment.time() < end:
                    return max(moment, self._at(day, start))
        return self._at(self.next_working_day(day), self.windows[0][0])

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant when `amount` of working time has elapsed from `start`.

        Ends inside a window; when the time runs out exactly at a window's end, that end is
        the answer (17:00, not 07:00 the next working day).
        """
        if amount <= timedelta():
            return start
        remaining = amount
        moment = self.local(start)
        day = moment.date()
        if not self.is_working_day(day):
            day, moment = self._roll(day)
        for _ in range(_MAX_SCAN_DAYS):
            for w_start, w_end in self.windows:
                begin = max(moment, self._at(day, w_start))
                finish = self._at(day, w_end)
                if begin >= finish:
                    continue
                available = finish - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day, moment = self._roll(day)
        raise ValueError("amount of working time too large for the calendar")

    def _roll(self, day: date) -> tuple[date, datetime]:
        nxt = self.next_working_day(day)
        return nxt, self._at(nxt, self.windows[0][0])

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time inside the windows between two instants (0 if end <= start)."""
        begin, finish = self.local(start), self.local(end)
        total = timedelta()
        day = begin.date()
        while day <= finish.date():
            if self.is_working_day(day):
                for w_start, w_end in self.windows:
                    lo = max(begin, self._at(day, w_start))
                    hi = min(finish, self._at(day, w_end))
                    if hi > lo:
                        total += hi - lo
            day += timedelta(days=1)
        return total

    # ---- appointment dates ------------------------------------------------------------
    def appointment(self, received_at: datetime, processing_days: float) -> datetime:
        """Appointment (due) instant for `processing_days` working days from receipt."""
        return self.add_working_time(
            self.clock_start(received_at), self.hours_per_day * processing_days
        )

    def after_supplement(
        self,
        policy: PausePolicy,
        *,
        due_at: datetime,
        paused_at: datetime,
        resumed_at: datetime,
        processing_days: float,
    ) -> datetime:
        """New appointment once the citizen has supplied what was missing."""
        if policy is PausePolicy.RESTART:
            return self.appointment(resumed_at, processing_days)
        paused = self.working_time_between(paused_at, resumed_at)
        if paused <= timedelta():
            return due_at
        # Resume counting from the old due date as if it were the start of the remaining time.
        return self.add_working_time(due_at, paused)


def _span(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)
