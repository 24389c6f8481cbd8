"""Event handlers: the local copies submission keeps of other services' data."""
from __future__ import annotations

import functools
from typing import Any

from servicekit.consumer import HandlerContext
from servicekit.sealing import Sealer
from submission import repository
from submission.domain.eform import check_eform_definition

PROCEDURES_QUEUE = "submission.catalog"
PROFILES_QUEUE = "submission.profiles"
FINAL_VERSION = 2**62


def procedure_from_event(data: dict[str, Any]) -> dict[str, Any]:
    """What submission needs from a published procedure version (see README § catalog)."""
    definition = data
    components = []
    for index, component in enumerate(definition.get("components") or [], start=1):
        max_size = component.get("max_size")
        if not max_size and component.get("max_size_mb"):
            max_size = int(float(component["max_size_mb"]) * 1024 * 1024)
        components.append({
            "code": str(component.get("code") or f"tp{index}"),
            "name": component.get("name") or component.get("code") or f"Thành phần {index}",
            "required": bool(component.get("required")),
            "allowed_types": component.get("file_types") or component.get("allowed_types"),
            "max_size": max_size,
        })
    # catalog sends agency codes; names and provinces come from catalog.agency_changed
    agencies = []
    for agency in definition.get("agencies") or []:
        if isinstance(agency, str):
            agency = {"code": agency}
        agencies.append({"code": agency["code"], "name": agency.get("name"),
                         "province": agency.get("province")})
    eform = definition.get("eform") or definition.get("eform_schema") or {"fields": []}
    problems = check_eform_definition(eform)
    if problems:
        raise ValueError(f"unusable e-form: {problems}")
    return {
        "code": definition["code"],
        "version": int(definition["version"]),
        "name": definition["name"],
        "processing_days": _processing_days(definition),
        "fee": definition.get("fee"),
        "components": components,
        "agencies": agencies,
        "eform": eform,
    }


def _processing_days(definition: dict[str, Any]) -> float | None:
    if definition.get("processing_days"):
        return float(definition["processing_days"])
    methods = definition.get("methods") or definition.get("submission_methods") or []
    online = [m for m in methods
              if (m.get("channel") or m.get("kind")) in ("truc_tuyen", "online")]
    for method in online or methods:
        days = method.get("processing_days")
        if days:
            return float(days)
    return None


def on_procedure_published(event: dict[str, Any], ctx: HandlerContext) -> None:
    repository.upsert_procedure(ctx.db, procedure_from_event(event["data"]))


def on_agency_changed(event: dict[str, Any], ctx: HandlerContext) -> None:
    agency = event["data"]["agency"]
    repository.upsert_agency(ctx.db, {
        "code": agency["code"], "name": agency.get("name"), "province": agency.get("province"),
        "active": agency.get("active", True) is not False,
    }, event.get("aggregate_version") or 0)


_PROFILE_KEYS = ("full_name", "cccd", "date_of_birth", "phone", "email", "address")


def on_user_registered(event: dict[str, Any], ctx: HandlerContext, *, sealer: Sealer) -> None:
    _keep_verified_identity(event, ctx, sealer)


def _keep_verified_identity(event: dict[str, Any], ctx: HandlerContext, sealer: Sealer) -> None:
    """The account's identity (cccd, full name, date of birth) binds the applicant of the
    citizen's own dossiers: kept (sealed) whatever the autofill consent (README § identity)."""
    data = event["data"]
    identity = data.get("verified_identity")
    if identity and identity.get("cccd"):
        repository.put_verified_identity(ctx.db, data["user_id"], identity,
                                         int(event.get("aggregate_version") or 0),
                                         sealer=sealer)


def on_profile_updated(event: dict[str, Any], ctx: HandlerContext, *, sealer: Sealer) -> None:
    """Keep a copy (sealed) only while the citizen consents to autofill; drop it when they
    withdraw."""
    data = event["data"]
    version = event.get("aggregate_version")
    _keep_verified_identity(event, ctx, sealer)
    if data.get("autofill_consent"):
        profile = {k: data[k] for k in _PROFILE_KEYS if data.get(k)}
        repository.put_profile(ctx.db, data["user_id"], profile, version, sealer=sealer)
    else:
        repository.drop_profile(ctx.db, data["user_id"], version, sealer=sealer)


def on_user_deleted(event: dict[str, Any], ctx: HandlerContext, *, sealer: Sealer) -> None:
    # Deletion is final: no later profile event may bring the copy back.
    repository.drop_profile(ctx.db, event["data"]["user_id"], FINAL_VERSION, sealer=sealer)
    repository.put_verified_identity(ctx.db, event["data"]["user_id"], None, FINAL_VERSION,
                                     sealer=sealer)
    repository.abandon_drafts_of(ctx.db, event["data"]["user_id"])


def handlers(sealer: Sealer) -> dict[str, dict]:
    """What the submission worker consumes, per queue, on one screen."""
    return {
        PROCEDURES_QUEUE: {"catalog.procedure_published": on_procedure_published,
                           "catalog.agency_changed": on_agency_changed},
        PROFILES_QUEUE: {
            "identity.user_registered": functools.partial(on_user_registered, sealer=sealer),
            "identity.profile_updated": functools.partial(on_profile_updated, sealer=sealer),
            "identity.user_deleted": functools.partial(on_user_deleted, sealer=sealer)},
    }
