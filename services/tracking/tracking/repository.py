"""Mongo access of the tracking read model. Indexes are declared here.

Collections: ``dossier_views`` (one per dossier, ``_id`` = dossier id), ``timeline`` (one per
event, ``_id`` = event id, append-only, holds the sanitized envelope), ``access_audit``
(staff reading a citizen's dossier).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from servicekit.mongo import ensure_indexes as _ensure_indexes
from tracking.domain.projection import parse_time

VIEWS = "dossier_views"
TIMELINE = "timeline"
AUDIT = "access_audit"

INDEXES = {
    VIEWS: [
        IndexModel([("code", ASCENDING)], name="code"),
        IndexModel([("applicant_cccd_hash", ASCENDING)], name="applicant_cccd_hash"),
        IndexModel([("applicant_id", ASCENDING)], name="applicant_id"),
        IndexModel([("agency_code", ASCENDING), ("received_at", ASCENDING)],
                   name="agency_received"),
        IndexModel([("province", ASCENDING), ("received_at", ASCENDING)],
                   name="province_received"),
    ],
    TIMELINE: [
        IndexModel([("dossier_id", ASCENDING), ("aggregate_version", ASCENDING)],
                   name="dossier_version"),
    ],
    AUDIT: [IndexModel([("dossier_id", ASCENDING), ("at", ASCENDING)], name="dossier_at")],
}


def ensure_indexes(db: Database) -> None:
    _ensure_indexes(db, INDEXES)


# Views keep their instants as fixed-width ISO-8601 UTC strings: nx-27017 turns a datetime
# written by ``$set`` on an existing document into an unparseable string, and these strings
# sort (and range-compare) like the instants they stand for on both servers.
VIEW_TIMES = ("received_at", "due_at", "completed_at", "returned_at", "closed_at",
              "updated_at")


def stored_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _to_document(view: dict[str, Any]) -> dict[str, Any]:
    return {key: stored_time(value) if key in VIEW_TIMES else value
            for key, value in view.items()}


def _from_document(document: dict[str, Any] | None) -> dict[str, Any] | None:
    if document is None:
        return None
    return {key: parse_time(value) if key in VIEW_TIMES else value
            for key, value in document.items()}


# -- timeline -------------------------------------------------------------------------------

def add_timeline_entry(db: Database, entry: dict[str, Any]) -> bool:
    """Insert once; ``False`` when this event id is already recorded."""
    try:
        db[TIMELINE].insert_one(entry)
    except DuplicateKeyError:
        return False
    return True


def stored_events(db: Database, dossier_id: str) -> list[dict[str, Any]]:
    """The sanitized envelopes recorded for one dossier."""
    return [entry["envelope"] for entry in
            db[TIMELINE].find({"dossier_id": dossier_id}, {"envelope": 1})]


def dossier_ids_in_timeline(db: Database) -> Iterator[str]:
    seen: set[str] = set()
    for entry in db[TIMELINE].find({}, {"dossier_id": 1}).sort("dossier_id", ASCENDING):
        if entry["dossier_id"] not in seen:
            seen.add(entry["dossier_id"])
            yield entry["dossier_id"]


def timeline_of(db: Database, dossier_id: str) -> list[dict[str, Any]]:
    return list(db[TIMELINE].find({"dossier_id": dossier_id}, {"envelope": 0})
                .sort([("aggregate_version", ASCENDING), ("occurred_at", ASCENDING)]))


# -- views ----------------------------------------------------------------------------------

def save_view(db: Database, view: dict[str, Any]) -> bool:
    """Write ``view`` unless the stored one was folded from at least as many events.

    Each writer folds every event it can see after recording its own; a later reader sees a
    superset, so "more events" means "newer" and concurrent replicas converge. Returns
    whether the view was written.
    """
    fields = {key: value for key, value in _to_document(view).items() if key != "_id"}
    try:
        result = db[VIEWS].update_one(
            {"_id": view["_id"], "event_count": {"$lt": view["event_count"]}},
            {"$set": fields}, upsert=True)
    except DuplicateKeyError:  # the stored view is as new or newer
        return False
    return bool(result.modified_count or result.upserted_id)


def wipe_views(db: Database) -> int:
    return db[VIEWS].delete_many({}).deleted_count


def view_by_id(db: Database, dossier_id: str) -> dict[str, Any] | None:
    return _from_document(db[VIEWS].find_one({"_id": dossier_id}))


def views_by_code(db: Database, code: str) -> list[dict[str, Any]]:
    return [_from_document(doc) for doc in db[VIEWS].find({"code": code})]


def views_by_cccd_hash(db: Database, cccd_hash: str, limit: int = 50) -> list[dict[str, Any]]:
    cursor = db[VIEWS].find({"applicant_cccd_hash": cccd_hash}).sort("received_at", -1)
    return [_from_document(doc) for doc in cursor.limit(limit)]


def views_for_statistics(db: Database, *, agency: str | None, province: str | None,
                         received_from: datetime | None, received_to: datetime | None
                         ) -> list[dict[str, Any]]:
    query: dict[str, Any] = {}
    if agency:
        query["agency_code"] = agency
    if province:
        query["province"] = province
    # Never-received dossiers (no received_at) are not counted: "" sorts before any instant
    # and above null, on MongoDB and on nx-27017 alike.
    received: dict[str, Any] = {"$gte": stored_time(received_from) if received_from else ""}
    if received_to is not None:
        received["$lt"] = stored_time(received_to)
    query["received_at"] = received
    projection = {"agency_code": 1, "agency_name": 1, "province": 1, "status": 1,
                  "outcome": 1, "due_at": 1, "completed_at": 1}
    return [_from_document(doc) for doc in db[VIEWS].find(query, projection)]


def record_access(db: Database, entry: dict[str, Any]) -> None:
    db[AUDIT].insert_one(entry)
