"""Token tampering, OTP brute force, upload attacks, tracking enumeration, oversized bodies,
malformed JSON and wrong content types (issue 9): each is refused with a clear 4xx in the error
shape ``{code, status, message}``, and every refused write is proven to have changed nothing."""
from __future__ import annotations

import base64
import json
import re
import time
import uuid

import boto3
import jwt
import pytest
import requests
from attack_support import LOOKUP_LIMIT, Actors, error_shape
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infra.local import journeys


# -- helpers --------------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _parts(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    return json.loads(_unb64(header)), json.loads(_unb64(payload)), signature


def _encode(header: dict, payload: dict, signature: str) -> str:
    return ".".join([_b64(json.dumps(header).encode()), _b64(json.dumps(payload).encode()),
                     signature])


def _dossier(actors: Actors, dossier_id: str) -> dict:
    return actors.citizen_a.json("GET", f"/api/submission/dossiers/{dossier_id}")


def _my_dossier_count(actors: Actors) -> int:
    return actors.citizen_a.json("GET", "/api/submission/dossiers",
                                 params={"per_page": 100})["total"]


# -- token tampering ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def forged_tokens(actors: Actors, signing_key) -> dict[str, str]:
    token = actors.citizen_a.token
    header, payload, signature = _parts(token)
    stranger = Ed25519PrivateKey.generate()
    real_key = signing_key
    as_admin = {**payload, "role": "admin"}
    now = int(time.time())
    public_pem = real_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {
        "changed payload (role admin), original signature": _encode(header, as_admin, signature),
        "changed payload (another subject)": _encode(
            header, {**payload, "sub": "0" * 24}, signature),
        "alg none": _encode({"alg": "none", "typ": "JWT", "kid": header.get("kid")}, as_admin,
                            ""),
        "alg none, signature kept": _encode({**header, "alg": "none"}, as_admin, signature),
        "wrong kid (other key)": jwt.encode(as_admin, stranger, algorithm="EdDSA",
                                            headers={"kid": "kid-khong-ton-tai"}),
        "signed by another key, real kid": jwt.encode(
            as_admin, stranger, algorithm="EdDSA", headers={"kid": header.get("kid")}),
        "HS256 with the public key as secret": _encode(
            {"alg": "HS256", "typ": "JWT", "kid": header.get("kid")}, as_admin,
            _b64(__import__("hmac").new(public_pem, (
                _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": header.get("kid")})
                     .encode()) + "." + _b64(json.dumps(as_admin).encode())).encode(),
                "sha256").digest())),
        "expired (real key)": jwt.encode(
            {**payload, "iat": now - 3600, "nbf": now - 3600, "exp": now - 1800},
            real_key, algorithm="EdDSA", headers={"kid": header.get("kid")}),
        "not yet valid (real key)": jwt.encode(
            {**payload, "iat": now + 3600, "nbf": now + 3600, "exp": now + 4000},
            real_key, algorithm="EdDSA", headers={"kid": header.get("kid")}),
        "wrong audience (real key)": jwt.encode(
            {**payload, "aud": "someone-else"}, real_key, algorithm="EdDSA",
            headers={"kid": header.get("kid")}),
        "truncated": token[:-10],
        "garbage": "not.a.token",
    }


def test_the_real_signing_key_is_what_the_forgeries_are_checked_against(actors, signing_key):
    """Sanity: a token we sign ourselves with the real key and valid claims *is* accepted, so
    the expired / audience refusals below are about those claims, not the key."""
    header, payload, _ = _parts(actors.citizen_a.token)
    good = jwt.encode(payload, signing_key, algorithm="EdDSA", headers={"kid": header["kid"]})
    response = requests.get(f"{actors.base}/api/identity/me",
                            headers={"Authorization": f"Bearer {good}"}, timeout=10)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("kind", [
    "changed payload (role admin), original signature", "changed payload (another subject)",
    "alg none", "alg none, signature kept", "wrong kid (other key)",
    "signed by another key, real kid", "HS256 with the public key as secret",
    "expired (real key)", "not yet valid (real key)", "wrong audience (real key)",
    "truncated", "garbage"])
def test_tampered_token_is_refused_and_changes_nothing(stack, actors, forged_tokens, kind):
    token = forged_tokens[kind]
    auth = {"Authorization": f"Bearer {token}"}
    base = actors.base
    dossier_id = actors.dossier["id"]
    count_before = _my_dossier_count(actors)
    admin_before = actors.admin.json("GET", "/api/identity/me")
    attempts = [
        ("GET", f"/api/submission/dossiers/{dossier_id}", {}),
        ("GET", "/api/identity/me", {}),
        ("POST", "/api/submission/dossiers", {"json": {
            "procedure_code": journeys.BIRTH_REGISTRATION, "agency_code": actors.agency}}),
        ("POST", f"/api/submission/dossiers/{dossier_id}/withdraw",
         {"json": {"reason": "giả mạo"}}),
        ("POST", "/api/identity/officers", {"json": {
            "full_name": "Kẻ Giả Mạo", "email": f"gia{uuid.uuid4().hex[:8]}@example.vn",
            "role": "admin", "agency": actors.agency, "province": "01"}}),
        ("GET", f"/api/tracking/dossiers/{actors.dossier['code']}/timeline", {}),
    ]
    for method, path, kwargs in attempts:
        response = requests.request(method, base + path, headers=auth, timeout=10, **kwargs)
        assert response.status_code == 401, (kind, method, path, response.status_code,
                                              response.text[:300])
        error_shape(response)
    # the services verify tokens themselves too (a request that bypasses the gateway)
    direct = requests.get(f"{stack.url('SUBMISSION_PORT')}/dossiers/{dossier_id}",
                          headers=auth, timeout=10)
    assert direct.status_code == 401, (kind, direct.text[:300])
    error_shape(direct)
    assert _my_dossier_count(actors) == count_before
    assert _dossier(actors, dossier_id)["status"] == actors.dossier["status"]
    assert actors.admin.json("GET", "/api/identity/me") == admin_before


# -- OTP brute force ------------------------------------------------------------------------------
def test_otp_brute_force_sixth_try_refused_even_with_the_right_code(actors):
    api = journeys.Api(actors.base)
    person = journeys.Person.random(full_name="Đỗ Văn Đoán")
    asked = time.time()
    challenge = api.json("POST", "/api/identity/register", json={
        "cccd": person.cccd, "full_name": person.full_name,
        "date_of_birth": person.date_of_birth, "phone": person.phone, "email": person.email,
        "password": person.password}, expect=(202,))
    right = journeys.read_otp(api, person.phone, asked)
    wrong_codes = [f"{(int(right) + n) % 1_000_000:06d}" for n in range(1, 6)]
    for code in wrong_codes:
        response = api.call("POST", "/api/identity/register/verify", expect=(),
                            json={"challenge_id": challenge["challenge_id"], "code": code})
        assert 400 <= response.status_code < 500, response.text
        error_shape(response)
    sixth = api.call("POST", "/api/identity/register/verify", expect=(),
                     json={"challenge_id": challenge["challenge_id"], "code": right})
    assert 400 <= sixth.status_code < 500, sixth.text
    error_shape(sixth)
    # nothing was created: the account cannot sign in
    login = api.call("POST", "/api/identity/login", expect=(),
                     json={"username": person.cccd, "password": person.password})
    assert login.status_code == 401, login.text
    error_shape(login)


def test_login_otp_brute_force_is_refused_too(actors):
    """The same rule on the sign-in challenge of an existing citizen (A's own account)."""
    api = journeys.Api(actors.base)
    person = actors.person_a
    asked = time.time()
    challenge = api.json("POST", "/api/identity/login",
                         json={"username": person.cccd, "password": person.password})
    right = journeys.read_otp(api, person.phone, asked)
    for n in range(1, 6):
        response = api.call("POST", "/api/identity/login/verify", expect=(), json={
            "challenge_id": challenge["challenge_id"],
            "code": f"{(int(right) + n) % 1_000_000:06d}"})
        assert 400 <= response.status_code < 500, response.text
    sixth = api.call("POST", "/api/identity/login/verify", expect=(),
                     json={"challenge_id": challenge["challenge_id"], "code": right})
    assert 400 <= sixth.status_code < 500 and "access_token" not in sixth.text, sixth.text
    error_shape(sixth)


# -- uploads --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store(stack):
    env = stack.service_env()
    client = boto3.client("s3", endpoint_url=env.get("S3_ENDPOINT"),
                          aws_access_key_id=env.get("S3_ACCESS_KEY", "motcua-dev"),
                          aws_secret_access_key=env.get("S3_SECRET_KEY", "motcua-dev-secret"),
                          region_name="us-east-1")
    bucket = env.get("SUBMISSION_S3_BUCKET") or "motcua-submission"

    def keys(prefix: str) -> set[str]:
        found = client.list_objects_v2(Bucket=bucket, Prefix=prefix)
        return {o["Key"] for o in found.get("Contents", [])}

    return keys


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + (
    b"PE\x00\x00L\x01" + b"\x00" * 200)
GIF_POLYGLOT = b"GIF89a\x01\x00\x01\x00\x00\xff\x00,<script>alert(1)</script>" + journeys.PDF
HTML_AS_PDF = b"<!DOCTYPE html><html><script>alert(document.cookie)</script>" + journeys.PDF
ZIP_AS_PDF = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40 + journeys.PDF


@pytest.mark.parametrize("name, content, component, expected", [
    ("giay-to.pdf", EXE, None, (415,)),
    ("giay-to.pdf", GIF_POLYGLOT, None, (415,)),
    ("giay-to.pdf", HTML_AS_PDF, None, (415,)),
    ("giay-to.pdf", ZIP_AS_PDF, None, (415,)),
    ("giay-to.exe", EXE, None, (415,)),
    ("../../../etc/passwd.pdf", journeys.PDF, None, (400,)),
    ("..\\..\\windows\\win.ini.pdf", journeys.PDF, None, (400,)),
    ("thu-muc/giay-to.pdf", journeys.PDF, None, (400,)),
    ("giay\x00to.pdf", journeys.PDF, None, (400,)),
    ("giay-to.pdf", journeys.PDF, "thanh-phan-khong-ton-tai", (400, 404, 409, 422)),
], ids=["exe-renamed-pdf", "gif-polyglot", "html-as-pdf", "zip-as-pdf", "exe", "traversal",
        "backslash-traversal", "separator", "nul-byte", "wrong-component"])
def test_upload_attack_is_refused_and_nothing_stored(actors, store, name, content, component,
                                                     expected):
    draft_id = actors.draft_id
    before = _dossier(actors, draft_id)
    keys_before = store(f"dossiers/{draft_id}/")
    component = component or before["components"][0]["code"]
    response = actors.citizen_a.call(
        "POST", f"/api/submission/dossiers/{draft_id}/attachments", expect=(),
        data={"document_type": component}, files={"file": (name, content, "application/pdf")})
    assert response.status_code in expected, (response.status_code, response.text[:300])
    error_shape(response)
    after = _dossier(actors, draft_id)
    assert after["attachments"] == before["attachments"]
    assert after["version"] == before["version"]
    assert store(f"dossiers/{draft_id}/") == keys_before


def test_oversized_attachment_is_refused_and_nothing_stored(actors, store):
    draft_id = actors.draft_id
    before = _dossier(actors, draft_id)
    component = before["components"][0]
    limit = int((component.get("max_size_mb") or 10) * 1024 * 1024)
    big = journeys.PDF[:-6] + b"%" + b"0" * (limit + 1024 - len(journeys.PDF)) + b"\n%%EOF\n"
    keys_before = store(f"dossiers/{draft_id}/")
    response = actors.citizen_a.call(
        "POST", f"/api/submission/dossiers/{draft_id}/attachments", expect=(), timeout=120,
        data={"document_type": component["code"]},
        files={"file": ("lon.pdf", big, "application/pdf")})
    assert response.status_code == 413, (response.status_code, response.text[:300])
    error_shape(response)
    after = _dossier(actors, draft_id)
    assert after["attachments"] == before["attachments"]
    assert store(f"dossiers/{draft_id}/") == keys_before


def test_uploads_to_a_submitted_or_foreign_dossier_store_nothing(actors, store):
    dossier_id = actors.dossier["id"]
    keys_before = store(f"dossiers/{dossier_id}/")
    for who in ("citizen_b", "other_officer"):
        response = requests.post(
            f"{actors.base}/api/submission/dossiers/{dossier_id}/attachments",
            headers=actors.headers(who), timeout=10,
            data={"document_type": actors.dossier["components"][0]["code"]},
            files={"file": ("giay-to.pdf", journeys.PDF, "application/pdf")})
        assert response.status_code in (403, 404), (who, response.text)
        error_shape(response)
    assert store(f"dossiers/{dossier_id}/") == keys_before


# -- tracking enumeration -------------------------------------------------------------------------
def test_sequential_code_enumeration_is_masked_and_rate_limited(actors):
    code = actors.dossier["code"]
    prefix = code.rsplit("-", 1)[0]
    statuses = []
    limited = None
    full_name = actors.person_a.full_name
    for number in range(1, 2 * LOOKUP_LIMIT + 3):  # a fixed window may reset once meanwhile
        response = requests.get(f"{actors.base}/api/tracking/lookup",
                                params={"code": f"{prefix}-{number:04d}"}, timeout=10)
        statuses.append(response.status_code)
        assert response.status_code in (200, 404, 429), response.text
        if response.status_code == 200:
            for result in response.json()["results"]:
                assert result["masked"] is True, result
                assert result["applicant_name"] != full_name, result
                assert not result.get("timeline"), result
                assert re.fullmatch(r"\S+( \S\*\*)* \S\*|\S\*", result["applicant_name"]), result
        elif response.status_code == 404:
            error_shape(response)
        else:
            limited = response
            break
    assert limited is not None, f"never rate limited: {statuses}"
    body = error_shape(limited)
    assert body["code"] == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert statuses.count(200) + statuses.count(404) <= 2 * LOOKUP_LIMIT
    # and it stays limited, even for the real code
    again = requests.get(f"{actors.base}/api/tracking/lookup", params={"code": code}, timeout=10)
    assert again.status_code == 429 and "Retry-After" in again.headers
    error_shape(again)


# -- oversized bodies, malformed JSON, wrong content types ----------------------------------------
def test_oversized_body_is_413_and_nothing_created(stack, actors):
    count = _my_dossier_count(actors)
    limit = 52 * 1024 * 1024  # the gateway's MAX_BODY_BYTES default
    filler = "x" * (limit + 1024)
    body = ('{"procedure_code": "' + journeys.BIRTH_REGISTRATION + '", "agency_code": "'
            + actors.agency + '", "filler": "' + filler + '"}')
    response = actors.citizen_a.call("POST", "/api/submission/dossiers", expect=(),
                                     data=body, timeout=120,
                                     headers={"Content-Type": "application/json"})
    assert response.status_code == 413, (response.status_code, response.text[:300])
    error_shape(response)
    assert _my_dossier_count(actors) == count


def test_oversized_body_straight_to_a_service_is_413(stack, actors):
    env = stack.service_env()
    limit = int(env.get("MAX_BODY_BYTES") or 26214400)
    response = requests.post(f"{stack.url('IDENTITY_PORT')}/login", timeout=120,
                             data=b'{"username": "' + b"a" * (limit + 10) + b'"}',
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 413, (response.status_code, response.text[:300])
    error_shape(response)


@pytest.mark.parametrize("port", ["GATEWAY_PORT", "TRACKING_PORT"], ids=["gateway", "service"])
@pytest.mark.parametrize("oversized, status", [
    ({"params": {"code": "a" * 5000}}, 414),                    # over limit_request_line
    ({"headers": {"X-Filler": "a" * 9000}}, 431),               # over limit_request_field_size
], ids=["url", "header"])
def test_what_gunicorn_refuses_before_the_app_uses_the_error_shape(stack, port, oversized,
                                                                  status):
    """FINDING 5 (fixed): gunicorn answers these itself, before the app runs; they used to
    be an HTML page, now they are the platform's JSON error shape."""
    path = "/api/tracking/lookup" if port == "GATEWAY_PORT" else "/lookup"
    response = requests.get(stack.url(port) + path, timeout=10, **oversized)
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"] == "application/json"
    error_shape(response)


MALFORMED = ['{"form": {"ho_ten": "An"', "{'form': {}}", '{"form": NaN', "[1, 2", "\x00\x01",
             '{"form": 1e999999}', '\ufeff{"form": {}']
# (a form field the citizen fills: ``ho_ten`` is the applicant's name, bound to the verified
# account and ignored when sent — issue 20, finding 1)
LONE_SURROGATE = '{"form": {"tre_ho_ten": "\\ud800"}}'


@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_json_is_refused_and_changes_nothing(actors, body):
    draft_id = actors.draft_id
    before = _dossier(actors, draft_id)
    response = actors.citizen_a.call("PATCH", f"/api/submission/dossiers/{draft_id}",
                                     expect=(), data=body.encode("utf-8", "surrogatepass"),
                                     headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422), (response.status_code, response.text[:300])
    error_shape(response)
    after = _dossier(actors, draft_id)
    assert (after["form"], after["version"]) == (before["form"], before["version"])


def test_lone_surrogate_in_json_changes_nothing(actors):
    """A JSON string holding a lone UTF-16 surrogate (``"\\ud800"``, legal JSON syntax, not
    encodable text) is a 400/422 on ``PATCH /api/submission/dossiers/<draft>`` and on
    identity's anonymous sign-in (it was a 500), and nothing is written."""
    draft_id = actors.draft_id
    before = _dossier(actors, draft_id)
    response = actors.citizen_a.call("PATCH", f"/api/submission/dossiers/{draft_id}",
                                     expect=(), data=LONE_SURROGATE,
                                     headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422), response.text
    error_shape(response)
    after = _dossier(actors, draft_id)
    assert (after["form"], after["version"]) == (before["form"], before["version"])
    login = requests.post(f"{actors.base}/api/identity/login", timeout=10,
                          data='{"username": "\\ud800", "password": "x"}',
                          headers={"Content-Type": "application/json"})
    assert login.status_code in (400, 422) and "challenge_id" not in login.text
    error_shape(login)


@pytest.mark.parametrize("path", ["/api/identity/login", "/api/identity/register",
                                  "/api/identity/register/verify"])
def test_malformed_json_on_public_endpoints(actors, path):
    response = requests.post(actors.base + path, data='{"username": ', timeout=10,
                             headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422), response.text
    error_shape(response)


@pytest.mark.parametrize("content_type, body", [
    ("text/plain", '{"form": {"ho_ten": "Kẻ Gian"}}'),
    ("application/x-www-form-urlencoded", "form=ke-gian"),
    ("application/xml", "<form><ho_ten>Kẻ Gian</ho_ten></form>"),
    ("multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; "
                                          "name=\"form\"\r\n\r\nx\r\n--xyz--\r\n"),
], ids=["text", "urlencoded", "xml", "multipart"])
def test_wrong_content_type_changes_nothing(actors, content_type, body):
    """FINDING 4 (fixed): a body that is not JSON used to be read as an empty JSON object (an
    empty patch answered 200 and bumped ``version``). Services now answer 415 to anything but
    JSON, and to multipart everywhere but on the upload endpoints."""
    draft_id = actors.draft_id
    before = _dossier(actors, draft_id)
    response = actors.citizen_a.call("PATCH", f"/api/submission/dossiers/{draft_id}",
                                     expect=(), data=body.encode(),
                                     headers={"Content-Type": content_type})
    after = _dossier(actors, draft_id)
    assert response.status_code == 415, (response.status_code, response.text[:300])
    error_shape(response)
    assert after == before, "nothing changed, not even the version"


@pytest.mark.parametrize("path", ["/api/identity/login", "/api/identity/register",
                                  "/api/identity/password/forgot"])
def test_wrong_content_type_on_a_required_body_is_4xx(actors, path):
    response = requests.post(actors.base + path, timeout=10,
                             data="username=001190000001&password=x",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415, response.text
    error_shape(response)


def test_wrong_content_type_on_profile_changes_nothing(actors):
    """FINDING 4 (fixed): a form body on the profile is a 415; nothing is applied."""
    before = actors.citizen_a.json("GET", "/api/identity/me")
    response = actors.citizen_a.call("PATCH", "/api/identity/me", expect=(),
                                     data="email=ke-gian@example.vn",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415, response.text
    error_shape(response)
    assert actors.citizen_a.json("GET", "/api/identity/me") == before


def test_json_where_multipart_is_expected_stores_nothing(actors, store):
    draft_id = actors.draft_id
    before = _dossier(actors, draft_id)
    keys_before = store(f"dossiers/{draft_id}/")
    response = actors.citizen_a.call(
        "POST", f"/api/submission/dossiers/{draft_id}/attachments", expect=(),
        json={"document_type": before["components"][0]["code"],
              "file": base64.b64encode(journeys.PDF).decode()})
    assert response.status_code in (400, 415, 422), response.text
    error_shape(response)
    assert _dossier(actors, draft_id)["attachments"] == before["attachments"]
    assert store(f"dossiers/{draft_id}/") == keys_before
