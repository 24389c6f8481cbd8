"""Appointment dates worked out by hand (Asia/Ho_Chi_Minh, windows 07:00–11:30 and
13:30–17:00 = 8 working hours a day, 15:00 cut-off).

2026 public holidays from `holidays.Vietnam`: Tết Mon 16/2 – Fri 20/2 (so with the weekends
the office is closed Sat 14/2 – Sun 22/2), Hùng Kings observed Mon 27/4, Thu 30/4, Fri 1/5,
Tue 24/11 (Vietnam Culture Day).
"""

from datetime import date, datetime, timedelta

import pytest

from submission.domain.calendar import VN_TZ, PausePolicy, WorkingCalendar


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


@pytest.fixture
def cal():
    return WorkingCalendar.for_years([2026])


def test_public_holidays_close_the_office_over_tet_2026(cal):
    closed = [date(2026, 2, d) for d in range(14, 23)]
    assert not any(cal.is_working_day(d) for d in closed)
    assert cal.is_working_day(date(2026, 2, 13))
    assert cal.is_working_day(date(2026, 2, 23))


def test_three_days_accepted_before_tet_resume_after_it(cal):
    # Thu 12/2 10:00 → 5 h that day (1.5 + 3.5), Fri 13/2 8 h = 13 h; closed 14–22/2;
    # Mon 23/2 8 h = 21 h; Tue 24/2 needs 3 more hours from 07:00 → 10:00.
    assert cal.appointment(at(2026, 2, 12, 10, 0), 3) == at(2026, 2, 24, 10, 0)


def test_received_after_cutoff_on_last_day_before_tet_counts_from_after_tet(cal):
    # Fri 13/2 15:30 is after 15:00 → clock starts at the next working day, Mon 23/2 07:00;
    # one working day = 8 h → Mon 23/2 17:00.
    assert cal.appointment(at(2026, 2, 13, 15, 30), 1) == at(2026, 2, 23, 17, 0)


def test_two_days_across_30_4_and_1_5(cal):
    # Wed 29/4 09:00 → 2.5 h + 3.5 h = 6 h; Thu 30/4 and Fri 1/5 are holidays, then the
    # weekend; Mon 4/5 8 h = 14 h; Tue 5/5 two more hours → 09:00.
    assert cal.appointment(at(2026, 4, 29, 9, 0), 2) == at(2026, 5, 5, 9, 0)


def test_one_day_across_hung_kings_observed_monday(cal):
    # Fri 24/4 14:00 → 3 h; Sat, Sun, Mon 27/4 (observed holiday) closed; Tue 28/4 morning
    # 4.5 h = 7.5 h; 30 more minutes after 13:30 → Tue 28/4 14:00.
    assert cal.appointment(at(2026, 4, 24, 14, 0), 1) == at(2026, 4, 28, 14, 0)


def test_friday_16_00_submission_counts_from_monday_morning(cal):
    # Fri 6/11 16:00 is after the 15:00 cut-off → starts Mon 9/11 07:00.
    # 1 day → Mon 9/11 17:00; 7 days → 9, 10, 11, 12, 13, 16, 17/11 → Tue 17/11 17:00.
    assert cal.appointment(at(2026, 11, 6, 16, 0), 1) == at(2026, 11, 9, 17, 0)
    assert cal.appointment(at(2026, 11, 6, 16, 0), 7) == at(2026, 11, 17, 17, 0)


def test_friday_16_00_before_culture_day(cal):
    # Fri 20/11 16:00 → starts Mon 23/11; Tue 24/11 is Vietnam Culture Day;
    # 3 days = Mon 23, Wed 25, Thu 26 → Thu 26/11 17:00.
    assert cal.appointment(at(2026, 11, 20, 16, 0), 3) == at(2026, 11, 26, 17, 0)


def test_friday_14_59_counts_the_same_afternoon(cal):
    # Before the cut-off: Fri 6/11 14:59–17:00 = 2 h 01; Mon 9/11 morning 4.5 h = 6 h 31;
    # 1 h 29 more after 13:30 → Mon 9/11 14:59.
    assert cal.appointment(at(2026, 11, 6, 14, 59), 1) == at(2026, 11, 9, 14, 59)


def test_lunch_break_receipt_starts_at_13_30_and_can_end_at_a_window_end(cal):
    # Tue 3/3 12:00 → clock starts 13:30; 3.5 h that afternoon + 4.5 h Wed morning = 8 h
    # → due exactly at the end of Wed 4/3's morning window, 11:30.
    assert cal.appointment(at(2026, 3, 3, 12, 0), 1) == at(2026, 3, 4, 11, 30)


def test_weekend_receipt_starts_monday(cal):
    # Sun 8/3 10:00 → Mon 9/3 07:00 + 8 h → Mon 9/3 17:00.
    assert cal.appointment(at(2026, 3, 8, 10, 0), 1) == at(2026, 3, 9, 17, 0)


def test_admin_days_off_and_makeup_working_days():
    # Sat 7/3 declared a make-up working day, Mon 9/3 an extra day off.
    # Fri 6/3 09:00 → 6 h; Sat 7/3 8 h = 14 h; Sun off, Mon off; Tue 10/3 2 h → 09:00.
    cal = WorkingCalendar.for_years(
        [2026], extra_days_off=frozenset({date(2026, 3, 9)}),
        makeup_working_days=frozenset({date(2026, 3, 7)}),
    )
    assert cal.appointment(at(2026, 3, 6, 9, 0), 2) == at(2026, 3, 10, 9, 0)


def test_makeup_day_overrides_a_public_holiday():
    cal = WorkingCalendar.for_years([2026], makeup_working_days=frozenset({date(2026, 4, 30)}))
    assert cal.is_working_day(date(2026, 4, 30))


# Supplement pause. Accepted Mon 2/3 09:00 with 5 working days → Mon 9/3 09:00 (6 h on Mon,
# Tue–Fri 32 h = 38 h, 2 h on Mon 9/3). Supplement requested Wed 4/3 10:00, dossier completed
# by the citizen Fri 6/3 14:00.
ACCEPTED, PAUSED, RESUMED = at(2026, 3, 2, 9, 0), at(2026, 3, 4, 10, 0), at(2026, 3, 6, 14, 0)


def test_five_days_from_monday_morning(cal):
    assert cal.appointment(ACCEPTED, 5) == at(2026, 3, 9, 9, 0)


def test_paused_working_time(cal):
    # Wed 4/3 10:00–11:30 1.5 h + 13:30–17:00 3.5 h; Thu 5/3 8 h; Fri 6/3 4.5 h + 0.5 h = 18 h.
    assert cal.working_time_between(PAUSED, RESUMED) == timedelta(hours=18)


def test_supplement_pause_extends_due_date_by_paused_working_time(cal):
    # Mon 9/3 09:00 + 18 h: Mon 6 h, Tue 10/3 8 h = 14 h, Wed 11/3 4 h from 07:00 → 11:00.
    due = cal.appointment(ACCEPTED, 5)
    new_due = cal.after_supplement(PausePolicy.EXTEND, due_at=due, paused_at=PAUSED,
                                   resumed_at=RESUMED, processing_days=5)
    assert new_due == at(2026, 3, 11, 11, 0)


def test_supplement_restart_recomputes_from_completed_dossier(cal):
    # From Fri 6/3 14:00 (before the cut-off): 3 h Fri; Mon 9 – Thu 12/3 32 h = 35 h;
    # Fri 13/3 morning 4.5 h = 39.5 h; 30 min after 13:30 → Fri 13/3 14:00.
    due = cal.appointment(ACCEPTED, 5)
    new_due = cal.after_supplement(PausePolicy.RESTART, due_at=due, paused_at=PAUSED,
                                   resumed_at=RESUMED, processing_days=5)
    assert new_due == at(2026, 3, 13, 14, 0)


def test_supplement_pause_over_tet_counts_no_holiday_time(cal):
    # Paused Fri 13/2 16:00, resumed Mon 23/2 08:00: 1 h on Fri + 1 h on Mon = 2 h.
    assert cal.working_time_between(at(2026, 2, 13, 16, 0), at(2026, 2, 23, 8, 0)) == \
        timedelta(hours=2)


def test_naive_datetimes_are_refused(cal):
    with pytest.raises(ValueError):
        cal.appointment(datetime(2026, 3, 2, 9, 0), 1)


def test_overlapping_windows_are_refused():
    from datetime import time

    with pytest.raises(ValueError):
        WorkingCalendar(windows=((time(7), time(12)), (time(11), time(17))))
