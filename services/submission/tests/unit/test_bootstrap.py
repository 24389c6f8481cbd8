from datetime import date, time

from submission.bootstrap import calendar_from_document


def test_admin_days_and_hours_shape_the_calendar():
    calendar = calendar_from_document({
        "days": {"2026-03-07": {"kind": "working_day"}, "2026-03-09": {"kind": "day_off"}},
        "windows": [["07:30", "11:30"], ["13:00", "17:00"]],
        "cutoff": "16:00",
    }, 2026)
    assert calendar.is_working_day(date(2026, 3, 7))
    assert not calendar.is_working_day(date(2026, 3, 9))
    assert not calendar.is_working_day(date(2026, 2, 17))  # Tết from the holidays package
    assert calendar.cutoff == time(16, 0)
    assert calendar.hours_per_day.total_seconds() == 8 * 3600


def test_defaults_without_admin_changes():
    calendar = calendar_from_document({}, 2026)
    assert calendar.windows[0] == (time(7, 0), time(11, 30))
    assert calendar.cutoff == time(15, 0)
    assert not calendar.is_working_day(date(2027, 2, 8))  # next year's Tết is covered too
