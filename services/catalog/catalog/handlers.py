"""Use cases of the catalog: parse → load → change → save (+ events). Plain functions.

The map at the bottom lists everything the catalog does that changes state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from pymongo.database import Database

from catalog import repository as repo
from catalog.domain.agency import AGENCY_FIELDS, parse_agency_code, public_agency, validate_agency
from catalog.domain.errors import Conflict, InvalidInput, NotFound
from catalog.domain.procedure import (
    AlreadyPublished,
    DefinitionInvalid,
    ProcedurePublished,
    ProcedureVersion,
    draft_for_edit,
    processing_days,
    validate_definition,
)
from catalog.domain.search import search_fields
from catalog.domain.text import fold
from catalog.storage import TemplateStorage
from servicekit.events import new_event

SOURCE = "catalog"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- agencies --------------------------------------------------------------------------------


def _agency_record(data: dict[str, Any]) -> dict[str, Any]:
    record = {key: data.get(key) for key in AGENCY_FIELDS}
    record["active"] = data.get("active", True) is not False
    code = parse_agency_code(record["code"])
    record["ancestors"] = code.ancestors
    record["depth"] = code.depth
    record["name_norm"] = fold(record["name"])
    return record


def _agency_errors(db: Database, data: dict[str, Any]) -> dict[str, list[str]]:
    errors = validate_agency(data)
    province, parent = data.get("province"), data.get("parent")
    if "province" not in errors and province and repo.get_province(db, province) is None:
        errors["province"] = [f"Không có tỉnh/thành phố mã {province}."]
    if "parent" not in errors and parent and repo.get_agency(db, parent) is None:
        errors["parent"] = [f"Không tìm thấy cơ quan cấp trên {parent}."]
    return errors


def provenance(source: str, seed_sha: str | None) -> dict[str, Any]:
    """Who wrote a document last (``admin`` or ``seed``) and, for the seed, which seed file
    version: the seed never overwrites what an administrator changed."""
    return {"last_source": source, "seed_sha": seed_sha}


def save_agency(
    db: Database,
    data: dict[str, Any],
    *,
    create: bool,
    now: dt.datetime | None = None,
    source: str = "admin",
    seed_sha: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Create or update an agency; returns it and whether anything changed.

    A change records ``catalog.agency_changed`` in the same write; saving identical data
    writes nothing."""
    now = now or utc_now()
    errors = _agency_errors(db, data)
    if errors:
        raise InvalidInput(errors, "Thông tin cơ quan không hợp lệ.")
    record = _agency_record(data)
    existing = repo.get_agency(db, record["code"])
    if create and existing is not None:
        raise Conflict(f"Cơ quan {record['code']} đã tồn tại.")
    if not create and existing is None:
        raise NotFound(f"Không tìm thấy cơ quan {record['code']}.")
    if existing is not None and public_agency(existing) == public_agency(record):
        return existing, False
    revision = (existing or {}).get("revision", 0) + 1
    event = new_event(
        "catalog.agency_changed",
        {"change": "created" if existing is None else "updated", "agency": public_agency(record)},
        source=SOURCE,
        aggregate_id=record["code"],
        aggregate_version=revision,
        tenant=record["province"],
    )
    stored = {**record, "revision": revision, "updated_at": now, **provenance(source, seed_sha)}
    if existing is None:
        repo.insert_agency(db, {**stored, "created_at": now}, [event])
    else:
        repo.update_agency(db, record["code"], existing["revision"], stored, [event])
    return {**record, "revision": revision}, True


# -- procedures ------------------------------------------------------------------------------


def _check_procedure(db: Database, definition: dict[str, Any]) -> None:
    errors = validate_definition(definition)
    agencies = definition.get("agencies")
    if isinstance(agencies, list) and not any(k.startswith("agencies") for k in errors):
        known = repo.existing_agency_codes(db, agencies)
        for index, code in enumerate(agencies):
            if code not in known:
                errors[f"agencies.{index}"] = [f"Không tìm thấy cơ quan {code}."]
    templates = [
        c.get("template")
        for c in definition.get("components") or []
        if isinstance(c, dict) and c.get("template")
    ]
    known_templates = repo.templates_by_ids(db, templates)
    for index, component in enumerate(definition.get("components") or []):
        template = component.get("template") if isinstance(component, dict) else None
        if template and template not in known_templates:
            errors[f"components.{index}.template"] = [f"Không tìm thấy mẫu đơn '{template}'."]
    if errors:
        raise DefinitionInvalid(errors)


def save_procedure(
    db: Database,
    definition: dict[str, Any],
    *,
    create: bool,
    now: dt.datetime | None = None,
    source: str = "admin",
    seed_sha: str | None = None,
) -> ProcedureVersion:
    """Validate and store ``definition`` as a draft: version 1 of a new procedure, the open
    draft, or draft n+1 when the latest version is published (that one stays frozen)."""
    now = now or utc_now()
    _check_procedure(db, definition)
    document = repo.get_procedure(db, definition["code"])
    if create and document is not None:
        raise Conflict(f"Thủ tục {definition['code']} đã tồn tại; hãy sửa thủ tục đó.")
    if not create and document is None:
        raise NotFound(f"Không tìm thấy thủ tục {definition['code']}.")
    draft = draft_for_edit(repo.latest_version(document), definition, now)
    repo.save_draft(db, document, draft, now, provenance(source, seed_sha))
    return draft


def _read_model(db: Database, definition: dict[str, Any]) -> dict[str, Any]:
    agencies = repo.agencies_by_codes(db, definition["agencies"])
    return {
        **search_fields(definition),
        # a copy of the current definition, so listings need not read every version
        "current": definition,
        "name": definition["name"],
        "field": definition["field"],
        "field_norm": fold(definition["field"]),
        "level": definition["level"],
        "online_mode": definition["online_mode"],
        "agencies": list(definition["agencies"]),
        "provinces": sorted({a["province"] for a in agencies.values() if a.get("province")}),
    }


def published_event_data(published: ProcedurePublished) -> dict[str, Any]:
    """What ``catalog.procedure_published`` carries: the whole frozen definition, plus the
    version, when it was published and the processing days a dossier is given."""
    return {
        **published.definition,
        "version": published.version,
        "published_at": repo.iso(published.published_at),
        "processing_days": processing_days(published.definition),
    }


def publish_procedure(
    db: Database,
    code: str,
    now: dt.datetime | None = None,
    source: str = "admin",
    seed_sha: str | None = None,
) -> ProcedureVersion:
    """Freeze the latest draft, make it current and record ``catalog.procedure_published``."""
    now = now or utc_now()
    document = repo.get_procedure(db, code)
    version = repo.latest_version(document)
    if document is None or version is None:
        raise NotFound(f"Không tìm thấy thủ tục {code}.")
    if version.is_published:
        raise AlreadyPublished(
            f"Phiên bản {version.version} của thủ tục {code} đã được công bố; "
            "hãy sửa thủ tục để tạo phiên bản mới."
        )
    _check_procedure(db, version.definition)
    published = version.publish(now)
    event = new_event(
        "catalog.procedure_published",
        published_event_data(published),
        source=SOURCE,
        aggregate_id=code,
        aggregate_version=version.version,
    )
    read_model = {**_read_model(db, version.definition), **provenance(source, seed_sha)}
    repo.save_published(db, document, version, read_model, [event], now)
    return version


# -- templates -------------------------------------------------------------------------------


def store_template(
    db: Database, storage: TemplateStorage, meta: dict[str, Any], data: bytes, content_type: str
) -> bool:
    """Keep a form file in the S3 store and its metadata in Mongo; unchanged files are not
    uploaded again. Returns whether anything was written."""
    digest = hashlib.sha256(data).hexdigest()
    existing = repo.get_template(db, meta["id"])
    record = {
        "id": meta["id"],
        "title": meta["title"],
        "filename": meta["filename"],
        "form_ref": meta.get("form_ref", ""),
        "content_type": content_type,
        "size": len(data),
        "sha256": digest,
        "object_key": f"templates/{meta['id']}/{digest[:16]}/{meta['filename']}",
    }
    if existing is not None and all(existing.get(k) == v for k, v in record.items()):
        return False
    storage.put(record["object_key"], data, content_type)
    repo.upsert_template(db, record)
    return True


HANDLERS = {
    "create_agency": lambda db, data: save_agency(db, data, create=True),
    "update_agency": lambda db, data: save_agency(db, data, create=False),
    "create_procedure": lambda db, data: save_procedure(db, data, create=True),
    "update_procedure": lambda db, data: save_procedure(db, data, create=False),
    "publish_procedure": publish_procedure,
    "store_template": store_template,
}
