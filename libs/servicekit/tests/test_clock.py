"""Vietnam's day, not the server's: the two differ between 17:00 and 24:00 UTC."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from servicekit.clock import FixedClock, today_in_vietnam, vietnam_date


def test_the_evening_in_utc_is_already_tomorrow_in_vietnam():
    assert vietnam_date(datetime(2026, 12, 2, 16, 59, tzinfo=UTC)) == date(2026, 12, 2)
    assert vietnam_date(datetime(2026, 12, 2, 17, 0, tzinfo=UTC)) == date(2026, 12, 3)


def test_a_fixed_clock_moves_only_when_told():
    clock = FixedClock(datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    assert today_in_vietnam(clock) == date(2026, 12, 31)
    clock.advance(minutes=30)
    assert clock.now() == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert today_in_vietnam(clock) == date(2027, 1, 1)


def test_a_fixed_clock_refuses_a_naive_time():
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 12, 2, 8, 0))
