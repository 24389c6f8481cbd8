"""Read-side queries: lookup, timeline, statistics — and who may see what.

Who sees what is :mod:`tracking.domain.access`; others get the applicant name masked
(:func:`tracking.domain.privacy.mask_name`). Staff reads of a full record are written to
``access_audit``.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from pymongo.database import Database

from servicekit.sealing import PiiCipher
from tracking import repository
from tracking.domain.access import is_staff, may_see_in_full
from tracking.domain.privacy import applicant_name, mask_name
from tracking.domain.projection import is_overdue
from tracking.domain.statistics import period_bounds, summarize


def _audit(db: Database, view: dict[str, Any], claims: dict[str, Any], action: str) -> None:
    if is_staff(claims):
        repository.record_access(db, {
            "dossier_id": view["_id"], "code": view.get("code"), "action": action,
            "actor_id": claims.get("sub"), "actor_role": claims.get("role"),
            "actor_agency": claims.get("agency"), "at": datetime.now(UTC)})


def timeline_items(db: Database, dossier_id: str) -> list[dict[str, Any]]:
    return [{"occurred_at": entry.get("occurred_at"), "type": entry.get("type"),
             "status": entry.get("status"), "status_code": entry.get("status_code"),
             "status_label": entry.get("status_label"), "label": entry.get("label"),
             "reason": entry.get("reason")}
            for entry in repository.timeline_of(db, dossier_id)]


def _result(db: Database, view: dict[str, Any], claims: dict[str, Any] | None,
            now: datetime, cipher: PiiCipher, proven: bool = False) -> dict[str, Any]:
    full = proven or may_see_in_full(view, claims)
    name = applicant_name(cipher, view)
    result = {
        "code": view.get("code"),
        "procedure_name": view.get("procedure_name"),
        "agency_name": view.get("agency_name"),
        "applicant_name": name if full else mask_name(name),
        "received_at": view.get("received_at"),
        "due_at": view.get("due_at"),
        "completed_at": view.get("completed_at"),
        "status": view.get("status"),
        "status_code": view.get("status_code"),
        "status_label": view.get("status_label"),
        "overdue": is_overdue(view, now),
        "masked": not full,
    }
    if full:
        result["timeline"] = timeline_items(db, view["_id"])
        _audit(db, view, claims, "lookup")
    return result


def lookup_by_code(db: Database, code: str, claims: dict[str, Any] | None, cipher: PiiCipher,
                   now: datetime | None = None) -> list[dict[str, Any]]:
    now = now or datetime.now(UTC)
    return [_result(db, view, claims, now, cipher)
            for view in repository.views_by_code(db, code)]


def lookup_by_cccd(db: Database, cccd_hash: str, claims: dict[str, Any] | None,
                   cipher: PiiCipher, *, admits: Callable[[dict[str, Any]], bool],
                   proven: bool = False, now: datetime | None = None) -> list[dict[str, Any]]:
    """The dossiers under a CCCD's keyed hash that ``admits`` lets the caller see."""
    now = now or datetime.now(UTC)
    views = [v for v in repository.views_by_cccd_hash(db, cccd_hash) if admits(v)]
    return [_result(db, view, claims, now, cipher, proven) for view in views]


def dossier_timeline(db: Database, view: dict[str, Any], claims: dict[str, Any]
                     ) -> dict[str, Any]:
    _audit(db, view, claims, "timeline")
    return {"code": view.get("code"), "status": view.get("status"),
            "status_code": view.get("status_code"), "status_label": view.get("status_label"),
            "timeline": timeline_items(db, view["_id"])}


def statistics(db: Database, *, agency: str | None, province: str | None,
               start: date | None, end: date | None, now: datetime | None = None
               ) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    lower, upper = period_bounds(start, end)
    views = repository.views_for_statistics(db, agency=agency, province=province,
                                            received_from=lower, received_to=upper)
    return {"from": start, "to": end, "agency": agency, "province": province,
            "generated_at": now, **summarize(views, now)}
