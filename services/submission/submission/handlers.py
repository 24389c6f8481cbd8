"""Use cases: parse → load → check → change → save (with events). The map is at the bottom."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any, BinaryIO

from servicekit.events import new_event
from submission import repository
from submission.bootstrap import Services, calendar_from_document
from submission.documents.apology import apology_pdf
from submission.documents.form_view import form_html
from submission.documents.receipt import receipt_pdf
from submission.domain import binding, content, eform, supplement, uploads
from submission.domain.calendar import VN_TZ, vietnam_public_holidays
from submission.domain.codes import counter_key, format_dossier_code
from submission.domain.errors import (
    ConcurrencyConflict,
    IdentityPending,
    IllegalTransition,
    InvalidInput,
    NotFound,
    NotPermitted,
    UploadRefused,
)
from submission.domain.model import Actor, Dossier, iso, submission_problems
from submission.domain.status import Status
from submission.domain.transitions import CITIZEN, OFFICER, check_transition

RESULT_COMPONENT = {"code": "result", "name": "Kết quả giải quyết", "required": False,
                    "allowed_types": ["pdf", "jpg", "png"]}
_SAVE_ATTEMPTS = 8  # concurrent uploads to one dossier retry on a fresh read
PURGE_BATCH = 100


# ---- loading and access -----------------------------------------------------------------
def load_for(svc: Services, actor: Actor, dossier_id: str) -> Dossier:
    """The dossier if `actor` may see it. Citizens never learn that others' dossiers exist."""
    dossier = repository.get_dossier(svc.db, dossier_id, sealer=svc.sealer)
    hidden = dossier is None or (
        dossier.owner_id != actor.id if actor.role == CITIZEN else dossier.status is Status.DRAFT)
    if hidden:  # drafts are private to their author; others' dossiers are not revealed
        raise NotFound("Không tìm thấy hồ sơ.")
    if not dossier.is_visible_to(actor):
        raise NotPermitted("Hồ sơ không thuộc cơ quan của bạn.")
    return dossier


def _audit(svc: Services, actor: Actor, action: str, dossier: Dossier, **extra: Any) -> None:
    repository.record_access(svc.db, {
        "_id": uuid.uuid4().hex, "at": svc.now(), "action": action, "dossier_id": dossier.id,
        "dossier_code": dossier.code, "actor_id": actor.id, "actor_role": actor.role,
        "actor_agency": actor.agency, **extra})


def view_dossier(svc: Services, actor: Actor, dossier_id: str) -> Dossier:
    dossier = load_for(svc, actor, dossier_id)
    if actor.role != CITIZEN:
        _audit(svc, actor, "view", dossier)
    return dossier


def _envelopes(dossier: Dossier) -> list[dict]:
    version = dossier.version + 1
    return [new_event(event_type, data, source="submission", aggregate_id=dossier.id,
                      aggregate_version=version, tenant=dossier.tenant)
            for event_type, data in dossier.collect_events()]


# ---- drafts ---------------------------------------------------------------------------------
def create_draft(svc: Services, actor: Actor, procedure_code: str, agency_code: str) -> Dossier:
    if actor.role != CITIZEN:
        raise NotPermitted("Chỉ công dân mới tạo được hồ sơ.")
    procedure = repository.get_procedure(svc.db, procedure_code)
    if procedure is None:
        raise InvalidInput("Thủ tục không tồn tại hoặc chưa được công bố.",
                           {"procedure_code": ["Không tìm thấy thủ tục đã công bố."]})
    agency = next((a for a in procedure.get("agencies", []) if a["code"] == agency_code), None)
    if agency is None:
        raise InvalidInput("Cơ quan này không thực hiện thủ tục đã chọn.",
                           {"agency_code": ["Cơ quan không thực hiện thủ tục này."]})
    agency = {**agency, **_known_agency(svc, agency_code)}
    now = svc.now()
    # present only with autofill consent
    profile = repository.get_profile(svc.db, actor.id, sealer=svc.sealer)
    dossier = Dossier(
        id=uuid.uuid4().hex, owner_id=actor.id,
        procedure={k: v for k, v in procedure.items() if k != "agencies"},
        agency={"code": agency["code"], "name": agency.get("name") or agency["code"]},
        tenant=agency.get("province") or "", created_at=now, updated_at=now,
        applicant=_applicant_from(profile),
        form_data=eform.prefill(procedure.get("eform") or {}, profile),
    )
    binding.bind(dossier, repository.get_verified_identity(svc.db, actor.id,
                                                           sealer=svc.sealer))
    repository.insert_dossier(svc.db, dossier, [], sealer=svc.sealer)
    return dossier


def _known_agency(svc: Services, code: str) -> dict[str, Any]:
    """Name and province from the local copy of catalog's agencies (when it has arrived)."""
    known = repository.get_agency(svc.db, code) or {}
    if "active" in known and not known["active"]:
        raise InvalidInput("Cơ quan này hiện không tiếp nhận hồ sơ.",
                           {"agency_code": ["Cơ quan đã ngừng hoạt động."]})
    return {k: known[k] for k in ("name", "province") if known.get(k)}


def _applicant_from(profile: dict | None) -> dict[str, Any]:
    if not profile:
        return {}
    keys = ("full_name", "cccd", "date_of_birth", "phone", "email", "address")
    return {k: profile[k] for k in keys if profile.get(k)}


UNCHANGED: Any = object()  # `filed_for` absent from the request


def update_draft(svc: Services, actor: Actor, dossier_id: str, *, form_data: dict | None,
                 applicant: dict | None, expected_version: int | None,
                 filed_for: dict | None = UNCHANGED) -> Dossier:
    dossier = load_for(svc, actor, dossier_id)
    dossier.ensure_actor(actor, CITIZEN)
    _check_version(dossier, expected_version)
    verified = repository.get_verified_identity(svc.db, actor.id, sealer=svc.sealer)
    if filed_for is not UNCHANGED:  # proxy filing (or back to one's own), drafts only
        binding.file_for(dossier, filed_for, _required_identity(verified))
    bound = binding.bound_identity(dossier, verified)
    binding.check_applicant_input(applicant, bound)  # naming someone else: refused
    eform_definition = dossier.procedure.get("eform") or {}
    before = dict(dossier.form_data), dict(dossier.applicant)
    cleaned = None
    if form_data is not None:
        merged = binding.bind_form(eform_definition, {**dossier.form_data, **form_data}, bound)
        cleaned = eform.validate_form(eform_definition, merged,
                                      complete=False, today=svc.now().astimezone(VN_TZ).date())
    merged_applicant = None if applicant is None else {**dossier.applicant, **applicant}
    if merged_applicant is not None:
        merged_applicant = {k: v for k, v in merged_applicant.items() if v not in (None, "")}
    dossier.update_draft(form_data=cleaned, applicant=merged_applicant, now=svc.now())
    binding.bind(dossier, verified, bound)
    # during a supplement: only what the officer listed, and the change is recorded
    supplement.check_edit(dossier, *before)
    supplement.record_edit(dossier, actor, *before, svc.now())
    repository.save_dossier(svc.db, dossier, _envelopes(dossier), sealer=svc.sealer)
    return dossier


def _required_identity(verified: dict | None) -> dict:
    if not verified:
        raise IdentityPending(
            "Hệ thống đang đồng bộ thông tin định danh của tài khoản bạn. Vui lòng thử lại "
            "sau ít giây.")
    return verified


def delete_draft(svc: Services, actor: Actor, dossier_id: str) -> None:
    dossier = load_for(svc, actor, dossier_id)
    dossier.ensure_actor(actor, CITIZEN)
    if dossier.status is not Status.DRAFT:
        raise_illegal("Chỉ xoá được hồ sơ đang soạn; hồ sơ đã nộp có thể rút.")
    if not repository.mark_deleted(svc.db, dossier, svc.now()):
        raise ConcurrencyConflict("Hồ sơ vừa được cập nhật. Vui lòng tải lại.")


def raise_illegal(message: str):
    raise IllegalTransition(message)


def _check_version(dossier: Dossier, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != dossier.version:
        raise ConcurrencyConflict(
            "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại hồ sơ rồi thao tác lại.")


# ---- attachments ----------------------------------------------------------------------------
def _component_for(dossier: Dossier, actor: Actor, document_type: str) -> dict[str, Any]:
    if actor.role == OFFICER:
        if document_type != "result":
            raise InvalidInput("Cán bộ chỉ tải lên tệp kết quả.",
                               {"document_type": ["Dùng document_type=result."]})
        if dossier.status is not Status.PROCESSING:
            raise_illegal(f"Không thể tải tệp kết quả khi hồ sơ đang ở trạng thái "
                          f"“{dossier.status.label}”.")
        return RESULT_COMPONENT
    dossier.ensure_actor(actor, CITIZEN)
    if not dossier.is_editable:
        raise_illegal(f"Không thể đính kèm giấy tờ khi hồ sơ đang ở trạng thái "
                      f"“{dossier.status.label}”.")
    for component in dossier.components:
        if component["code"] == document_type:
            supplement.check_attachment(dossier, component["code"])
            return component
    raise InvalidInput("Loại giấy tờ không có trong thành phần hồ sơ.",
                       {"document_type": ["Loại giấy tờ không thuộc thủ tục này."]})


def add_attachment(svc: Services, actor: Actor, dossier_id: str, *, document_type: str,
                   file_name: str | None, stream: BinaryIO, size: int) -> dict[str, Any]:
    """Check name, size and content type, stream the bytes to the store, record metadata."""
    dossier = load_for(svc, actor, dossier_id)
    component = _component_for(dossier, actor, document_type)
    name = uploads.safe_file_name(file_name)
    # the component's own limit (catalog's max_size_mb), else the default (10 MB)
    limit = component.get("max_size") or svc.settings.component_max_bytes
    uploads.check_sizes(size, limit, dossier.attachment_bytes, svc.settings.dossier_max_bytes)
    head = stream.read(8192)
    stream.seek(0)
    content_type = uploads.check_type(name, uploads.detect_mime(head),
                                      component.get("allowed_types"))
    # structure, not only the magic number, then the virus scanner: before anything is stored
    content.check_structure(name, uploads.extension_of(name), stream, svc.content_limits())
    svc.scanner.scan(name, stream)
    key = f"dossiers/{dossier.id}/{uuid.uuid4().hex}"
    sha256 = svc.store.put(key, stream, size, content_type)
    attachment = {"id": uuid.uuid4().hex, "component": component["code"], "file_name": name,
                  "size": size, "sha256": sha256, "content_type": content_type,
                  "object_key": key, "uploaded_at": iso(svc.now()), "uploaded_by": actor.id,
                  "uploaded_by_role": actor.role}
    for attempt in range(_SAVE_ATTEMPTS):
        try:
            if attempt:  # someone saved meanwhile (another upload): re-check on fresh state
                dossier = load_for(svc, actor, dossier_id)
                _component_for(dossier, actor, document_type)
                uploads.check_sizes(size, limit, dossier.attachment_bytes,
                                    svc.settings.dossier_max_bytes)
            dossier.add_attachment(attachment, svc.now())
            supplement.record_attachment(dossier, actor, attachment, svc.now())
            repository.save_dossier(svc.db, dossier, _envelopes(dossier), sealer=svc.sealer)
            return attachment
        except (ConcurrencyConflict, UploadRefused, InvalidInput, NotPermitted) as exc:
            if isinstance(exc, ConcurrencyConflict) and attempt + 1 < _SAVE_ATTEMPTS:
                continue
            svc.store.remove(key)  # nothing stored for a refused upload
            raise
    raise AssertionError("unreachable")


def _attachment(dossier: Dossier, attachment_id: str) -> dict[str, Any]:
    for attachment in dossier.attachments:
        if attachment["id"] == attachment_id:
            return attachment
    raise NotFound("Không tìm thấy tệp đính kèm.")


def attachment_download(svc: Services, actor: Actor, dossier_id: str, attachment_id: str,
                        *, link: bool) -> tuple[dict[str, Any], str | None]:
    """Metadata and, when `link`, a short-lived presigned URL. Every download is audited."""
    dossier = load_for(svc, actor, dossier_id)
    attachment = _attachment(dossier, attachment_id)
    _audit(svc, actor, "download", dossier, attachment_id=attachment_id,
           file_name=attachment["file_name"])
    url = None
    if link:
        url = svc.store.download_url(attachment["object_key"],
                                     svc.settings.download_url_seconds,
                                     attachment["file_name"], attachment["content_type"])
    return attachment, url


# ---- submit and the lifecycle ---------------------------------------------------------------
def submit(svc: Services, actor: Actor, dossier_id: str, request_key: str | None = None
           ) -> Dossier:
    dossier = load_for(svc, actor, dossier_id)
    dossier.ensure_actor(actor, CITIZEN)
    if request_key and dossier.code and repository.submitted_with_key(svc.db, dossier_id,
                                                                       request_key):
        return dossier  # this request already submitted it; its answer was lost in a crash
    check_transition("submit", actor.role, dossier.status, {})
    now = svc.now()
    # the applicant is the verified account holder, or the person a proxy filing names
    binding.bind(dossier, _required_identity(
        repository.get_verified_identity(svc.db, actor.id, sealer=svc.sealer)))
    problems = submission_problems(dossier)
    try:
        eform.validate_form(dossier.procedure.get("eform") or {}, dossier.form_data,
                            complete=True, today=now.astimezone(VN_TZ).date())
    except InvalidInput as exc:
        problems = {**exc.errors, **problems}
    if problems:
        raise InvalidInput("Hồ sơ chưa đủ thông tin để nộp.", problems)
    receipt_day = now.astimezone(VN_TZ).date()
    sequence = repository.next_sequence(svc.db, counter_key(dossier.agency["code"], receipt_day))
    dossier.submit(actor, format_dossier_code(dossier.agency["code"], receipt_day, sequence), now)
    repository.save_dossier(svc.db, dossier, _envelopes(dossier), sealer=svc.sealer,
                            request_key=request_key)
    return dossier


def act(svc: Services, actor: Actor, dossier_id: str, action: str, inputs: dict[str, Any],
        expected_version: int | None = None) -> Dossier:
    """Any transition but submit, checked by role, agency scope and current status."""
    dossier = load_for(svc, actor, dossier_id)
    _check_version(dossier, expected_version)
    dossier.perform(action, actor, inputs, svc.now(), svc.calendar(), svc.pause_policy())
    repository.save_dossier(svc.db, dossier, _envelopes(dossier), sealer=svc.sealer)
    return dossier


# ---- documents ------------------------------------------------------------------------------
def receipt(svc: Services, actor: Actor, dossier_id: str) -> tuple[Dossier, bytes]:
    dossier = load_for(svc, actor, dossier_id)
    if dossier.code is None:
        raise_illegal("Hồ sơ chưa nộp nên chưa có giấy tiếp nhận.")
    if actor.role != CITIZEN:
        _audit(svc, actor, "receipt", dossier)
    url = svc.settings.tracking_url.format(code=dossier.code)
    return dossier, receipt_pdf(dossier, url, svc.now(), svc.settings.font_dir)


def apology(svc: Services, actor: Actor, dossier_id: str, seq: int) -> tuple[Dossier, bytes]:
    dossier = load_for(svc, actor, dossier_id)
    extension = next((e for e in dossier.extensions if e["seq"] == seq), None)
    if extension is None:
        raise NotFound("Không tìm thấy lần gia hạn này.")
    if actor.role != CITIZEN:
        _audit(svc, actor, "apology", dossier)
    return dossier, apology_pdf(dossier, extension, svc.now(), svc.settings.font_dir)


def printable_form(svc: Services, actor: Actor, dossier_id: str) -> str:
    dossier = load_for(svc, actor, dossier_id)
    if actor.role != CITIZEN:
        _audit(svc, actor, "print_form", dossier)
    return form_html(dossier, svc.now())


# ---- working calendar (administrators) ------------------------------------------------------
def calendar_overview(svc: Services, year: int) -> dict[str, Any]:
    document = svc.calendar_settings()
    holidays = vietnam_public_holidays([year])
    calendar = calendar_from_document(document, year)
    return {
        "year": year,
        "windows": [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in calendar.windows],
        "cutoff": calendar.cutoff.strftime("%H:%M"),
        "pause_policy": svc.pause_policy().value,
        "public_holidays": [{"date": d.isoformat(), "name": name}
                            for d, name in sorted(holidays.items())],
        "days": {d: e for d, e in (document.get("days") or {}).items() if d.startswith(str(year))},
    }


def set_calendar_day(svc: Services, actor: Actor, day: date, kind: str, note: str) -> None:
    repository.set_calendar_day(svc.db, day.isoformat(),
                                {"kind": kind, "note": note, "by": actor.id,
                                 "at": iso(svc.now())})


def clear_calendar_day(svc: Services, day: date) -> None:
    repository.set_calendar_day(svc.db, day.isoformat(), None)


def update_calendar_settings(svc: Services, changes: dict[str, Any]) -> None:
    if "windows" in changes:
        try:
            calendar_from_document({"windows": changes["windows"],
                                    "cutoff": changes.get("cutoff")}, svc.now().year)
        except ValueError:
            raise InvalidInput("Khung giờ làm việc không hợp lệ.", {
                "windows": ["Các khung giờ phải theo thứ tự, không chồng lấn."]}) from None
    repository.set_calendar_settings(svc.db, changes)


# ---- retention ------------------------------------------------------------------------------
def purge_drafts(svc: Services) -> int:
    """Remove drafts untouched for the retention period, deleted or abandoned, and their files."""
    cutoff = svc.now() - timedelta(days=svc.settings.draft_retention_days)
    purged = 0
    for document in repository.drafts_to_purge(svc.db, cutoff, PURGE_BATCH):
        if repository.purge_draft(svc.db, document["_id"], document["version"]):
            for attachment in document.get("attachments") or []:
                svc.store.remove(attachment["object_key"])
            purged += 1
    return purged


COMMANDS = {
    "create_draft": create_draft,
    "update_draft": update_draft,
    "delete_draft": delete_draft,
    "add_attachment": add_attachment,
    "submit": submit,
    "act": act,  # accept, not_accept, …, withdraw, resubmit, extend: see domain/transitions.py
    "purge_drafts": purge_drafts,
    "set_calendar_day": set_calendar_day,
    "clear_calendar_day": clear_calendar_day,
    "update_calendar_settings": update_calendar_settings,
}
QUERIES = {
    "view_dossier": view_dossier,
    "attachment_download": attachment_download,
    "receipt": receipt,
    "apology": apology,
    "printable_form": printable_form,
    "calendar_overview": calendar_overview,
}
