"""A citizen's dossiers: start → e-form → documents → review → submit → receipt; my dossiers
with their status and timeline; supplements and withdrawal."""
from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from flask import abort, flash, redirect, request, url_for

from gateway.portal import client
from gateway.portal.forms import FormErrors, from_service
from gateway.portal.public import passthrough
from gateway.portal.web import login_required, portal, render

STEPS = ("Điền tờ khai", "Đính kèm giấy tờ", "Kiểm tra và nộp", "Hoàn tất")
APPLICANT_FIELDS = (  # name, label, input type, autocomplete, help
    ("full_name", "Họ và tên người nộp", "text", "name", None),
    ("cccd", "Số định danh cá nhân (CCCD) của người nộp", "cccd", "off",
     "12 chữ số in trên thẻ căn cước."),
    ("date_of_birth", "Ngày sinh của người nộp", "date", "bday", None),
    ("phone", "Số điện thoại", "phone", "tel", "Ví dụ: 0912345678."),
    ("email", "Thư điện tử", "email", "email", None),
    ("address", "Địa chỉ liên hệ", "address", "street-address", None),
)
# The applicant's name, CCCD and date of birth come from the verified account (submission
# binds them, read-only): the page shows them and never sends them.
IDENTITY_FIELDS = ("full_name", "cccd", "date_of_birth")
APPLICANT_REQUIRED: tuple[str, ...] = ()
RETURN_METHODS = {"counter": "Nhận tại bộ phận một cửa", "postal": "Nhận qua dịch vụ bưu chính"}
EDITABLE = ("draft", "supplement_requested")
WITHDRAWABLE = ("submitted", "accepted", "processing", "supplement_requested",
                "payment_requested")


def load_dossier(dossier_id: str) -> dict[str, Any]:
    reply = client.call("submission", "GET", f"/dossiers/{quote(dossier_id, safe='')}")
    if reply.status in (403, 404):
        abort(404)
    if not reply.ok:
        raise client.ServiceUnavailable("submission")
    return reply.body


def _editable(dossier: dict[str, Any]):
    """None when the dossier can be edited, else a redirect to its page with a message."""
    if dossier["status"] in EDITABLE:
        return None
    flash("Hồ sơ đã nộp nên không sửa được nữa.", "info")
    return redirect(url_for("portal.dossier", dossier_id=dossier["id"]))


def _once_key() -> str:
    """A key per rendered form, sent as Idempotency-Key so a double click acts once."""
    return secrets.token_urlsafe(16)


# -- start -------------------------------------------------------------------------------------

@portal.route("/ho-so/moi", methods=["GET", "POST"])
@login_required("citizen")
def start_dossier():
    code = (request.values.get("thu_tuc") or "").strip()
    reply = client.call("catalog", "GET", f"/procedures/{quote(code, safe='')}", auth=False)
    if not code or reply.status == 404:
        abort(404)
    if not reply.ok:
        raise client.ServiceUnavailable("catalog")
    procedure = reply.body
    errors = FormErrors()
    if request.method == "POST":
        agency = request.form.get("agency_code", "")
        if not agency:
            errors.add("agency_code", "Vui lòng chọn cơ quan sẽ nhận hồ sơ của bạn.")
        else:
            created = client.call("submission", "POST", "/dossiers",
                                  json={"procedure_code": code, "agency_code": agency},
                                  headers={"Idempotency-Key": request.form.get("once", "")}
                                  if request.form.get("once") else None)
            if created.ok:
                return redirect(url_for("portal.dossier_form", dossier_id=created.body["id"]))
            errors = from_service(created.errors, created.message,
                                  lambda key: "agency_code" if key == "agency_code" else None)
    online = procedure.get("level", 0) >= 3
    return render("portal/dossier_start.html", procedure=procedure, errors=errors,
                  online=online, once=_once_key()), (422 if errors else 200)


# -- step 1: applicant and e-form --------------------------------------------------------------

def read_eform(fields: list[dict[str, Any]], form) -> dict[str, Any]:
    """The e-form's values as the browser sent them (blank → None, which clears a value)."""
    values: dict[str, Any] = {}
    for definition in fields:
        name = "form." + definition["name"]
        if definition.get("type") == "checkbox":
            if definition.get("options"):
                values[definition["name"]] = form.getlist(name) or None
            else:
                values[definition["name"]] = True if form.get(name) == "yes" else None
        else:
            values[definition["name"]] = (form.get(name) or "").strip() or None
    return values


def read_applicant(form) -> dict[str, Any]:
    applicant = {name: (form.get(f"applicant.{name}") or "").strip() or None
                 for name, *_ in APPLICANT_FIELDS if name not in IDENTITY_FIELDS}
    applicant["return_method"] = form.get("applicant.return_method") or None
    return applicant


def editable_inputs(dossier: dict[str, Any]) -> set[str] | None:
    """During a supplement request, the inputs the officer asked for (``form.<name>`` and
    ``applicant.<key>``); ``None`` when every input may be edited (a draft)."""
    if dossier.get("status") != "supplement_requested":
        return None
    listed = ((dossier.get("details") or {}).get("supplement") or {}).get("fields") or []
    return {name if name.startswith("applicant.") else f"form.{name}" for name in listed}


def only_editable(values: dict[str, Any], applicant: dict[str, Any],
                  editable: set[str] | None) -> dict[str, Any]:
    """The PATCH body: everything for a draft; during a supplement only the listed inputs."""
    if editable is None:
        return {"form": values, "applicant": applicant}
    return {"form": {k: v for k, v in values.items() if f"form.{k}" in editable},
            "applicant": {k: v for k, v in applicant.items() if f"applicant.{k}" in editable}}


def missing_required(fields: list[dict[str, Any]], values: dict[str, Any],
                     applicant: dict[str, Any]) -> FormErrors:
    """Required inputs left empty, said before moving on (a draft may stay incomplete)."""
    errors = FormErrors()
    for name in APPLICANT_REQUIRED:
        if not applicant.get(name):
            label = next(f[1] for f in APPLICANT_FIELDS if f[0] == name)
            errors.add(f"applicant.{name}", f"Vui lòng nhập {label[0].lower()}{label[1:]}.")
    for definition in fields:
        if definition.get("required") and values.get(definition["name"]) in (None, "", []):
            verb = "đánh dấu" if definition.get("type") == "checkbox" else (
                "chọn" if definition.get("type") in ("select", "radio") else "nhập")
            errors.add(f"form.{definition['name']}",
                       f"Vui lòng {verb} “{definition.get('label', definition['name'])}”.")
    return errors


def form_input_name(eform_names: set[str]):
    def rename(key: str) -> str | None:
        if key.startswith("applicant."):
            return key
        if key in eform_names:
            return f"form.{key}"
        if key.startswith("form.") and key[5:] in eform_names:
            return key
        return None
    return rename


def _sections(fields: list[dict[str, Any]]) -> list[tuple[str | None, list[dict[str, Any]]]]:
    """Consecutive fields grouped by their ``section`` (each group becomes a fieldset)."""
    groups: list[tuple[str | None, list[dict[str, Any]]]] = []
    for definition in fields:
        section = definition.get("section")
        if groups and groups[-1][0] == section:
            groups[-1][1].append(definition)
        else:
            groups.append((section, [definition]))
    return groups


@portal.route("/ho-so/<dossier_id>/to-khai", methods=["GET", "POST"])
@login_required("citizen")
def dossier_form(dossier_id: str):
    dossier = load_dossier(dossier_id)
    if (blocked := _editable(dossier)) is not None:
        return blocked
    fields = (dossier.get("eform") or {}).get("fields", [])
    errors, status = FormErrors(), 200
    values, applicant = dict(dossier.get("form") or {}), dict(dossier.get("applicant") or {})
    editable = editable_inputs(dossier)
    if request.method == "POST":
        bound = {k: v for k, v in applicant.items() if k in IDENTITY_FIELDS}
        values, applicant = read_eform(fields, request.form), read_applicant(request.form)
        if request.form.get("action") != "save" and editable is None:
            errors = missing_required(fields, values, applicant)
        reply = client.call("submission", "PATCH", f"/dossiers/{quote(dossier_id, safe='')}",
                            json=only_editable(values, applicant, editable))
        applicant = {**applicant, **bound}  # shown again as the account has them
        if reply.ok and not errors:
            if request.form.get("action") == "save":
                flash("Đã lưu nháp. Bạn có thể quay lại điền tiếp bất cứ lúc nào.", "success")
                return redirect(url_for("portal.dossier_form", dossier_id=dossier_id))
            return redirect(url_for("portal.dossier_documents", dossier_id=dossier_id))
        if not reply.ok:
            service_errors = from_service(reply.errors, reply.message,
                                          form_input_name({f["name"] for f in fields}))
            for name, messages in service_errors.fields.items():
                for message in messages:
                    if message not in errors.get(name):
                        errors.add(name, message)
            errors.general += service_errors.general
        status = 422
    order = [f"applicant.{n}" for n, *_ in APPLICANT_FIELDS] + ["applicant.return_method"] + [
        f"form.{f['name']}" for f in fields]
    return render("portal/dossier_form.html", dossier=dossier, sections=_sections(fields),
                  values=values, applicant=applicant, applicant_fields=APPLICANT_FIELDS,
                  return_methods=RETURN_METHODS, errors=errors, order=order, steps=STEPS,
                  step=1, identity_fields=IDENTITY_FIELDS, editable=editable), status


# -- step 2: documents -------------------------------------------------------------------------

@portal.route("/ho-so/<dossier_id>/giay-to", methods=["GET", "POST"])
@login_required("citizen")
def dossier_documents(dossier_id: str):
    dossier = load_dossier(dossier_id)
    if (blocked := _editable(dossier)) is not None:
        return blocked
    errors, status = FormErrors(), 200
    if request.method == "POST":
        component = request.form.get("document_type", "")
        upload = request.files.get("file")
        name = f"file-{component}"
        errors.anchors[name] = f"#c-{component}-file"
        if upload is None or not upload.filename:
            errors.add(name, "Vui lòng chọn tệp cần tải lên.")
        else:
            reply = client.call(
                "submission", "POST", f"/dossiers/{quote(dossier_id, safe='')}/attachments",
                data={"document_type": component},
                files={"file": (upload.filename, upload.stream,
                                upload.mimetype or "application/octet-stream")})
            if reply.ok:
                flash(f"Đã tải lên tệp “{reply.body.get('file_name', upload.filename)}”.",
                      "success")
                return redirect(url_for("portal.dossier_documents", dossier_id=dossier_id)
                                + f"#c-{component}")
            for messages in reply.errors.values():
                for message in messages:
                    errors.add(name, message)
            if not errors:
                errors.add(name, reply.message)
        status = 422
    return render("portal/dossier_documents.html", dossier=dossier, errors=errors,
                  by_component=attachments_by_component(dossier), steps=STEPS,
                  step=2), status


def attachments_by_component(dossier: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for attachment in dossier.get("attachments") or []:
        grouped.setdefault(attachment["component"], []).append(attachment)
    return grouped


# -- step 3: review and submit -----------------------------------------------------------------

def _review_errors(reply: client.Reply, dossier: dict[str, Any]) -> FormErrors:
    fields = {f["name"] for f in (dossier.get("eform") or {}).get("fields", [])}
    form_url = url_for("portal.dossier_form", dossier_id=dossier["id"])
    docs_url = url_for("portal.dossier_documents", dossier_id=dossier["id"])
    errors = from_service(reply.errors, reply.message, lambda key: key)
    for key in list(errors.fields):
        if key.startswith("components."):
            errors.anchors[key] = f"{docs_url}#c-{key.split('.', 1)[1]}"
        elif key.startswith("applicant.") or key in fields:
            target = key if key.startswith("applicant.") else f"form.{key}"
            errors.anchors[key] = f"{form_url}#f-{target.replace('.', '-')}"
        else:
            errors.general += errors.fields.pop(key)
    return errors


@portal.route("/ho-so/<dossier_id>/kiem-tra", methods=["GET", "POST"])
@login_required("citizen")
def dossier_review(dossier_id: str):
    dossier = load_dossier(dossier_id)
    if (blocked := _editable(dossier)) is not None:
        return blocked
    errors, status = FormErrors(), 200
    if request.method == "POST":
        path = f"/dossiers/{quote(dossier_id, safe='')}"
        once = {"Idempotency-Key": request.form["once"]} if request.form.get("once") else None
        if dossier["status"] == "draft":
            reply = client.call("submission", "POST", f"{path}/submit", headers=once)
        else:
            reply = client.call("submission", "POST", f"{path}/actions",
                                json={"action": "resubmit", "version": dossier["version"]})
        if reply.ok:
            if dossier["status"] == "draft":
                return redirect(url_for("portal.dossier_done", dossier_id=dossier_id))
            flash("Đã gửi bổ sung hồ sơ. Cơ quan sẽ tiếp tục xử lý.", "success")
            return redirect(url_for("portal.dossier", dossier_id=dossier_id))
        errors, status = _review_errors(reply, dossier), 422
    fields = (dossier.get("eform") or {}).get("fields", [])
    return render("portal/dossier_review.html", dossier=dossier, fields=fields,
                  applicant_fields=APPLICANT_FIELDS, return_methods=RETURN_METHODS,
                  by_component=attachments_by_component(dossier), errors=errors,
                  steps=STEPS, step=3, once=_once_key()), status


@portal.route("/ho-so/<dossier_id>/da-nop")
@login_required("citizen")
def dossier_done(dossier_id: str):
    dossier = load_dossier(dossier_id)
    return render("portal/dossier_done.html", dossier=dossier, steps=STEPS, step=4)


@portal.route("/ho-so/<dossier_id>/giay-tiep-nhan.pdf")
@login_required("citizen", "officer")
def receipt(dossier_id: str):
    upstream = client.stream("submission", f"/dossiers/{quote(dossier_id, safe='')}/receipt.pdf")
    return passthrough(upstream, "giay-tiep-nhan.pdf")


@portal.route("/ho-so/<dossier_id>/tep/<attachment_id>")
@login_required("citizen", "officer")
def attachment(dossier_id: str, attachment_id: str):
    path = (f"/dossiers/{quote(dossier_id, safe='')}/attachments/"
            f"{quote(attachment_id, safe='')}/content")
    return passthrough(client.stream("submission", path), "tep-dinh-kem")


# -- my dossiers -------------------------------------------------------------------------------

@portal.route("/ho-so")
@login_required("citizen")
def my_dossiers():
    page = max(request.args.get("page", type=int) or 1, 1)
    reply = client.call("submission", "GET", "/dossiers", params={"page": page, "per_page": 20})
    listing = reply.body if reply.ok else {"items": [], "total": 0, "pages": 0}
    return render("portal/my_dossiers.html", listing=listing, page=page, failed=not reply.ok)


@portal.route("/ho-so/<dossier_id>")
@login_required("citizen")
def dossier(dossier_id: str):
    dossier = load_dossier(dossier_id)
    if dossier["status"] == "draft":
        return redirect(url_for("portal.dossier_form", dossier_id=dossier_id))
    return render("portal/dossier.html", dossier=dossier, return_methods=RETURN_METHODS,
                  withdrawable=dossier["status"] in WITHDRAWABLE,
                  by_component=attachments_by_component(dossier))


@portal.route("/ho-so/<dossier_id>/rut", methods=["GET", "POST"])
@login_required("citizen")
def withdraw(dossier_id: str):
    dossier = load_dossier(dossier_id)
    errors = FormErrors()
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            errors.add("confirm", "Hãy đánh dấu ô xác nhận nếu bạn chắc chắn muốn rút hồ sơ.")
        else:
            reply = client.call("submission", "POST",
                                f"/dossiers/{quote(dossier_id, safe='')}/withdraw",
                                json={"reason": request.form.get("reason", "").strip(),
                                      "version": dossier["version"]})
            if reply.ok:
                flash("Đã rút hồ sơ.", "success")
                return redirect(url_for("portal.dossier", dossier_id=dossier_id))
            errors = from_service(reply.errors, reply.message,
                                  lambda key: "reason" if key == "reason" else None)
    return render("portal/withdraw.html", dossier=dossier, errors=errors,
                  reason=request.form.get("reason", "")), (422 if errors else 200)


@portal.route("/ho-so/<dossier_id>/gia-han/<int:seq>.pdf")
@login_required("citizen", "officer")
def apology(dossier_id: str, seq: int):
    path = f"/dossiers/{quote(dossier_id, safe='')}/extensions/{seq}/apology.pdf"
    return passthrough(client.stream("submission", path), f"phieu-xin-loi-{seq}.pdf")
