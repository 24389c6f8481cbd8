"""On-time statistics (the "progress and results" part of the Decision 766 index).

Definitions (over the dossiers *received* in the period):
- ``received``: every dossier received;
- ``completed_on_time`` / ``completed_late``: a result exists (status completed or returned)
  and it was completed no later / later than its appointment date (no appointment = on time);
- ``in_progress``: still being processed (statuses 1, 2, 4, 5, 6);
- ``overdue``: in progress and past its appointment date now;
- ``on_time_rate``: completed_on_time / (completed_on_time + completed_late), rounded to four
  decimals; ``None`` while nothing is completed.
Dossiers not accepted, withdrawn or stopped count as received only.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from servicekit.clock import VIETNAM
from tracking.domain.projection import OUTCOME_LATE, OUTCOME_ON_TIME, OUTCOME_OPEN, is_overdue


def period_bounds(start: date | None, end: date | None
                  ) -> tuple[datetime | None, datetime | None]:
    """Inclusive calendar days in Vietnam time → ``[from, to)`` instants."""
    lower = datetime.combine(start, time.min, VIETNAM) if start else None
    upper = datetime.combine(end + timedelta(days=1), time.min, VIETNAM) if end else None
    return lower, upper


def _empty() -> dict[str, Any]:
    return {"received": 0, "completed_on_time": 0, "completed_late": 0, "in_progress": 0,
            "overdue": 0, "on_time_rate": None}


def _count(figures: dict[str, Any], view: dict[str, Any], now: datetime) -> None:
    figures["received"] += 1
    result = view.get("outcome")
    if result == OUTCOME_ON_TIME:
        figures["completed_on_time"] += 1
    elif result == OUTCOME_LATE:
        figures["completed_late"] += 1
    elif result == OUTCOME_OPEN:
        figures["in_progress"] += 1
        if is_overdue(view, now):
            figures["overdue"] += 1


def _rate(figures: dict[str, Any]) -> dict[str, Any]:
    completed = figures["completed_on_time"] + figures["completed_late"]
    if completed:
        figures["on_time_rate"] = round(figures["completed_on_time"] / completed, 4)
    return figures


def summarize(views: Iterable[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """Totals, per agency and per province, for views already filtered to the period."""
    totals = _empty()
    agencies: dict[str, dict[str, Any]] = {}
    provinces: dict[str, dict[str, Any]] = {}
    for view in views:
        _count(totals, view, now)
        agency_code = view.get("agency_code") or ""
        agency = agencies.setdefault(agency_code, {
            "agency_code": agency_code or None, "agency_name": view.get("agency_name"),
            "province": view.get("province"), **_empty()})
        agency["agency_name"] = agency["agency_name"] or view.get("agency_name")
        _count(agency, view, now)
        province_code = view.get("province") or ""
        province = provinces.setdefault(province_code,
                                        {"province": province_code or None, **_empty()})
        _count(province, view, now)
    return {
        "totals": _rate(totals),
        "by_agency": [_rate(agencies[key]) for key in sorted(agencies)],
        "by_province": [_rate(provinces[key]) for key in sorted(provinces)],
    }
