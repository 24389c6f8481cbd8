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
    """Look a dossier up by its code or the applicant's CCCD (GET form: no token needed)."""
    code = (request.args.get("code") or "").strip()
    cccd = (request.args.get("cccd") or "").strip()
    results, errors, not_found = None, FormErrors(), None
    if "code" in request.args or "cccd" in request.args:
        field = "cccd" if cccd and not code else "code"
        params = {field: cccd if field == "cccd" else code}
        if not params[field]:
            errors.add(field, "Vui lòng nhập mã hồ sơ." if field == "code"
                       else "Vui lòng nhập số định danh cá nhân (12 chữ số).")
        else:
            reply = client.call_public("tracking", "GET", "/lookup", params=params)
            if reply.ok:
                results = reply.body.get("results", [])
            elif reply.status == 404:
                not_found = reply.message
            else:
                errors = from_service(reply.errors, reply.message,
                                      lambda key: key if key in ("code", "cccd") else None)
    return render("portal/tracking.html", code=code, cccd=cccd, results=results,
                  errors=errors, not_found=not_found)
