"""Finding 11 (issue 20): lookup by CCCD without proof. Anyone listed a person's dossiers —
procedure names such as marriage or divorce, agencies, dates — by CCCD alone, and staff were
exempt from the lookup limit.

Now an anonymous CCCD lookup needs a *lookup proof*: identity sends a code to the phone on
record for the CCCD (``POST /api/identity/lookup-proof``, the same answer for any number) and
signs a short-lived proof for that CCCD only (``/lookup-proof/verify``), sent to tracking in
``X-Lookup-Proof``. Staff CCCD lookups are limited per account and audited. Lookup by dossier
code stays anonymous.
"""
from __future__ import annotations

import time

import jwt
import pytest
import requests
from attack_support import Actors, error_shape
from pymongo import MongoClient

from infra.local import journeys

STAFF_LIMIT = 30  # tracking's STAFF_CCCD_LOOKUP_RATE_LIMIT default: 30/minute;300/day


def _lookup(actors: Actors, cccd: str, headers: dict | None = None) -> requests.Response:
    """An anonymous lookup; a proven one may meet the per-address limit other attacks spent
    (tracking's fixed window): then it waits the Retry-After once and asks again."""
    url = f"{actors.base}/api/tracking/lookup"
    response = requests.get(url, params={"cccd": cccd}, headers=headers or {}, timeout=10)
    if response.status_code == 429:
        time.sleep(int(response.headers["Retry-After"]) + 1)
        response = requests.get(url, params={"cccd": cccd}, headers=headers or {}, timeout=10)
    return response


def _proof(actors: Actors, person: journeys.Person) -> str:
    """The proof a person gets with the code sent to their phone."""
    asked = time.time()
    started = actors.api.json("POST", "/api/identity/lookup-proof", json={"cccd": person.cccd},
                              expect=(202,))
    code = journeys.read_otp(actors.api, person.phone, asked)
    proof = actors.api.json("POST", "/api/identity/lookup-proof/verify",
                            json={"challenge_id": started["challenge_id"], "code": code})
    assert proof["expires_in"] <= 600 and proof["header"] == "X-Lookup-Proof"
    return proof["proof_token"]


def test_anonymous_cccd_lookup_without_proof_is_refused(actors: Actors):
    response = _lookup(actors, actors.person_a.cccd)
    assert response.status_code in (401, 403), response.text
    body = error_shape(response)
    assert "results" not in body
    assert "xác minh" in body["message"] and "OTP" in body["message"]
    assert actors.dossier["procedure_name"] not in response.text


def test_the_proof_request_answers_the_same_for_any_number(actors: Actors):
    known = actors.api.call("POST", "/api/identity/lookup-proof",
                            json={"cccd": actors.person_b.cccd}, expect=(202,)).json()
    unknown = actors.api.call("POST", "/api/identity/lookup-proof",
                              json={"cccd": journeys.Person.random().cccd}, expect=(202,)).json()
    assert set(known) == set(unknown) == {"challenge_id", "expires_in", "message"}
    assert known["message"] == unknown["message"]
    assert known["expires_in"] == unknown["expires_in"]


def test_a_proof_for_another_cccd_is_refused(actors: Actors):
    proof_of_b = _proof(actors, actors.person_b)
    response = _lookup(actors, actors.person_a.cccd, {"X-Lookup-Proof": proof_of_b})
    assert response.status_code == 403, response.text
    assert "số định danh cá nhân khác" in error_shape(response)["message"]
    claims = jwt.decode(proof_of_b, options={"verify_signature": False})
    forged = jwt.encode({**claims, "cccd_digest": "0" * 64}, "not identity's key: 32 bytes or more",
                        algorithm="HS256")
    assert _lookup(actors, actors.person_a.cccd,
                   {"X-Lookup-Proof": forged}).status_code == 401
    assert _lookup(actors, actors.person_a.cccd,
                   {"X-Lookup-Proof": actors.citizen_a.token}).status_code == 401


def test_the_right_proof_lists_the_persons_dossiers(actors: Actors):
    proof = _proof(actors, actors.person_a)
    response = _lookup(actors, actors.person_a.cccd, {"X-Lookup-Proof": proof})
    assert response.status_code == 200, response.text
    found = {r["code"]: r for r in response.json()["results"]}
    assert actors.dossier["code"] in found
    assert found[actors.dossier["code"]]["applicant_name"] == actors.person_a.full_name
    assert found[actors.dossier["code"]]["masked"] is False


@pytest.fixture
def fresh_officer(actors: Actors) -> journeys.Api:
    import pyotp

    email = f"canbo-tracuu-{time.time_ns()}@example.vn"
    agency = actors.api.json("GET", f"/api/catalog/agencies/{actors.agency}")
    province = str(agency.get("province") or agency.get("province_code"))
    created = actors.admin.json("POST", "/api/identity/officers", expect=(201,), json={
        "full_name": "Phạm Văn Tra Cứu", "email": email, "role": "officer",
        "agency": actors.agency, "province": province})
    api = journeys.Api(actors.base)
    challenge = api.json("POST", "/api/identity/login",
                         json={"username": email, "password": created["initial_password"]})
    code = pyotp.TOTP(challenge["totp"]["secret"]).now()
    tokens = api.json("POST", "/api/identity/login/verify",
                      json={"challenge_id": challenge["challenge_id"], "code": code})
    return api.as_user(tokens["access_token"])


def test_staff_cccd_lookups_are_limited_and_audited(stack, actors: Actors, fresh_officer):
    cccd = actors.person_a.cccd
    statuses = [fresh_officer.call("GET", "/api/tracking/lookup", params={"cccd": cccd},
                                   expect=()).status_code for _ in range(STAFF_LIMIT + 1)]
    assert statuses[:STAFF_LIMIT] == [200] * STAFF_LIMIT, statuses
    limited = fresh_officer.call("GET", "/api/tracking/lookup", params={"cccd": cccd},
                                 expect=())
    assert statuses[-1] == 429 and limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert error_shape(limited)["message"]
    sub = jwt.decode(fresh_officer.token, options={"verify_signature": False})["sub"]
    client = MongoClient(stack.mongo_url, tz_aware=True)
    try:
        audit = list(client["motcua_tracking"]["access_audit"].find(
            {"actor_id": sub, "action": "lookup_cccd"}))
    finally:
        client.close()
    assert [e["outcome"] for e in audit].count("found") == STAFF_LIMIT
    assert [e["outcome"] for e in audit].count("rate_limited") == 2
    assert all(e["at"] and e["actor_role"] == "officer" and e["actor_agency"] == actors.agency
               for e in audit)
    assert len({e["cccd_hash"] for e in audit}) == 1
    assert cccd not in repr(audit)
