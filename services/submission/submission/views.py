"""Read side: lists for citizens and the officer queue, and the public shape of a dossier."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from servicekit.sealing import Sealer
from submission.domain import binding
from submission.domain.model import Dossier, iso
from submission.domain.status import FINAL_STATUSES, Status
from submission.repository import DOSSIERS, dossier_from_document

_CLOSED = [s.value for s in FINAL_STATUSES | {Status.COMPLETED, Status.DRAFT}]
# "procedure" is a reference; lists need the applicant's name, not the form.
_LIST_FIELDS = {"outbox": 0, "history": 0, "form_data": 0, "form_sealed": 0}


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment else None


def dossier_summary(dossier: Dossier, now: datetime) -> dict[str, Any]:
    """Times are given in UTC whatever zone the domain computed them in."""
    return {
        "id": dossier.id,
        "code": dossier.code,
        "version": dossier.version,
        "status": dossier.status.value,
        "status_code": dossier.status.code,
        "status_label": dossier.status.label,
        "procedure_code": dossier.procedure.get("code"),
        "procedure_name": dossier.procedure.get("name"),
        "procedure_version": dossier.procedure.get("version"),
        "agency_code": dossier.agency["code"],
        "agency_name": dossier.agency.get("name"),
        "applicant_name": dossier.effective_applicant.get("full_name"),
        "proxy_filing": bool(dossier.filer),
        "filer_name": filer_of(dossier).get("full_name"),
        "created_at": _utc(dossier.created_at),
        "updated_at": _utc(dossier.updated_at),
        "submitted_at": _utc(dossier.submitted_at),
        "accepted_at": _utc(dossier.accepted_at),
        "due_at": _utc(dossier.due_at),
        "overdue": dossier.is_overdue(now),
    }


def filer_of(dossier: Dossier) -> dict[str, Any]:
    """Who filed: a proxy filing's verified filer, else the applicant (the account holder)."""
    return dict(dossier.filer) if dossier.filer else binding.identity_of(
        dossier.effective_applicant)


def dossier_detail(dossier: Dossier, now: datetime) -> dict[str, Any]:
    attachments = [{k: v for k, v in a.items() if k != "object_key"}
                   for a in dossier.attachments]
    return {
        **dossier_summary(dossier, now),
        "applicant": dossier.effective_applicant,
        "filer": filer_of(dossier),
        "form": dossier.form_data,
        "eform": dossier.procedure.get("eform") or {"fields": []},
        "components": dossier.components,
        "attachments": attachments,
        "details": dossier.details,
        "extensions": dossier.extensions,
        "history": dossier.history,
        "processing_days": dossier.procedure.get("processing_days"),
    }


def _page(db: Database, query: dict, sort: list, page: int, per_page: int, sealer: Sealer
          ) -> tuple[list[Dossier], int]:
    total = db[DOSSIERS].count_documents(query)
    cursor = db[DOSSIERS].find(query, _LIST_FIELDS).sort(sort)
    documents = cursor.skip((page - 1) * per_page).limit(per_page)
    return [dossier_from_document(d, sealer=sealer) for d in documents], total


def my_dossiers(db: Database, owner_id: str, status: str | None, page: int, per_page: int,
                *, sealer: Sealer) -> tuple[list[Dossier], int]:
    query: dict[str, Any] = {"owner_id": owner_id, "deleted_at": {"$exists": False}}
    if status:
        query["status"] = status
    return _page(db, query, [("updated_at", DESCENDING)], page, per_page, sealer)


def officer_queue(db: Database, agency_code: str, *, status: str | None, overdue: bool | None,
                  now: datetime, page: int, per_page: int, sealer: Sealer
                  ) -> tuple[list[Dossier], int]:
    """The agency's dossiers by due date. Received but not yet accepted ones (no due date)
    come first: they are waiting at the reception desk."""
    # Drafts (deleted or not) are private to their author: these two conditions are ANDed
    # with every filter, so no `status=` can replace them (issue 20, finding 4).
    conditions: list[dict[str, Any]] = [
        {"agency_code": agency_code}, {"status": {"$ne": Status.DRAFT.value}},
        {"deleted_at": {"$exists": False}}]
    if status:
        conditions.append({"status": status})
    if overdue is True:
        open_statuses = [s.value for s in Status if s.value not in _CLOSED]
        conditions.append({"due_at": {"$lt": iso(now)}})
        conditions.append({"status": {"$in": [status] if status in open_statuses else []}
                           if status else {"$in": open_statuses}})
    elif overdue is False:
        # `{"due_at": None}` inside this $or matches nothing on nx-27017; `$in: [None]` does.
        conditions.append({"$or": [{"due_at": {"$gte": iso(now)}}, {"due_at": {"$in": [None]}},
                                   {"status": {"$in": _CLOSED}}]})
    return _page(db, {"$and": conditions}, [("due_at", ASCENDING), ("submitted_at", ASCENDING)],
                 page, per_page, sealer)
