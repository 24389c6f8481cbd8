"""Turn raw event values into the text citizens read (Vietnamese conventions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from servicekit.clock import VIETNAM as VIETNAM_TZ


def format_date(value: Any) -> str:
    """``2026-12-05`` → ``05/12/2026``; a datetime also shows the local time."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = _parse_iso(value)
        if isinstance(value, str):
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        local = value.astimezone(VIETNAM_TZ)
        if (local.hour, local.minute) == (0, 0):
            return local.strftime("%d/%m/%Y")
        return local.strftime("%H:%M ngày %d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def format_moment(value: Any) -> str:
    """``2026-11-28T17:00:00Z`` → ``00:00 ngày 29/11/2026``: always with the local time (a
    security notice says when, even at midnight, where ``format_date`` would drop it)."""
    if isinstance(value, str):
        value = _parse_iso(value)
    if not isinstance(value, datetime):
        return format_date(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VIETNAM_TZ).strftime("%H:%M ngày %d/%m/%Y")


def _parse_iso(text: str) -> date | datetime | str:
    text = text.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text


def format_amount(value: Any) -> str:
    """``1250000`` → ``1.250.000 đồng`` (Vietnamese thousands separator is a dot)."""
    if value in (None, ""):
        return ""
    try:
        number = int(round(float(value)))
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,}".replace(",", ".") + " đồng"


def format_list(values: Any) -> str:
    """A list of strings or ``{"name": ...}`` items as one line separated by semicolons."""
    if values in (None, ""):
        return ""
    if isinstance(values, str):
        return values
    if isinstance(values, Mapping):
        values = [values]
    names = []
    for item in values if isinstance(values, Iterable) else [values]:
        if isinstance(item, Mapping):
            item = item.get("name") or item.get("document_name") or item.get("label") or ""
        if item:
            names.append(str(item))
    return "; ".join(names)


def pick(data: Mapping[str, Any], *keys: str, default: Any = "") -> Any:
    """First non-empty value among ``keys``; dotted keys reach into nested mappings."""
    for key in keys:
        value: Any = data
        for part in key.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value not in (None, ""):
            return value
    return default
