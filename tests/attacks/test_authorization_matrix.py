"""Authorization matrix (issue 9): every operation of every service, enumerated from the
services' own OpenAPI documents (fetched through the gateway), called through the gateway by six
callers against real resources — citizen A's submitted dossier, its attachment, its code, A's
notification — and compared with the expected outcome table below.

Whatever the table says, nothing may answer 5xx; citizen B, the officer of another province's
agency and anonymous never get a 2xx on anything of A's dossier; admin-only operations refuse
every non-admin with 401/403. After the matrix, A's dossier is exactly as it was (status,
version, form, attachments); refusals carry the error shape; B's list, the other officer's
queue and stranger lookups do not show A's dossier or full name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
import requests
from attack_support import Actors, error_shape

from infra.local import journeys

ROLES = ("anonymous", "citizen_a", "citizen_b", "officer", "other_officer", "admin")
SERVICES = ("identity", "catalog", "submission", "tracking", "notify")

# Outcomes: ok = 2xx · 401 / 403 / 404 = exactly that · deny = 401, 403 or 404 · 4xx = any
# client error · nz = anything but 5xx · skip = not sent (an allowed write that would change
# the shared dossier or catalog; exercised by the services' own tests and the e2e journey).
# Columns: anonymous | citizen A | citizen B | officer (A's agency) | other-province officer | admin
EXPECTED: dict[str, tuple[str, str, str, str, str, str]] = {
    # identity ---------------------------------------------------------------------------
    "GET identity /healthz":                  ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET identity /readyz":                   ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "POST identity /register":                ("4xx", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "POST identity /register/verify":         ("4xx", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "POST identity /otp/resend":              ("4xx", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "POST identity /login":                   ("4xx", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "POST identity /login/verify":            ("4xx", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "POST identity /password/forgot":         ("4xx", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "POST identity /password/reset":          ("4xx", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "POST identity /token/refresh":           ("4xx", "4xx", "4xx", "4xx", "4xx", "4xx"),
    # signed in, logout also ends the caller's own session (issue 20): it would sign the shared
    # actors out; tests/attacks/test_sessions.py signs its own citizens out instead
    "POST identity /logout":                  ("401", "skip", "skip", "skip", "skip", "skip"),
    "GET identity /me":                       ("401", "ok",  "ok",  "ok",  "ok",  "ok"),
    "PATCH identity /me":                     ("401", "nz",  "nz",  "nz",  "nz",  "nz"),
    "DELETE identity /me":                    ("401", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "POST identity /me/contact/verify":       ("401", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "POST identity /me/password":             ("401", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "GET identity /me/export":                ("401", "ok",  "ok",  "ok",  "ok",  "ok"),
    "POST identity /me/totp":                 ("401", "nz",  "nz",  "nz",  "nz",  "nz"),
    "POST identity /me/totp/confirm":         ("401", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "POST identity /lookup-proof":            ("4xx", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "POST identity /lookup-proof/verify":     ("4xx", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "DELETE identity /me/totp":               ("401", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "DELETE identity /officers/{staff_id}/totp":
                                              ("401", "403", "403", "403", "403", "4xx"),
    "GET identity /consents/autofill":        ("nz",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "POST identity /officers":                ("401", "403", "403", "403", "403", "ok"),
    "GET identity /.well-known/jwks.json":    ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    # catalog ----------------------------------------------------------------------------
    "GET catalog /healthz":                   ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET catalog /readyz":                    ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET catalog /provinces":                 ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET catalog /agencies":                  ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET catalog /agencies/{code}":           ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET catalog /agencies/{code}/children":  ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET catalog /agencies/{code}/ancestors": ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET catalog /procedures":                ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET catalog /procedures/{code}":         ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET catalog /procedures/{code}/templates/{template_id}":
                                              ("4xx", "4xx", "4xx", "4xx", "4xx", "4xx"),
    "POST catalog /admin/agencies":           ("401", "403", "403", "403", "403", "4xx"),
    "PUT catalog /admin/agencies/{code}":     ("401", "403", "403", "403", "403", "4xx"),
    "POST catalog /admin/procedures":         ("401", "403", "403", "403", "403", "4xx"),
    "GET catalog /admin/procedures/{code}":   ("401", "403", "403", "403", "403", "ok"),
    "PUT catalog /admin/procedures/{code}":   ("401", "403", "403", "403", "403", "4xx"),
    "POST catalog /admin/procedures/{code}/publish":
                                              ("401", "403", "403", "403", "403", "skip"),
    "POST catalog /admin/templates":          ("401", "403", "403", "403", "403", "4xx"),
    # submission (A's submitted dossier) -------------------------------------------------
    "GET submission /healthz":                ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET submission /readyz":                 ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET submission /dossiers":               ("401", "ok",  "ok",  "403", "403", "403"),
    "POST submission /dossiers":              ("401", "ok",  "ok",  "403", "403", "403"),
    "GET submission /dossiers/{dossier_id}":  ("401", "ok",  "404", "ok",  "deny", "403"),
    "PATCH submission /dossiers/{dossier_id}":
                                              ("401", "4xx", "404", "403", "403", "403"),
    "DELETE submission /dossiers/{dossier_id}":
                                              ("401", "4xx", "404", "403", "403", "403"),
    "POST submission /dossiers/{dossier_id}/attachments":
                                              ("401", "4xx", "404", "skip", "deny", "403"),
    "GET submission /dossiers/{dossier_id}/attachments/{attachment_id}":
                                              ("401", "ok",  "404", "ok",  "deny", "403"),
    "GET submission /dossiers/{dossier_id}/attachments/{attachment_id}/content":
                                              ("401", "ok",  "404", "ok",  "deny", "403"),
    "POST submission /dossiers/{dossier_id}/submit":
                                              ("401", "4xx", "404", "403", "403", "403"),
    "POST submission /dossiers/{dossier_id}/withdraw":
                                              ("401", "skip", "404", "403", "403", "403"),
    "POST submission /dossiers/{dossier_id}/actions":
                                              ("401", "4xx", "404", "skip", "deny", "403"),
    "GET submission /dossiers/{dossier_id}/receipt.pdf":
                                              ("401", "ok",  "404", "ok",  "deny", "403"),
    "GET submission /dossiers/{dossier_id}/extensions/{seq}/apology.pdf":
                                              ("401", "4xx", "404", "4xx", "deny", "403"),
    "GET submission /dossiers/{dossier_id}/form.html":
                                              ("401", "ok",  "404", "ok",  "deny", "403"),
    "GET submission /officer/dossiers":       ("401", "403", "403", "ok",  "ok",  "403"),
    "GET submission /admin/calendar":         ("401", "403", "403", "403", "403", "ok"),
    "PATCH submission /admin/calendar":       ("401", "403", "403", "403", "403", "nz"),
    "PUT submission /admin/calendar/days/{day}":
                                              ("401", "403", "403", "403", "403", "4xx"),
    "DELETE submission /admin/calendar/days/{day}":
                                              ("401", "403", "403", "403", "403", "nz"),
    # tracking (A's dossier code) --------------------------------------------------------
    "GET tracking /healthz":                  ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET tracking /readyz":                   ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET tracking /lookup":                   ("nz",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET tracking /dossiers/{code}/timeline": ("401", "ok",  "403", "ok",  "403", "ok"),
    "GET tracking /stats":                    ("401", "403", "403", "ok",  "ok",  "ok"),
    # notify (A's notification) ----------------------------------------------------------
    "GET notify /healthz":                    ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET notify /readyz":                     ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
    "GET notify /inbox":                      ("401", "ok",  "ok",  "ok",  "ok",  "ok"),
    "PATCH notify /inbox":                    ("401", "nz",  "nz",  "nz",  "nz",  "nz"),
    "PATCH notify /inbox/{notification_id}":  ("401", "nz",  "404", "404", "404", "404"),
    "GET notify /preferences":                ("401", "ok",  "ok",  "ok",  "ok",  "ok"),
    "PATCH notify /preferences":              ("401", "nz",  "nz",  "nz",  "nz",  "nz"),
    "GET notify /templates":                  ("401", "403", "403", "403", "403", "ok"),
    "POST notify /templates":                 ("401", "403", "403", "403", "403", "4xx"),
    "GET notify /dev/messages":               ("ok",  "ok",  "ok",  "ok",  "ok",  "ok"),
}
STRANGERS = ("anonymous", "citizen_b", "other_officer")


@dataclass(frozen=True)
class Operation:
    method: str
    service: str
    path: str

    @property
    def key(self) -> str:
        return f"{self.method} {self.service} {self.path}"

    @property
    def on_a_dossier(self) -> bool:
        return "{dossier_id}" in self.path or "{code}/timeline" in self.path

    @property
    def admin_only(self) -> bool:
        row = EXPECTED[self.key]
        return all(x in ("401", "403") for x in row[:5]) and row[5] != "403"


def _operations(base: str) -> list[Operation]:
    found = []
    for service in SERVICES:
        spec = requests.get(f"{base}/api/{service}/openapi.json", timeout=10).json()
        for path, item in spec["paths"].items():
            for method in item:
                if method in ("get", "post", "put", "patch", "delete"):
                    found.append(Operation(method.upper(), service, path))
    return found


@pytest.fixture(scope="module")
def matrix(stack, actors: Actors):
    base = actors.base
    items = actors.citizen_a.json("GET", "/api/notify/inbox")["items"]
    notification_id = items[0]["id"] if items else "0" * 24
    dossier = actors.dossier
    params = {
        "dossier_id": dossier["id"], "attachment_id": actors.attachment_id, "seq": "1",
        "day": "2026-12-31", "template_id": "khong-ton-tai", "notification_id": notification_id,
        "staff_id": "0" * 32,
    }
    before = actors.citizen_a.json("GET", f"/api/submission/dossiers/{dossier['id']}")
    operations = _operations(base)
    results: dict[tuple[str, str], requests.Response] = {}
    for op in operations:
        for role in ROLES:
            expected = EXPECTED.get(op.key, ("nz",) * 6)[ROLES.index(role)]
            if expected == "skip":
                continue
            results[(op.key, role)] = _call(actors, op, role, params)
    after = actors.citizen_a.json("GET", f"/api/submission/dossiers/{dossier['id']}")
    return operations, results, before, after, notification_id


def _url_path(actors: Actors, op: Operation, params: dict[str, str]) -> str:
    values = dict(params)
    if op.service == "catalog":
        values["code"] = actors.agency if "/agencies" in op.path else journeys.BIRTH_REGISTRATION
    else:
        values["code"] = actors.dossier["code"]
    return f"/api/{op.service}" + re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], op.path)


def _body(actors: Actors, op: Operation) -> dict:
    """A request each caller could plausibly send (valid where an attacker would make it so)."""
    component = next(c["code"] for c in actors.dossier["components"] if c.get("required"))
    bodies = {
        "POST identity /officers": {"json": {
            "full_name": "Lê Thị Thử", "role": "officer", "agency": actors.agency,
            "province": "01", "email": f"matran{id(op)}@example.vn"}},
        "DELETE identity /me": {"json": {"password": "sai-mat-khau-0000"}},
        "POST identity /me/contact/verify": {"json": {"challenge_id": "c" * 32,
                                                      "code": "000000"}},
        "POST identity /me/password": {"json": {"current_password": "sai-mat-khau-0000",
                                                "new_password": "Mat-khau-moi-2026!"}},
        "POST identity /me/totp/confirm": {"json": {"code": "000000"}},
        "POST identity /logout": {"json": {"refresh_token": "x" * 43}},
        "POST submission /dossiers": {"json": {"procedure_code": journeys.BIRTH_REGISTRATION,
                                               "agency_code": actors.agency}},
        "PATCH submission /dossiers/{dossier_id}": {"json": {"form": {"ho_ten": "Kẻ Gian"}}},
        "POST submission /dossiers/{dossier_id}/attachments": {
            "data": {"document_type": component},
            "files": {"file": ("giay-to.pdf", journeys.PDF, "application/pdf")}},
        "POST submission /dossiers/{dossier_id}/withdraw": {"json": {"reason": "Rút thử"}},
        "POST submission /dossiers/{dossier_id}/actions": {"json": {"action": "accept"}},
        "PATCH notify /inbox": {"json": {"read": True}},
        "PATCH notify /inbox/{notification_id}": {"json": {"read": True}},
        "GET tracking /lookup": {"params": {"code": actors.dossier["code"]}},
    }
    if op.key in bodies:
        return bodies[op.key]
    return {"json": {}} if op.method in ("POST", "PUT", "PATCH", "DELETE") else {}


def _call(actors: Actors, op: Operation, role: str, params: dict[str, str]
          ) -> requests.Response:
    return requests.request(op.method, actors.base + _url_path(actors, op, params),
                            headers=actors.headers(role), timeout=30, **_body(actors, op))


def _matches(expected: str, status: int) -> bool:
    return {
        "ok": 200 <= status < 300, "deny": status in (401, 403, 404),
        "4xx": 400 <= status < 500, "nz": status < 500,
    }.get(expected, str(status) == expected)


def test_every_documented_operation_has_a_row(matrix):
    operations, *_ = matrix
    keys = {op.key for op in operations}
    assert keys == set(EXPECTED), (
        f"undocumented in the table: {sorted(keys - set(EXPECTED))}; "
        f"no longer served: {sorted(set(EXPECTED) - keys)}")


def test_outcomes_match_the_table(matrix):
    operations, results, *_ = matrix
    wrong = []
    for (key, role), response in results.items():
        expected = EXPECTED.get(key, ("nz",) * 6)[ROLES.index(role)]
        if response.status_code >= 500 or not _matches(expected, response.status_code):
            wrong.append(f"{key} as {role}: {response.status_code} (expected {expected}) "
                         f"{response.text[:200]}")
    assert not wrong, "\n".join(wrong)


def test_strangers_never_reach_a_dossier(matrix):
    operations, results, *_ = matrix
    leaks = [f"{op.key} as {role}: {results[(op.key, role)].status_code}"
             for op in operations if op.on_a_dossier for role in STRANGERS
             if results[(op.key, role)].status_code < 300]
    assert not leaks, leaks


def test_admin_only_operations_refuse_everyone_else(matrix):
    operations, results, *_ = matrix
    admin_only = [op for op in operations if op.key in EXPECTED and op.admin_only]
    assert {"POST identity /officers", "GET notify /templates",
            "PATCH submission /admin/calendar"} <= {op.key for op in admin_only}
    wrong = [f"{op.key} as {role}: {results[(op.key, role)].status_code}"
             for op in admin_only for role in ROLES[:5]
             if results[(op.key, role)].status_code not in (401, 403)]
    assert not wrong, wrong


def test_refusals_use_the_error_shape(matrix):
    _operations_, results, *_ = matrix
    refusals = [(key, role, response) for (key, role), response in results.items()
                if response.status_code in (401, 403, 404)]
    assert len({key.split()[1] for key, _role, _response in refusals}) == len(SERVICES), (
        "every service refuses someone in the matrix")
    for key, role, response in refusals:
        assert response.headers.get("Content-Type", "").startswith("application/json"), (
            key, role, response.status_code)
        error_shape(response)


def test_the_dossier_did_not_change(matrix, actors):
    *_, before, after, _notification = matrix
    for field in ("status", "version", "form", "attachments", "code"):
        assert after.get(field) == before.get(field), field


def test_stranger_lists_and_lookups_do_not_leak(actors):
    code, dossier_id = actors.dossier["code"], actors.dossier["id"]
    mine = actors.citizen_b.json("GET", "/api/submission/dossiers")
    assert dossier_id not in str(mine)
    theirs = actors.other_officer.json("GET", "/api/submission/officer/dossiers")
    assert dossier_id not in str(theirs) and code not in str(theirs)
    ours = actors.officer.json("GET", "/api/submission/officer/dossiers")
    assert code in str(ours) or dossier_id in str(ours)
    full_name = actors.person_a.full_name
    for who in ("citizen_b", "other_officer"):
        found = requests.get(f"{actors.base}/api/tracking/lookup", params={"code": code},
                             headers=actors.headers(who), timeout=10).json()["results"][0]
        assert found["masked"] is True and found["applicant_name"] != full_name, who
        assert "timeline" not in found or not found["timeline"], who
    for who in ("citizen_a", "officer", "admin"):
        found = requests.get(f"{actors.base}/api/tracking/lookup", params={"code": code},
                             headers=actors.headers(who), timeout=10).json()["results"][0]
        assert found["applicant_name"] == full_name, who
