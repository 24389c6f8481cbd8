"""Pages anyone can open: home, procedure search and detail, form downloads, tracking."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, request, stream_with_context

from gateway.portal import client
from gateway.portal.forms import FormErrors, from_service
from gateway.portal.web import portal, render

CHANNELS = {"truc_tuyen": "Trực tuyến", "truc_tiep": "Trực tiếp", "buu_chinh": "Qua bưu chính"}
ONLINE_MODES = {"toan_trinh": "Toàn trình", "mot_phan": "Một phần"}
PER_PAGE = 10


@portal.route("/")
def home():
    reply = client.call("catalog", "GET", "/procedures", auth=False,
                        params={"per_page": 6, "page": 1})
    featured = reply.body.get("items", []) if reply.ok else []
    return render("portal/home.html", featured=featured)


@portal.route("/thu-tuc")
def search():
    query = (request.args.get("q") or "").strip()
    page = request.args.get("page", type=int) or 1
    params = {"page": max(page, 1), "per_page": PER_PAGE}
    if query:
        params["q"] = query[:200]
    reply = client.call("catalog", "GET", "/procedures", auth=False, params=params)
    errors = FormErrors() if reply.ok else from_service(reply.errors, reply.message,
                                                        lambda key: "q")
    results = reply.body if reply.ok else {"items": [], "total": 0, "pages": 0, "page": 1}
    return render("portal/search.html", query=query, results=results, errors=errors,
                  channels=CHANNELS)


@portal.route("/thu-tuc/<code>")
def procedure(code: str):
    reply = client.call("catalog", "GET", f"/procedures/{quote(code, safe='')}", auth=False)
    if reply.status == 404:
        abort(404)
    if not reply.ok:
        raise client.ServiceUnavailable("catalog")
    return render("portal/procedure.html", procedure=reply.body, channels=CHANNELS,
                  online_modes=ONLINE_MODES)


def passthrough(upstream, default_name: str, disposition: str = "attachment") -> Response:
    """Send an upstream file to the browser (PDF, attachment, form template)."""
    if upstream.status_code != 200:
        upstream.close()
        abort(404)
    headers = {"Content-Type": upstream.headers.get("Content-Type", "application/octet-stream"),
               "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    given = upstream.headers.get("Content-Disposition", "")
    headers["Content-Disposition"] = given.replace("inline", disposition) if given else (
        f"{disposition}; filename*=UTF-8''{quote(default_name)}")
    if upstream.headers.get("Content-Length"):
        headers["Content-Length"] = upstream.headers["Content-Length"]

    def body():
        try:
            yield from upstream.iter_content(64 * 1024)
        finally:
            upstream.close()

    return Response(stream_with_context(body()), headers=headers)


@portal.route("/thu-tuc/<code>/mau/<template_id>")
def procedure_template(code: str, template_id: str):
    path = f"/procedures/{quote(code, safe='')}/templates/{quote(template_id, safe='')}"
    return passthrough(client.stream("catalog", path), f"{template_id}.docx")


@portal.route("/tra-cuu")
def tracking():
    """Look a dossier up by its code or the applicant's CCCD (GET form: no token needed).

    By CCCD, tracking answers only the person: signed in (their own dossiers), or proven by
    a code sent to the phone/email on record (the steps below); otherwise it answers 401
    and the page offers that step."""
    code = (request.args.get("code") or "").strip()
    cccd = (request.args.get("cccd") or "").strip()
    results, errors, not_found, proof_step = None, FormErrors(), None, None
    if "code" in request.args or "cccd" in request.args:
        field = "cccd" if cccd and not code else "code"
        params = {field: cccd if field == "cccd" else code}
        if not params[field]:
            errors.add(field, "Vui lòng nhập mã hồ sơ." if field == "code"
                       else "Vui lòng nhập số định danh cá nhân (12 chữ số).")
        else:
            reply = client.call_public("tracking", "GET", "/lookup", params=params)
            results, errors, not_found = _lookup_outcome(reply)
            if reply.status == 401 and field == "cccd":
                proof_step = "ask"
    return render("portal/tracking.html", code=code, cccd=cccd, results=results,
                  errors=errors, not_found=not_found, proof_step=proof_step)


def _lookup_outcome(reply) -> tuple[list | None, FormErrors, str | None]:
    if reply.ok:
        return reply.body.get("results", []), FormErrors(), None
    if reply.status == 404:
        return None, FormErrors(), reply.message
    if reply.status == 401:  # a CCCD lookup needs the proof step: the page offers it
        return None, FormErrors(), None
    return None, from_service(reply.errors, reply.message,
                              lambda key: key if key in ("code", "cccd") else "cccd"), None


@portal.route("/tra-cuu/xac-minh", methods=["POST"])
def tracking_proof_send():
    """Proof step 1: identity sends a code to the contact on record for the CCCD (the same
    answer whether or not the number has an account)."""
    cccd = (request.form.get("cccd") or "").strip()
    reply = client.call("identity", "POST", "/lookup-proof", auth=False, json={"cccd": cccd})
    if not reply.ok:
        errors = from_service(reply.errors, reply.message, lambda key: "cccd")
        return render("portal/tracking.html", code="", cccd=cccd, results=None, errors=errors,
                      not_found=None, proof_step="ask"), reply.status
    return render("portal/tracking.html", code="", cccd=cccd, results=None, errors=FormErrors(),
                  not_found=None, proof_step="code", proof=reply.body)


@portal.route("/tra-cuu/xac-minh/ma", methods=["POST"])
def tracking_proof_verify():
    """Proof step 2: the code buys a short-lived proof, used at once for this lookup only
    (never kept in the session)."""
    cccd = (request.form.get("cccd") or "").strip()
    challenge = {"challenge_id": request.form.get("challenge_id") or ""}
    code = "".join((request.form.get("otp") or "").split())
    page = {"code": "", "cccd": cccd, "not_found": None}
    if not code:
        errors = FormErrors()
        errors.add("otp", "Vui lòng nhập mã xác minh gồm 6 chữ số.")
        return render("portal/tracking.html", results=None, errors=errors, proof_step="code",
                      proof=challenge, **page), 422
    verified = client.call("identity", "POST", "/lookup-proof/verify", auth=False,
                           json={**challenge, "code": code})
    if not verified.ok:
        errors = from_service(verified.errors, verified.message, lambda key: "otp")
        return render("portal/tracking.html", results=None, errors=errors, proof_step="code",
                      proof=challenge, **page), verified.status
    reply = client.call("tracking", "GET", "/lookup", auth=False, params={"cccd": cccd},
                        headers={verified.body["header"]: verified.body["proof_token"]})
    if reply.status in (401, 403):  # the proof expired meanwhile, or the form was altered
        errors = FormErrors()
        errors.add("cccd", reply.message)
        return render("portal/tracking.html", results=None, errors=errors, proof_step="ask",
                      **page), reply.status
    results, errors, not_found = _lookup_outcome(reply)
    return render("portal/tracking.html", results=results, errors=errors, proof_step=None,
                  **{**page, "not_found": not_found})
