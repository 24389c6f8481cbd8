"""MongoDB access for the catalog: small named functions; indexes declared here.

Collections: ``provinces``, ``agencies`` (one document per agency, outbox on it),
``procedures`` (one document per procedure code: every version in ``versions.v<n>``, the
current published version's search fields at the top level, outbox on it) and ``templates``
(metadata of the files kept in the S3 store). One procedure document per code means a publish
— version frozen, search fields switched, event recorded — is a single atomic update.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from catalog.domain.errors import Conflict
from catalog.domain.procedure import ProcedureVersion, VersionStatus
from servicekit.mongo import ensure_indexes
from servicekit.outbox import new_document_with_outbox, with_outbox

INDEXES = {
    "agencies": [
        IndexModel(
            [("province", ASCENDING), ("depth", ASCENDING), ("code", ASCENDING)],
            name="province_depth_code",
        ),
        IndexModel([("parent", ASCENDING)], name="parent"),
        IndexModel([("ancestors", ASCENDING)], name="ancestors"),
    ],
    "procedures": [
        IndexModel([("published_version", ASCENDING), ("code", ASCENDING)], name="published_code"),
        IndexModel([("level", ASCENDING)], name="level"),
        IndexModel([("field_norm", ASCENDING)], name="field_norm"),
        IndexModel([("agencies", ASCENDING)], name="agencies"),
        IndexModel([("provinces", ASCENDING)], name="provinces"),
    ],
}
# Never sent to API callers: the outbox, the relay's lease and all versions.
INTERNAL = {"outbox": 0, "outbox_pending": 0, "outbox_lease": 0}
CONCURRENT_EDIT = "Dữ liệu vừa được người khác cập nhật. Vui lòng tải lại rồi thử lại."


def create_indexes(db: Database) -> None:
    ensure_indexes(db, INDEXES)


def iso(moment: dt.datetime | None) -> str | None:
    """Nested datetimes are stored as ISO-8601 UTC strings (nx-27017 keeps them as strings)."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


# -- provinces -------------------------------------------------------------------------------


def upsert_province(db: Database, province: dict[str, Any]) -> None:
    db.provinces.replace_one(
        {"_id": province["code"]}, {"_id": province["code"], **province}, upsert=True
    )


def get_province(db: Database, code: str) -> dict[str, Any] | None:
    return db.provinces.find_one({"_id": code}, {"_id": 0})


def all_provinces(db: Database) -> list[dict[str, Any]]:
    return list(db.provinces.find({}, {"_id": 0}).sort("code", ASCENDING))


# -- agencies --------------------------------------------------------------------------------


def get_agency(db: Database, code: str) -> dict[str, Any] | None:
    return db.agencies.find_one({"_id": code}, INTERNAL)


def existing_agency_codes(db: Database, codes: list[str]) -> set[str]:
    if not codes:
        return set()
    return {doc["_id"] for doc in db.agencies.find({"_id": {"$in": list(codes)}}, {"_id": 1})}


def agencies_by_codes(db: Database, codes: list[str]) -> dict[str, dict[str, Any]]:
    if not codes:
        return {}
    found = db.agencies.find({"_id": {"$in": list(codes)}}, INTERNAL)
    return {doc["_id"]: doc for doc in found}


def insert_agency(db: Database, agency: dict[str, Any], events: list[dict[str, Any]]) -> None:
    try:
        db.agencies.insert_one(new_document_with_outbox({"_id": agency["code"], **agency}, events))
    except DuplicateKeyError as exc:
        raise Conflict(f"Cơ quan {agency['code']} đã tồn tại.") from exc


def update_agency(
    db: Database, code: str, revision: int, changes: dict[str, Any], events: list[dict[str, Any]]
) -> None:
    result = db.agencies.update_one(
        {"_id": code, "revision": revision}, with_outbox({"$set": changes}, events)
    )
    if result.matched_count == 0:
        raise Conflict(CONCURRENT_EDIT)


def find_agencies(
    db: Database, query: dict[str, Any], skip: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    total = db.agencies.count_documents(query)
    cursor = (
        db.agencies.find(query, INTERNAL)
        .sort([("depth", ASCENDING), ("code", ASCENDING)])
        .skip(skip)
        .limit(limit)
    )
    return list(cursor), total


def children_of(db: Database, code: str) -> list[dict[str, Any]]:
    return list(db.agencies.find({"parent": code}, INTERNAL).sort("code", ASCENDING))


# -- procedures ------------------------------------------------------------------------------


def get_procedure(db: Database, code: str) -> dict[str, Any] | None:
    return db.procedures.find_one({"_id": code}, INTERNAL)


def version_entry(version: ProcedureVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "status": str(version.status),
        "definition": version.definition,
        "created_at": iso(version.created_at),
        "updated_at": iso(version.updated_at),
        "published_at": iso(version.published_at),
    }


def to_version(code: str, entry: dict[str, Any]) -> ProcedureVersion:
    return ProcedureVersion(
        code=code,
        version=entry["version"],
        status=VersionStatus(entry["status"]),
        definition=entry["definition"],
        created_at=from_iso(entry["created_at"]),
        updated_at=from_iso(entry["updated_at"]),
        published_at=from_iso(entry.get("published_at")),
    )


def latest_version(document: dict[str, Any] | None) -> ProcedureVersion | None:
    if not document:
        return None
    entry = document["versions"][f"v{document['latest_version']}"]
    return to_version(document["_id"], entry)


def save_draft(
    db: Database,
    document: dict[str, Any] | None,
    draft: ProcedureVersion,
    now: dt.datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    """Store ``draft`` as version n of its procedure. Published entries are never touched.

    Versions are published in order, so version k is frozen exactly when
    ``k <= published_version``; the filter checks that (an ``$or`` with ``$exists: false``
    in an update filter matches wrongly on nx-27017, so it is not used)."""
    key = f"v{draft.version}"
    if document is None:
        try:
            db.procedures.insert_one(
                {
                    "_id": draft.code,
                    "code": draft.code,
                    "revision": 1,
                    "latest_version": draft.version,
                    "published_version": 0,
                    "versions": {key: version_entry(draft)},
                    "created_at": now,
                    "updated_at": now,
                    **(extra or {}),
                }
            )
        except DuplicateKeyError as exc:
            raise Conflict(CONCURRENT_EDIT) from exc
        return
    result = db.procedures.update_one(
        {
            "_id": draft.code,
            "revision": document["revision"],
            "published_version": {"$lt": draft.version},
        },
        {
            "$set": {
                f"versions.{key}": version_entry(draft),
                "latest_version": draft.version,
                "updated_at": now,
                **(extra or {}),
            },
            "$inc": {"revision": 1},
        },
    )
    if result.matched_count == 0:
        raise Conflict(CONCURRENT_EDIT)


def save_published(
    db: Database,
    document: dict[str, Any],
    version: ProcedureVersion,
    read_model: dict[str, Any],
    events: list[dict[str, Any]],
    now: dt.datetime,
) -> None:
    """Freeze ``version`` and make it the current one, with its event, in one update."""
    key = f"v{version.version}"
    result = db.procedures.update_one(
        {
            "_id": version.code,
            "revision": document["revision"],
            "published_version": {"$lt": version.version},
        },
        with_outbox(
            {
                "$set": {
                    f"versions.{key}": version_entry(version),
                    "published_version": version.version,
                    "published_at": iso(now),
                    "updated_at": now,
                    **read_model,
                },
                "$inc": {"revision": 1},
            },
            events,
        ),
    )
    if result.matched_count == 0:
        raise Conflict(CONCURRENT_EDIT)


def _published(query: dict[str, Any]) -> dict[str, Any]:
    # combined with $and: nx-27017 ignores fields written beside a top-level $or
    return (
        {"$and": [{"published_version": {"$gt": 0}}, query]}
        if query
        else {"published_version": {"$gt": 0}}
    )


def find_published(
    db: Database,
    query: dict[str, Any],
    *,
    projection: dict[str, Any],
    skip: int = 0,
    limit: int = 0,
) -> list[dict[str, Any]]:
    cursor = db.procedures.find(_published(query), projection)
    cursor = cursor.sort("code", ASCENDING).skip(skip)
    return list(cursor.limit(limit) if limit else cursor)


def count_published(db: Database, query: dict[str, Any]) -> int:
    return db.procedures.count_documents(_published(query))


# -- templates -------------------------------------------------------------------------------


def get_template(db: Database, template_id: str) -> dict[str, Any] | None:
    return db.templates.find_one({"_id": template_id})


def upsert_template(db: Database, meta: dict[str, Any]) -> None:
    db.templates.replace_one({"_id": meta["id"]}, {"_id": meta["id"], **meta}, upsert=True)


def templates_by_ids(db: Database, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    return {doc["_id"]: doc for doc in db.templates.find({"_id": {"$in": list(ids)}})}
