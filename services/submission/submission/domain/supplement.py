"""What a citizen may change while the officer waits for a supplement (issue 20, finding 9).

The officer's request names what is missing: ``fields`` (e-form field names, or
``applicant.<phone|email|address|return_method>``) and ``documents`` (component codes). While
the dossier is in ``supplement_requested`` the citizen may only change those fields and add
new attachments (of the listed components when the request lists any); anything else is
refused and changes nothing. Every accepted change appends a versioned diff to the history
and causes a ``dossier.supplement_changed`` event that names the changed fields and the
added components — never their values. The resubmission's ``dossier.supplemented`` carries
the round's totals.

History diffs keep the values before and after in ``form_before``/``form_after`` (shaped like
``form_data``) and ``applicant_before``/``applicant_after`` (shaped like ``applicant``), so
whatever protects those documents at rest protects these copies the same way.
"""
from __future__ import annotations

from typing import Any

from .binding import IDENTITY_KEYS, identity_form_fields
from .errors import InvalidInput
from .status import Status

CHANGE_EVENT = "dossier.supplement_changed"
APPLICANT_FIELDS = ("phone", "email", "address", "return_method")
_REFUSED = ("Trong thời gian bổ sung hồ sơ, bạn chỉ được sửa các thông tin cán bộ yêu cầu "
            "và đính kèm giấy tờ mới.")


def scope_of_request(dossier, fields: list[str] | None, documents: list[str] | None
                     ) -> tuple[list[str], list[str]]:
    """The fields and documents an officer may ask for, checked against this dossier."""
    eform = dossier.procedure.get("eform") or {}
    known = {d["name"] for d in eform.get("fields", [])} - identity_form_fields(eform)
    known |= {f"applicant.{k}" for k in APPLICANT_FIELDS}
    codes = {c["code"] for c in dossier.components}
    errors: dict[str, list[str]] = {}
    fields = _unique(fields)
    documents = _unique(documents)
    unknown = [f for f in fields if f not in known]
    if unknown:
        errors["fields"] = [
            f"Trường “{name}” không có trong tờ khai hoặc là thông tin định danh (lấy từ tài "
            "khoản, không yêu cầu bổ sung được)." for name in unknown]
    unknown_documents = [d for d in documents if d not in codes]
    if unknown_documents:
        errors["documents"] = [f"Giấy tờ “{code}” không có trong thành phần hồ sơ."
                               for code in unknown_documents]
    if errors:
        raise InvalidInput("Yêu cầu bổ sung nêu thông tin không có trong hồ sơ.", errors)
    return fields, documents


def _unique(values: list[str] | None) -> list[str]:
    seen: list[str] = []
    for value in values or []:
        value = value.strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def is_open(dossier) -> bool:
    return dossier.status is Status.SUPPLEMENT_REQUESTED


def _request(dossier) -> dict[str, Any]:
    return dossier.details.setdefault("supplement", {})


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def check_edit(dossier, form_before: dict[str, Any], applicant_before: dict[str, Any]) -> None:
    """Refuse an edit during a supplement that touches what the officer did not list
    (``dossier`` carries the edited values; nothing is saved when this raises)."""
    if not is_open(dossier):
        return
    allowed = set(_request(dossier).get("fields") or [])
    errors: dict[str, list[str]] = {}
    for name in changed_keys(form_before, dossier.form_data):
        if name not in allowed:
            errors[name] = ["Cán bộ không yêu cầu bổ sung thông tin này."]
    for key in changed_keys(applicant_before, dossier.applicant):
        if key in IDENTITY_KEYS or f"applicant.{key}" not in allowed:
            errors[f"applicant.{key}"] = ["Cán bộ không yêu cầu bổ sung thông tin này."]
    if errors:
        raise InvalidInput(_REFUSED, errors)


def check_attachment(dossier, component_code: str) -> None:
    if not is_open(dossier):
        return
    documents = _request(dossier).get("documents") or []
    if documents and component_code not in documents:
        raise InvalidInput(_REFUSED, {"document_type": [
            "Cán bộ không yêu cầu bổ sung giấy tờ này; chỉ đính kèm các giấy tờ được yêu "
            "cầu."]})


def record_edit(dossier, actor, form_before: dict[str, Any], applicant_before: dict[str, Any],
                now) -> None:
    """Append the diff of an accepted edit (when something changed) and its event."""
    if not is_open(dossier):
        return
    form_keys = changed_keys(form_before, dossier.form_data)
    applicant_keys = changed_keys(applicant_before, dossier.applicant)
    if not form_keys and not applicant_keys:
        return
    names = form_keys + [f"applicant.{k}" for k in applicant_keys]
    diff = {
        "form_before": {k: form_before[k] for k in form_keys if k in form_before},
        "form_after": {k: dossier.form_data[k] for k in form_keys if k in dossier.form_data},
        "applicant_before": {k: applicant_before[k] for k in applicant_keys
                             if k in applicant_before},
        "applicant_after": {k: dossier.applicant[k] for k in applicant_keys
                            if k in dossier.applicant},
    }
    _record(dossier, actor, now, {"changed_fields": names, "added_documents": []}, diff)


def record_attachment(dossier, actor, attachment: dict[str, Any], now) -> None:
    if not is_open(dossier):
        return
    _record(dossier, actor, now,
            {"changed_fields": [], "added_documents": [attachment["component"]]},
            {"attachment_id": attachment["id"], "file_name": attachment["file_name"]})


def _record(dossier, actor, now, change: dict[str, list[str]], diff: dict[str, Any]) -> None:
    from .model import iso  # the one ISO format of nested data

    request = _request(dossier)
    seq = int(request.get("change_count") or 0) + 1
    request["change_count"] = seq
    for key in ("changed_fields", "added_documents"):
        request[key] = sorted({*(request.get(key) or []), *change[key]})
    version = dossier.version + 1  # the version the save of this change produces
    dossier.history.append({
        "seq": len(dossier.history) + 1,
        "action": "supplement_change",
        "from": dossier.status.value,
        "to": dossier.status.value,
        "actor_id": actor.id,
        "actor_role": actor.role,
        "at": iso(now),
        "note": None,
        "details": {"version": version, "change_seq": seq, **change, **diff},
    })
    dossier.pending_events.append((CHANGE_EVENT, dossier.event_data(
        "supplement_change", now, {**change, "change_seq": seq, "dossier_version": version})))


def round_summary(dossier) -> dict[str, Any]:
    """What the resubmission's event says about the round: names only."""
    request = _request(dossier)
    return {"changed_fields": list(request.get("changed_fields") or []),
            "added_documents": list(request.get("added_documents") or [])}
