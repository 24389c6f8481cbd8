"""Officers: the agency's queue by status and overdue, a dossier with its documents, and every
workflow action with the inputs it needs (one page per action)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import abort, flash, redirect, request, url_for

from gateway.portal import client
from gateway.portal.dossiers import (
    APPLICANT_FIELDS,
    IDENTITY_FIELDS,
    RETURN_METHODS,
    attachments_by_component,
    load_dossier,
)
from gateway.portal.forms import FormErrors, from_service
from gateway.portal.web import STATUS_LABELS, login_required, portal, render


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: str = "text"  # text | textarea | number | date | lines | radio | file | choices
    required: bool = True
    help: str | None = None


@dataclass(frozen=True)
class Action:
    name: str
    title: str  # the button and the page heading
    button: str
    from_statuses: tuple[str, ...]
    inputs: tuple[Input, ...] = ()
    caution: bool = False  # ends the dossier or refuses it: shown apart, with a warning


REASON = Input("reason", "Lý do", "textarea",
               help="Lý do sẽ được gửi cho công dân, hãy viết rõ ràng, dễ hiểu.")
RUNNING = ("accepted", "processing")
ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("accept", "Tiếp nhận hồ sơ", "Tiếp nhận", ("submitted",)),
    Action("start_processing", "Bắt đầu xử lý", "Bắt đầu xử lý", ("accepted",)),
    Action("request_supplement", "Yêu cầu bổ sung giấy tờ", "Gửi yêu cầu bổ sung",
           ("submitted", *RUNNING),
           (Input("missing_items", "Giấy tờ cần bổ sung", "lines",
                  help="Mỗi dòng một loại giấy tờ."), REASON,
            Input("fields", "Thông tin công dân được sửa", "choices", required=False,
                  help="Chỉ các thông tin được chọn mới sửa được trong thời gian bổ sung."),
            Input("documents", "Giấy tờ công dân cần đính kèm thêm", "choices",
                  required=False, help="Không chọn: công dân được đính kèm thêm mọi loại "
                                       "giấy tờ của thủ tục."))),
    Action("request_payment", "Yêu cầu nộp phí, lệ phí", "Gửi yêu cầu nộp phí", RUNNING,
           (Input("amount", "Số tiền phải nộp (đồng)", "number", help="Ví dụ: 20.000."),
            Input("note", "Ghi chú cho công dân", "textarea", required=False))),
    Action("record_payment", "Ghi nhận đã nộp phí, lệ phí", "Ghi nhận đã nộp",
           ("payment_requested",),
           (Input("receipt_number", "Số biên lai thu phí, lệ phí"),)),
    Action("complete", "Hoàn thành xử lý", "Hoàn thành", ("processing",),
           (Input("result", "Kết quả giải quyết", "textarea",
                  help="Ví dụ: Đã cấp Giấy khai sinh số 123/2026."),
            Input("result_file", "Tệp kết quả (không bắt buộc)", "file", required=False,
                  help="Tệp PDF, JPG hoặc PNG."))),
    Action("return", "Trả kết quả", "Xác nhận đã trả kết quả", ("completed",),
           (Input("return_method", "Hình thức trả kết quả", "radio"),
            Input("tracking_number", "Mã vận đơn bưu chính", required=False,
                  help="Bắt buộc khi trả qua bưu chính."))),
    Action("extend", "Gia hạn ngày hẹn trả", "Gia hạn",
           (*RUNNING, "supplement_requested", "payment_requested"),
           (Input("new_due_at", "Ngày hẹn trả mới", "date",
                  help="Phải là ngày làm việc, sau ngày hẹn hiện tại. Công dân sẽ nhận phiếu "
                       "xin lỗi và hẹn lại."), REASON)),
    Action("not_accept", "Từ chối tiếp nhận", "Từ chối tiếp nhận", ("submitted",), (REASON,),
           caution=True),
    Action("stop", "Dừng xử lý", "Dừng xử lý",
           (*RUNNING, "supplement_requested", "payment_requested"), (REASON,), caution=True),
)}
QUEUE_STATUSES = ("submitted", "accepted", "processing", "supplement_requested",
                  "payment_requested", "completed", "returned", "not_accepted", "stopped",
                  "withdrawn")


def available_actions(status: str) -> list[Action]:
    return [a for a in ACTIONS.values() if status in a.from_statuses]


@portal.route("/can-bo")
@login_required("officer")
def officer_queue():
    status = request.args.get("trang_thai") or None
    if status not in QUEUE_STATUSES:
        status = None
    overdue = request.args.get("qua_han") == "1"
    page = max(request.args.get("page", type=int) or 1, 1)
    params: dict[str, Any] = {"page": page, "per_page": 20}
    if status:
        params["status"] = status
    if overdue:
        params["overdue"] = "true"
    reply = client.call("submission", "GET", "/officer/dossiers", params=params)
    listing = reply.body if reply.ok else {"items": [], "total": 0, "pages": 0}
    return render("portal/officer_queue.html", listing=listing, status=status,
                  overdue=overdue, page=page, statuses=QUEUE_STATUSES,
                  failed=None if reply.ok else reply.message)


@portal.route("/can-bo/ho-so/<dossier_id>")
@login_required("officer")
def officer_dossier(dossier_id: str):
    dossier = load_dossier(dossier_id)
    actions = available_actions(dossier["status"])
    return render("portal/officer_dossier.html", dossier=dossier,
                  actions=[a for a in actions if not a.caution],
                  caution_actions=[a for a in actions if a.caution],
                  applicant_fields=APPLICANT_FIELDS, return_methods=RETURN_METHODS,
                  by_component=attachments_by_component(dossier))


def _inputs(action: Action) -> tuple[dict[str, Any], FormErrors]:
    """What the officer typed, shaped for the actions API, and what is missing."""
    body: dict[str, Any] = {}
    errors = FormErrors()
    for field in action.inputs:
        if field.kind == "file":
            continue
        raw = (request.form.get(field.name) or "").strip()
        if field.kind == "choices":
            value: Any = [v for v in request.form.getlist(field.name) if v.strip()] or None
        elif field.kind == "lines":
            value = [line.strip() for line in raw.splitlines() if line.strip()] or None
        elif field.kind == "number":
            digits = raw.replace(".", "").replace(",", "").replace(" ", "")
            value = int(digits) if digits.isdigit() else (raw or None)
            if value is not None and not isinstance(value, int):
                errors.add(field.name, f"{field.label} phải là một số nguyên.")
        else:
            value = raw or None
        if value is None and field.required:
            errors.add(field.name, f"Vui lòng nhập {field.label.lower()}.")
        if value is not None:
            body[field.name] = value
    return body, errors


def _upload_result(dossier_id: str, errors: FormErrors) -> str | None:
    upload = request.files.get("result_file")
    if upload is None or not upload.filename:
        return None
    reply = client.call("submission", "POST",
                        f"/dossiers/{quote(dossier_id, safe='')}/attachments",
                        data={"document_type": "result"},
                        files={"file": (upload.filename, upload.stream,
                                        upload.mimetype or "application/octet-stream")})
    if reply.ok:
        return reply.body["id"]
    for messages in reply.errors.values() or [[reply.message]]:
        for message in messages:
            errors.add("result_file", message)
    if not errors.get("result_file"):
        errors.add("result_file", reply.message)
    return None


@portal.route("/can-bo/ho-so/<dossier_id>/<action_name>", methods=["GET", "POST"])
@login_required("officer")
def officer_action(dossier_id: str, action_name: str):
    action = ACTIONS.get(action_name)
    if action is None:
        abort(404)
    dossier = load_dossier(dossier_id)
    errors, status = FormErrors(), 200
    if dossier["status"] not in action.from_statuses:
        errors.general.append(
            f"Hồ sơ đang ở trạng thái “{STATUS_LABELS.get(dossier['status'])}” nên không thể "
            f"{action.title.lower()}.")
    elif request.method == "POST":
        body, errors = _inputs(action)
        if not errors and any(i.kind == "file" for i in action.inputs):
            file_id = _upload_result(dossier_id, errors)
            if file_id:
                body["result_file_id"] = file_id
        if not errors:
            # The version read with the page guards against acting on a dossier someone else
            # changed meanwhile; our own result upload just changed it, so it is not sent then.
            if "result_file_id" not in body:
                body["version"] = dossier["version"]
            reply = client.call("submission", "POST",
                                f"/dossiers/{quote(dossier_id, safe='')}/actions",
                                json={"action": action.name, **body})
            if reply.ok:
                flash(f"Đã {action.title.lower()}. Trạng thái mới: "
                      f"{reply.body.get('status_label', '')}.", "success")
                return redirect(url_for("portal.officer_dossier", dossier_id=dossier_id))
            names = {i.name for i in action.inputs} | {"result_file_id"}
            errors = from_service(reply.errors, reply.message,
                                  lambda key: ("result_file" if key == "result_file_id" else key)
                                  if key in names else None)
        status = 422
    return render("portal/officer_action.html", dossier=dossier, action=action,
                  errors=errors, form=request.form, return_methods=RETURN_METHODS,
                  choices=supplement_choices(dossier)), status


def supplement_choices(dossier: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """What a supplement request may list: the e-form's fields but the applicant's identity
    (bound to the verified account), the applicant's contacts, the dossier's documents."""
    fields = [{"value": f["name"], "label": f.get("label") or f["name"]}
              for f in (dossier.get("eform") or {}).get("fields", [])
              if f.get("prefill") not in IDENTITY_FIELDS]
    fields += [{"value": f"applicant.{name}", "label": f"{label} (người nộp)"}
               for name, label, *_ in APPLICANT_FIELDS if name not in IDENTITY_FIELDS]
    fields.append({"value": "applicant.return_method", "label": "Cách nhận kết quả"})
    documents = [{"value": c["code"], "label": _short(c.get("name") or c["code"])}
                 for c in dossier.get("components") or []]
    return {"fields": fields, "documents": documents}


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
