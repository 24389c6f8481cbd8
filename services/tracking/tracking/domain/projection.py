"""Events → read model: the dossier view and timeline entries, as pure functions.

The view of a dossier is a *fold* of all its events sorted by ``aggregate_version``, so it
depends only on the set of events seen, never on their arrival order: an event older than
what the view already holds cannot overwrite newer state (a later event's fields win), yet
the milestone it marks (e.g. the completion time) is still known. Duplicates do not change
the set. A rebuild folds the same stored events and gives the same view, bit for bit —
which is why nothing here reads the clock.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from servicekit.sealing import PiiCipher
from tracking.domain.privacy import hash_cccd, seal_name
from tracking.domain.status import (
    CLOSED_STATUSES,
    DONE_STATUSES,
    OPEN_STATUSES,
    event_label,
    status_of_event,
)

# Copied from the latest event that carries a non-empty value.
# (``applicant_name`` only in events recorded before names were sealed.)
DESCRIPTIVE_FIELDS = ("code", "procedure_code", "procedure_name", "agency_code", "agency_name",
                      "applicant_name", "applicant_name_sealed", "applicant_id",
                      "applicant_cccd_hash")

OUTCOME_ON_TIME = "on_time"
OUTCOME_LATE = "late"
OUTCOME_OPEN = "open"
OUTCOME_CLOSED = "closed"


def parse_time(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO-8601 string (``Z`` or offset), else ``None``."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def sanitize(event: dict[str, Any], cccd_key: str, cipher: PiiCipher) -> dict[str, Any]:
    """The envelope as we may keep it: the clear CCCD replaced by its keyed hash, the
    applicant's name sealed (bound to the dossier). A sanitized envelope stays as it is."""
    data = dict(event.get("data") or {})
    cccd = data.pop("applicant_cccd", None)
    if cccd and not data.get("applicant_cccd_hash"):
        data["applicant_cccd_hash"] = hash_cccd(str(cccd), cccd_key)
    name = data.pop("applicant_name", None)
    if name and not data.get("applicant_name_sealed"):
        data["applicant_name_sealed"] = seal_name(cipher, str(event.get("aggregate_id")), name)
    return {**event, "data": data}


def event_order(event: dict[str, Any]) -> tuple:
    version = event.get("aggregate_version")
    occurred = parse_time(event.get("occurred_at"))
    return (version if isinstance(version, int) else -1,
            occurred or datetime.min.replace(tzinfo=UTC), str(event.get("id")))


def project(dossier_id: str, events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The view document of one dossier from its (sanitized) events, in any order."""
    unique = {str(event["id"]): event for event in events}
    state: dict[str, Any] = {
        "_id": dossier_id, "code": None, "procedure_code": None, "procedure_name": None,
        "agency_code": None, "agency_name": None, "province": None, "applicant_name": None,
        "applicant_name_sealed": None, "applicant_id": None, "applicant_cccd_hash": None,
        "status": None, "status_code": None, "status_label": None, "reason": None,
        "received_at": None, "due_at": None, "completed_at": None, "returned_at": None,
        "closed_at": None, "outcome": None, "aggregate_version": None,
        "event_count": len(unique), "updated_at": None,
    }
    for event in sorted(unique.values(), key=event_order):
        _apply(state, event)
    state["outcome"] = outcome(state)
    return state


def _apply(state: dict[str, Any], event: dict[str, Any]) -> None:
    data = event.get("data") or {}
    occurred = parse_time(event.get("occurred_at")) or parse_time(data.get("occurred_at"))
    for field in DESCRIPTIVE_FIELDS:
        value = data.get(field)
        if value not in (None, ""):
            state[field] = value
    state["province"] = data.get("province") or event.get("tenant") or state["province"]

    received = parse_time(data.get("received_at")) or parse_time(data.get("submitted_at"))
    if received is not None:
        state["received_at"] = received
    elif state["received_at"] is None and event.get("type") == "dossier.submitted":
        state["received_at"] = occurred
    if "due_at" in data:  # present and null means "no appointment date (any more)"
        state["due_at"] = parse_time(data["due_at"])
    elif parse_time(data.get("new_due_at")) is not None:
        state["due_at"] = parse_time(data["new_due_at"])

    status = status_of_event(event)
    if status is not None and status.name != state["status"]:
        state["reason"] = None  # a reason belongs to the status it came with
    if data.get("reason"):
        state["reason"] = data["reason"]
    if status is not None:
        state.update(status=status.name, status_code=status.code, status_label=status.label)
        moment = parse_time(data.get(f"{status.name}_at")) or occurred
        if status.name == "completed" and state["completed_at"] is None:
            state["completed_at"] = moment
        if status.name == "returned":
            state["returned_at"] = state["returned_at"] or moment
            # A result handed over without a completion event still counts as completed.
            state["completed_at"] = state["completed_at"] or moment
        if status.name in CLOSED_STATUSES:
            state["closed_at"] = moment

    version = event.get("aggregate_version")
    if isinstance(version, int):
        state["aggregate_version"] = max(version, state["aggregate_version"] or version)
    state["updated_at"] = occurred or state["updated_at"]


def outcome(view: dict[str, Any]) -> str | None:
    """``on_time``/``late`` once completed (against the appointment date), ``open`` while
    being processed, ``closed`` when it ended without a result."""
    if view.get("completed_at") is not None or view.get("status") in DONE_STATUSES:
        due, done = view.get("due_at"), view.get("completed_at")
        if due is None or done is None or done <= due:
            return OUTCOME_ON_TIME
        return OUTCOME_LATE
    if view.get("status") in CLOSED_STATUSES:
        return OUTCOME_CLOSED
    if view.get("status") in OPEN_STATUSES:
        return OUTCOME_OPEN
    return None


def is_overdue(view: dict[str, Any], now: datetime) -> bool:
    """Still being processed and past its appointment date (computed at read time)."""
    due = view.get("due_at")
    return view.get("outcome") == OUTCOME_OPEN and due is not None and now > due


def timeline_entry(event: dict[str, Any]) -> dict[str, Any]:
    """One timeline document per event (keyed by event id), holding the sanitized envelope
    so that the read model can be rebuilt from the timeline alone."""
    data = event.get("data") or {}
    status = status_of_event(event)
    version = event.get("aggregate_version")
    return {
        "_id": str(event["id"]),
        "dossier_id": str(event["aggregate_id"]),
        "aggregate_version": version if isinstance(version, int) else None,
        "type": event.get("type"),
        "occurred_at": parse_time(event.get("occurred_at")),
        "status": status.name if status else None,
        "status_code": status.code if status else None,
        "status_label": status.label if status else None,
        "label": event_label(event.get("type"), status),
        "reason": data.get("reason") or None,
        "envelope": event,
    }
