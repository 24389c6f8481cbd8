"""On-time statistics per agency (administrators see every agency, officers their own)."""
from __future__ import annotations

from flask import request

from gateway.portal import client
from gateway.portal.forms import FormErrors, from_service
from gateway.portal.web import login_required, portal, render

FILTERS = {"from": "from", "to": "to", "province": "province"}


@portal.route("/thong-ke")
@login_required("admin", "officer")
def statistics():
    form = {name: (request.args.get(name) or "").strip() for name in FILTERS}
    params = {name: value for name, value in form.items() if value}
    reply = client.call("tracking", "GET", "/stats", params=params)
    errors, stats = FormErrors(), None
    if reply.ok:
        stats = reply.body
    else:
        errors = from_service(reply.errors, reply.message,
                              lambda key: key if key in FILTERS else None)
    rows = sorted((stats or {}).get("by_agency") or [],
                  key=lambda r: (r.get("on_time_rate") is None, -(r.get("on_time_rate") or 0),
                                 r.get("agency_name") or ""))
    return render("portal/statistics.html", stats=stats, rows=rows, form=form,
                  errors=errors), (200 if reply.ok else 422)
