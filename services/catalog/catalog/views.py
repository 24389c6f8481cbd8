"""Read-side queries behind the public GET endpoints."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pymongo.database import Database

from catalog import repository as repo
from catalog.domain.agency import public_agency
from catalog.domain.errors import NotFound
from catalog.domain.procedure import processing_days
from catalog.domain.search import candidate_regex, rank, tier
from catalog.domain.text import fold

LISTING = {"versions": 0, **repo.INTERNAL}


def _contains(value: str) -> dict[str, list[str]]:
    """ "Array holds value". Plain equality misses on an indexed array field in nx-27017;
    ``$in`` matches on both it and MongoDB."""
    return {"$in": [value]}


def _agency_ref(document: dict[str, Any]) -> dict[str, Any]:
    return {"code": document["code"], "name": document["name"], "kind": document.get("kind")}


def list_agencies(
    db: Database, filters: dict[str, Any], page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    query: dict[str, Any] = {}
    for key in ("province", "kind", "parent"):
        if filters.get(key):
            query[key] = filters[key]
    if filters.get("under"):
        query["ancestors"] = _contains(filters["under"])
    if filters.get("depth"):
        query["depth"] = filters["depth"]
    if filters.get("q"):
        query["name_norm"] = {"$regex": re.escape(fold(filters["q"]))}
    documents, total = repo.find_agencies(db, query, (page - 1) * per_page, per_page)
    return [public_agency(d) for d in documents], total


def agency_detail(db: Database, code: str) -> dict[str, Any]:
    document = repo.get_agency(db, code)
    if document is None:
        raise NotFound(f"Không tìm thấy cơ quan {code}.")
    ancestors = repo.agencies_by_codes(db, document.get("ancestors") or [])
    return {
        **public_agency(document),
        "ancestors": [
            _agency_ref(ancestors[c]) for c in document.get("ancestors") or [] if c in ancestors
        ],
        "children": [_agency_ref(child) for child in repo.children_of(db, code)],
        "province_name": (repo.get_province(db, document["province"]) or {}).get("name"),
    }


def agency_children(db: Database, code: str) -> list[dict[str, Any]]:
    if repo.get_agency(db, code) is None:
        raise NotFound(f"Không tìm thấy cơ quan {code}.")
    return [public_agency(child) for child in repo.children_of(db, code)]


def agency_ancestors(db: Database, code: str) -> list[dict[str, Any]]:
    """Root first, ending with the agency's parent."""
    document = repo.get_agency(db, code)
    if document is None:
        raise NotFound(f"Không tìm thấy cơ quan {code}.")
    found = repo.agencies_by_codes(db, document.get("ancestors") or [])
    return [public_agency(found[c]) for c in document.get("ancestors") or [] if c in found]


def _iso(value: Any) -> str | None:
    return repo.iso(value) if isinstance(value, dt.datetime) else value


def _summary(document: dict[str, Any], query: str | None) -> dict[str, Any]:
    definition = document["current"]
    methods = definition.get("methods") or []
    fees = [m["fee_vnd"] for m in methods if m.get("fee_vnd") is not None]
    match = tier(query, document) if query else None
    return {
        "code": document["code"],
        "name": definition["name"],
        "field": definition["field"],
        "level": definition["level"],
        "online_mode": definition["online_mode"],
        "version": document["published_version"],
        "published_at": _iso(document.get("published_at")),
        "processing_days": processing_days(definition),
        "fee_min_vnd": min(fees) if fees else None,
        "channels": sorted({m["channel"] for m in methods}),
        "agency_count": len(definition.get("agencies") or []),
        "provinces": document.get("provinces", []),
        "match": match.name.lower() if match else None,
    }


def search_procedures(
    db: Database, filters: dict[str, Any], page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """Published procedures matching the filters, ranked by :mod:`catalog.domain.search`
    when there is a query (the catalog holds hundreds of procedures, so ranking the
    pre-filtered candidates in Python is cheap)."""
    query: dict[str, Any] = {}
    if filters.get("agency"):
        query["agencies"] = _contains(filters["agency"])
    if filters.get("province"):
        query["provinces"] = _contains(filters["province"])
    if filters.get("field"):
        query["field_norm"] = fold(filters["field"])
    if filters.get("level"):
        query["level"] = filters["level"]
    text = (filters.get("q") or "").strip()
    skip = (page - 1) * per_page
    if not text:
        total = repo.count_published(db, query)
        documents = repo.find_published(db, query, projection=LISTING, skip=skip, limit=per_page)
        return [_summary(d, None) for d in documents], total
    regex = candidate_regex(text)
    alternatives: list[dict[str, Any]] = [{"code": text}]
    if regex:
        alternatives.append({"search_text": {"$regex": re.escape(regex)}})
    candidates = repo.find_published(
        db, {"$and": [query, {"$or": alternatives}]}, projection=LISTING
    )
    ranked = rank(text, candidates)
    return [_summary(d, text) for d in ranked[skip : skip + per_page]], len(ranked)


def procedure_detail(db: Database, code: str, version: int | None = None) -> dict[str, Any]:
    """A published version (the latest by default) with what a citizen needs to act on it."""
    document = repo.get_procedure(db, code)
    if document is None or not document.get("published_version"):
        raise NotFound(f"Không tìm thấy thủ tục {code}.")
    number = version or document["published_version"]
    entry = document["versions"].get(f"v{number}")
    if entry is None or entry["status"] != "published":
        raise NotFound(f"Thủ tục {code} không có phiên bản {number} đã công bố.")
    return render_version(db, document, entry)


def render_version(db: Database, document: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    definition = entry["definition"]
    agencies = repo.agencies_by_codes(db, definition.get("agencies") or [])
    templates = repo.templates_by_ids(
        db, [c["template"] for c in definition.get("components", []) if c.get("template")]
    )
    components = []
    for component in definition.get("components", []):
        template = templates.get(component.get("template") or "")
        components.append(
            {
                **component,
                "template_file": None
                if template is None
                else {
                    "id": template["_id"],
                    "title": template["title"],
                    "filename": template["filename"],
                    "content_type": template["content_type"],
                    "size": template["size"],
                    "path": f"/procedures/{document['code']}/templates/{template['_id']}",
                },
            }
        )
    published = sorted(
        int(key[1:])
        for key, value in document["versions"].items()
        if value["status"] == "published"
    )
    return {
        **definition,
        "components": components,
        "version": entry["version"],
        "status": entry["status"],
        "published_at": entry.get("published_at"),
        "processing_days": processing_days(definition),
        "performing_agencies": [
            _agency_ref(agencies[c]) for c in definition.get("agencies", []) if c in agencies
        ],
        "published_versions": published,
        "latest_published_version": document.get("published_version"),
    }


def procedure_versions(db: Database, code: str) -> dict[str, Any]:
    """Admin view: every version, drafts included."""
    document = repo.get_procedure(db, code)
    if document is None:
        raise NotFound(f"Không tìm thấy thủ tục {code}.")
    entries = sorted(document["versions"].values(), key=lambda e: e["version"])
    return {
        "code": code,
        "latest_version": document["latest_version"],
        "published_version": document.get("published_version") or None,
        "versions": [
            {
                "version": e["version"],
                "status": e["status"],
                "created_at": e["created_at"],
                "updated_at": e["updated_at"],
                "published_at": e.get("published_at"),
                "definition": e["definition"],
            }
            for e in entries
        ],
    }


def template_for_download(
    db: Database, code: str, template_id: str, version: int | None = None
) -> dict[str, Any]:
    """The template's metadata, if the (published) procedure version offers it."""
    detail = procedure_detail(db, code, version)
    if not any(c.get("template") == template_id for c in detail["components"]):
        raise NotFound(f"Thủ tục {code} không có mẫu đơn '{template_id}'.")
    template = repo.get_template(db, template_id)
    if template is None:
        raise NotFound(f"Không tìm thấy tệp mẫu đơn '{template_id}'.")
    return template
