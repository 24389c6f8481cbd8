"""Mongo access for submission: dossiers (with their outbox), counters, local copies.

Dossier times are stored as ISO-8601 UTC strings of one fixed width
(`2026-03-02T01:30:00Z`), which sort and compare like the instants they name: nx-27017 turns
any datetime written by `$set` into a string, so a real datetime would not survive the first
update. Lists are written whole with `$set` (no `$push`).

A dossier is filled against one published procedure version. That version's content (e-form,
components, processing days) is immutable, so it is stored once in `procedure_versions`, keyed
by code and version, and a dossier document carries only a small reference
(`{"code", "version", "name"}`). Loading a dossier rehydrates the full snapshot from a
per-process cache: immutable data never goes stale, and each write rewrites a document a
quarter of the size (see docs/performance.md).

Personal data (the applicant, personal form values, profile copies, stored answers, outbox
bodies) is sealed here, in the document mapping, with the ``Sealer`` every function that
touches it takes (see :mod:`submission.sealed`); lookups by CCCD use its keyed hash.
"""
from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from servicekit.cache import BoundedCache
from servicekit.mongo import ensure_indexes
from servicekit.outbox import OUTBOX_INDEX, new_document_with_outbox, with_outbox
from servicekit.sealing import Sealer
from submission import sealed
from submission.domain.errors import ConcurrencyConflict
from submission.domain.model import Dossier, iso, parse_iso
from submission.domain.status import Status

DOSSIERS = "dossiers"
COUNTERS = "counters"
PROCEDURES = "procedures"
PROCEDURE_VERSIONS = "procedure_versions"
AGENCIES = "agencies"
PROFILES = "profiles"
IDENTITIES = "verified_identities"
CALENDAR = "calendar"
IDEMPOTENCY = "idempotency_keys"
AUDIT = "audit"

INDEXES = {
    DOSSIERS: [
        IndexModel([("owner_id", ASCENDING), ("updated_at", DESCENDING)], name="by_owner"),
        IndexModel([("agency_code", ASCENDING), ("status", ASCENDING), ("due_at", ASCENDING)],
                   name="officer_queue"),
        IndexModel([("status", ASCENDING), ("updated_at", ASCENDING)], name="retention"),
        IndexModel([("code", ASCENDING)], name="by_code"),
        IndexModel([("applicant_cccd_hash", ASCENDING)], name="by_applicant_cccd"),
        OUTBOX_INDEX,
    ],
    IDEMPOTENCY: [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="ttl")],
    AUDIT: [IndexModel([("dossier_id", ASCENDING), ("at", ASCENDING)], name="by_dossier")],
}

_TOP_LEVEL_TIMES = ("created_at", "updated_at", "submitted_at", "accepted_at", "due_at",
                    "paused_at", "finished_at")


def create_indexes(db: Database) -> None:
    ensure_indexes(db, INDEXES)


# ---- dossiers -------------------------------------------------------------------------------
def procedure_reference(procedure: dict[str, Any]) -> dict[str, Any]:
    """What a dossier document keeps of its procedure: enough for lists and lookups."""
    return {k: procedure.get(k) for k in ("code", "version", "name")}


def _state(dossier: Dossier, sealer: Sealer) -> dict[str, Any]:
    state = {
        "owner_id": dossier.owner_id,
        "procedure": procedure_reference(dossier.procedure),
        "procedure_code": dossier.procedure.get("code"),
        "agency": dossier.agency,
        "agency_code": dossier.agency["code"],
        "tenant": dossier.tenant,
        "status": dossier.status.value,
        "status_code": dossier.status.code,
        **sealed.dossier_personal_fields(sealer, dossier.id, dossier.procedure.get("eform"),
                                         dossier.applicant, dossier.form_data),
        "filer_sealed": sealed.seal_filer(sealer, dossier.id, dossier.filer),
        "attachments": dossier.attachments,
        "code": dossier.code,
        "resume_status": dossier.resume_status.value if dossier.resume_status else None,
        "details": dossier.details,
        "extensions": dossier.extensions,
        "history": sealed.seal_history(sealer, dossier.id, dossier.history),
    }
    for name in _TOP_LEVEL_TIMES:
        state[name] = iso(getattr(dossier, name))
    return state


def dossier_from_document(document: dict[str, Any], procedure: dict[str, Any] | None = None,
                          *, sealer: Sealer) -> Dossier:
    """The aggregate from its document; ``procedure`` is the full snapshot when the caller
    needs it (lists make do with the reference the document carries)."""
    applicant, form_data = sealed.open_dossier_personal(sealer, document)
    return Dossier(
        id=document["_id"],
        owner_id=document["owner_id"],
        procedure=procedure or document["procedure"],
        agency=document["agency"],
        tenant=document["tenant"],
        status=Status(document["status"]),
        version=document["version"],
        applicant=applicant,
        filer=sealed.open_filer(sealer, document),
        form_data=form_data,
        attachments=list(document.get("attachments") or []),
        code=document.get("code"),
        resume_status=Status(document["resume_status"]) if document.get("resume_status")
        else None,
        details=document.get("details") or {},
        extensions=list(document.get("extensions") or []),
        history=sealed.open_history(sealer, document["_id"], document.get("history")),
        **{name: parse_iso(document.get(name)) for name in _TOP_LEVEL_TIMES},
    )


def insert_dossier(db: Database, dossier: Dossier, events: list[dict], *, sealer: Sealer
                   ) -> None:
    """A new draft; its procedure snapshot must be stored already (see store_procedure)."""
    dossier.version = 1
    document = {"_id": dossier.id, "version": 1, **_state(dossier, sealer)}
    db[DOSSIERS].insert_one(new_document_with_outbox(document, events, seal=sealer.seal_event))


def save_dossier(db: Database, dossier: Dossier, events: list[dict],
                 expected_version: int | None = None, *, sealer: Sealer,
                 request_key: str | None = None) -> None:
    """Write the dossier and its events in one update, if nobody changed it meanwhile.

    ``request_key`` (the submit's Idempotency-Key) is stored in the same write, so a retry
    after a crash between this write and the answer is recognised (see handlers.submit).
    """
    version = dossier.version if expected_version is None else expected_version
    state = {**_state(dossier, sealer), "version": version + 1}
    if request_key:
        state["submit_request_key"] = request_key
    legacy = {k: "" for k in (*sealed.LEGACY_DOSSIER_FIELDS, "filer")}
    update = with_outbox({"$set": state, "$unset": legacy}, events, seal=sealer.seal_event)
    result = db[DOSSIERS].update_one({"_id": dossier.id, "version": version}, update)
    if result.matched_count == 0:
        raise ConcurrencyConflict(
            "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại hồ sơ rồi thao tác lại.")
    dossier.version = version + 1


def submitted_with_key(db: Database, dossier_id: str, request_key: str) -> bool:
    return db[DOSSIERS].count_documents(
        {"_id": dossier_id, "submit_request_key": request_key}, limit=1) == 1


def get_dossier(db: Database, dossier_id: str, *, sealer: Sealer) -> Dossier | None:
    document = db[DOSSIERS].find_one({"_id": dossier_id, "deleted_at": {"$exists": False}},
                                     {"outbox": 0})
    if not document:
        return None
    reference = document["procedure"]
    return dossier_from_document(
        document, procedure_snapshot(db, reference["code"], reference["version"]), sealer=sealer)


def mark_deleted(db: Database, dossier: Dossier, now: datetime) -> bool:
    result = db[DOSSIERS].update_one(
        {"_id": dossier.id, "version": dossier.version, "status": Status.DRAFT.value},
        {"$set": {"deleted_at": iso(now), "updated_at": iso(now)}, "$inc": {"version": 1}})
    return result.modified_count == 1


def drafts_to_purge(db: Database, untouched_since: datetime, limit: int = 100) -> list[dict]:
    return list(db[DOSSIERS].find(
        {"status": Status.DRAFT.value,
         "$or": [{"updated_at": {"$lt": iso(untouched_since)}},
                 {"deleted_at": {"$exists": True}}, {"abandoned": True}]},
        {"attachments": 1, "version": 1}).limit(limit))


def purge_draft(db: Database, dossier_id: str, version: int) -> bool:
    """Remove a draft document unless it changed since it was selected."""
    result = db[DOSSIERS].delete_one(
        {"_id": dossier_id, "version": version, "status": Status.DRAFT.value})
    return result.deleted_count == 1


def abandon_drafts_of(db: Database, owner_id: str) -> int:
    result = db[DOSSIERS].update_many({"owner_id": owner_id, "status": Status.DRAFT.value},
                                      {"$set": {"abandoned": True}})
    return result.modified_count


# ---- dossier codes --------------------------------------------------------------------------
def next_sequence(db: Database, key: str) -> int:
    """Atomically take the next number of a counter (created at 1 on first use)."""
    document = db[COUNTERS].find_one_and_update(
        {"_id": key}, {"$inc": {"seq": 1}}, upsert=True, return_document=ReturnDocument.AFTER)
    return int(document["seq"])


# ---- procedures (local copy of catalog's published versions) --------------------------------
_snapshots = BoundedCache(256)  # immutable procedure versions, shared by the threads


def _snapshot_id(code: str, version: int) -> str:
    return f"{code}@v{version}"


def store_procedure_version(db: Database, procedure: dict[str, Any]) -> None:
    """Keep a published version's content for the dossiers filled against it (write-once)."""
    snapshot = {k: v for k, v in procedure.items() if k != "agencies"}
    with contextlib.suppress(DuplicateKeyError):  # stored before: versions never change
        db[PROCEDURE_VERSIONS].insert_one(
            {"_id": _snapshot_id(procedure["code"], procedure["version"]),
             "procedure": snapshot})


def procedure_snapshot(db: Database, code: str, version: int) -> dict[str, Any]:
    key = (id(db.client), db.name, code, version)
    snapshot = _snapshots.get(key)
    if snapshot is None:
        document = db[PROCEDURE_VERSIONS].find_one({"_id": _snapshot_id(code, version)})
        if document is None:
            raise LookupError(f"procedure version {code} v{version} is not stored")
        snapshot = document["procedure"]
        _snapshots.put(key, snapshot)
    return snapshot


def upsert_procedure(db: Database, procedure: dict[str, Any]) -> bool:
    """Keep the newest published version; an older or repeated one changes nothing.

    The version's snapshot is stored first, so a current copy always has its snapshot.
    """
    store_procedure_version(db, procedure)
    try:
        result = db[PROCEDURES].update_one(
            {"_id": procedure["code"], "version": {"$lt": procedure["version"]}},
            {"$set": {**procedure}}, upsert=True)
    except DuplicateKeyError:  # a newer (or the same) version is already stored
        return False
    return bool(result.modified_count or result.upserted_id)


def get_procedure(db: Database, code: str) -> dict[str, Any] | None:
    document = db[PROCEDURES].find_one({"_id": code})
    if document:
        document.pop("_id", None)
    return document


def upsert_agency(db: Database, agency: dict[str, Any], revision: int) -> None:
    """Keep the newest revision of an agency's name and province."""
    with contextlib.suppress(DuplicateKeyError):  # a newer revision is already stored
        db[AGENCIES].update_one({"_id": agency["code"], "revision": {"$lt": revision}},
                                {"$set": {**agency, "revision": revision}}, upsert=True)


def get_agency(db: Database, code: str) -> dict[str, Any] | None:
    return db[AGENCIES].find_one({"_id": code})


# ---- consented profile copies ---------------------------------------------------------------
def put_profile(db: Database, user_id: str, profile: dict[str, Any] | None,
                version: int | None, *, sealer: Sealer) -> None:
    """Store the consented copy, sealed (or, with `profile=None`, erase it) unless a newer
    event won.

    An erased copy stays as a tombstone with its event version so a late, older event
    cannot bring the data back.
    """
    version = version or 0
    clear_fields = {k: "" for k in sealed.PROFILE_FIELDS}  # copies kept before sealing
    if profile is None:
        update = {"$set": {"consent": False, "event_version": version},
                  "$unset": {**clear_fields, "sealed": ""}}
    else:
        copy = {k: profile[k] for k in sealed.PROFILE_FIELDS if profile.get(k)}
        update = {"$set": {"sealed": sealed.seal_profile(sealer, user_id, copy),
                           "consent": True, "event_version": version},
                  "$unset": clear_fields}
    with contextlib.suppress(DuplicateKeyError):  # a newer event already wrote this profile
        db[PROFILES].update_one(
            {"_id": user_id, "event_version": {"$lt": version}} if version else {"_id": user_id},
            update, upsert=True)


def drop_profile(db: Database, user_id: str, version: int | None = None, *, sealer: Sealer
                 ) -> None:
    put_profile(db, user_id, None, version, sealer=sealer)


def get_profile(db: Database, user_id: str, *, sealer: Sealer) -> dict[str, Any] | None:
    document = db[PROFILES].find_one({"_id": user_id, "consent": True})
    if not document:
        return None
    return sealed.open_profile(sealer, document)


# ---- verified account identities (identity's events, whatever the autofill consent) ---------
_IDENTITY_FIELDS = ("cccd", "full_name", "date_of_birth")


def put_verified_identity(db: Database, user_id: str, identity: dict[str, Any] | None,
                          version: int, *, sealer: Sealer) -> None:
    """Keep the newest verified identity of an account, sealed (``None`` erases it for good
    when ``version`` is final: the account was deleted)."""
    if identity is None:
        update = {"$set": {"version": version, "erased": True}, "$unset": {"sealed": ""}}
    else:
        copy = {k: identity.get(k) for k in _IDENTITY_FIELDS if identity.get(k)}
        update = {"$set": {"sealed": sealed.seal_identity(sealer, user_id, copy),
                           "version": version}}
    with contextlib.suppress(DuplicateKeyError):  # a newer event already wrote this identity
        db[IDENTITIES].update_one({"$and": [{"_id": user_id}, {"version": {"$lt": version}}]},
                                  update, upsert=True)


def get_verified_identity(db: Database, user_id: str, *, sealer: Sealer
                          ) -> dict[str, Any] | None:
    document = db[IDENTITIES].find_one({"_id": user_id})
    identity = sealed.open_identity(sealer, document) if document else {}
    return identity if identity.get("cccd") else None


# ---- working calendar -----------------------------------------------------------------------
def get_calendar_document(db: Database) -> dict[str, Any]:
    return db[CALENDAR].find_one({"_id": "default"}) or {"_id": "default", "days": {}}


def set_calendar_day(db: Database, day: str, entry: dict[str, Any] | None) -> None:
    if entry is None:
        db[CALENDAR].update_one({"_id": "default"}, {"$unset": {f"days.{day}": ""}},
                                upsert=True)
    else:
        db[CALENDAR].update_one({"_id": "default"}, {"$set": {f"days.{day}": entry}},
                                upsert=True)


def set_calendar_settings(db: Database, settings: dict[str, Any]) -> None:
    db[CALENDAR].update_one({"_id": "default"}, {"$set": settings}, upsert=True)


# ---- idempotency keys -----------------------------------------------------------------------
def claim_idempotency_key(db: Database, key_id: str, fingerprint: str, now: datetime,
                          ttl: timedelta, lease: timedelta, *, sealer: Sealer
                          ) -> dict[str, Any] | None:
    """Reserve `key_id`; return the existing record (its answer opened) when it was used
    before.

    A reservation whose request died (process killed mid-request) is taken over once its
    lease has run out, so the citizen's retry is not refused for the whole TTL.
    """
    lease_until = (now + lease).timestamp()  # a number: nx-27017 stringifies $set datetimes
    try:
        db[IDEMPOTENCY].insert_one({"_id": key_id, "fingerprint": fingerprint,
                                    "state": "pending", "lease_until": lease_until,
                                    "created_at": now, "expires_at": now + ttl})
        return None
    except DuplicateKeyError:
        pass
    taken = db[IDEMPOTENCY].update_one(
        {"_id": key_id, "state": "pending", "fingerprint": fingerprint,
         "lease_until": {"$lt": now.timestamp()}},
        {"$set": {"lease_until": lease_until}})
    if taken.modified_count:
        return None
    record = db[IDEMPOTENCY].find_one({"_id": key_id})
    if record is None:
        return {"state": "pending", "fingerprint": fingerprint}
    return {**record, "body": sealed.open_answer(sealer, record)}


def complete_idempotency_key(db: Database, key_id: str, status: int, body: Any, *,
                             sealer: Sealer) -> None:
    """Keep the answer for replays; it names the applicant, so it is sealed."""
    answer = sealed.seal_answer(sealer, key_id, body)
    db[IDEMPOTENCY].update_one({"_id": key_id}, {"$set": {
        "state": "done", "status": status, "body_sealed": answer}})


def release_idempotency_key(db: Database, key_id: str) -> None:
    db[IDEMPOTENCY].delete_one({"_id": key_id, "state": "pending"})


# ---- audit ----------------------------------------------------------------------------------
def record_access(db: Database, entry: dict[str, Any]) -> None:
    db[AUDIT].insert_one(entry)
