from datetime import UTC, date, datetime, timedelta

from tracking.domain.statistics import VIETNAM, period_bounds, summarize

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def _view(agency, province, outcome, due_at=None):
    return {"agency_code": agency, "agency_name": f"Cơ quan {agency}", "province": province,
            "outcome": outcome, "due_at": due_at}


def test_counts_per_agency_and_province_match_the_definitions():
    past, future = NOW - timedelta(days=1), NOW + timedelta(days=1)
    views = [
        _view("A", "79", "on_time"), _view("A", "79", "on_time"), _view("A", "79", "late"),
        _view("A", "79", "open", past), _view("A", "79", "open", future),
        _view("B", "01", "closed"), _view("B", "01", "late"), _view("B", "01", "open", None),
    ]
    figures = summarize(views, NOW)
    assert figures["totals"] == {"received": 8, "completed_on_time": 2, "completed_late": 2,
                                 "in_progress": 3, "overdue": 1, "on_time_rate": 0.5}
    a, b = figures["by_agency"]
    assert (a["agency_code"], a["received"], a["completed_on_time"], a["completed_late"],
            a["in_progress"], a["overdue"], a["on_time_rate"]) == ("A", 5, 2, 1, 2, 1, 0.6667)
    assert (b["agency_code"], b["received"], b["on_time_rate"], b["overdue"]) == ("B", 3, 0.0, 0)
    assert [(p["province"], p["received"]) for p in figures["by_province"]] == [
        ("01", 3), ("79", 5)]


def test_rate_is_none_without_completions():
    assert summarize([_view("A", "79", "open")], NOW)["totals"]["on_time_rate"] is None
    assert summarize([], NOW)["by_agency"] == []


def test_period_is_whole_days_in_vietnam_time():
    lower, upper = period_bounds(date(2026, 11, 1), date(2026, 11, 30))
    assert lower == datetime(2026, 11, 1, tzinfo=VIETNAM)
    assert lower.astimezone(UTC) == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert upper == datetime(2026, 12, 1, tzinfo=VIETNAM)
    assert period_bounds(None, None) == (None, None)
