"""Lookup and timeline: masking and rate limiting for anonymous callers, full data for the
owner and the competent staff, refusal for everyone else."""
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from servicekit import lookup_proof
from tracking.app import create_app
from tracking.domain.privacy import hash_cccd

CODE = "000.00.31.H29-261128-0001"
CCCD = "079203001234"
ANON = {"REMOTE_ADDR": "127.0.0.1"}


def _xff(ip):
    return {"X-Forwarded-For": ip}


def _proof(issuer, cccd, ttl=600, **override):
    """A lookup proof as identity signs it once the OTP for ``cccd`` was given back."""
    claims = lookup_proof.proof_claims(cccd=cccd, issuer=issuer.issuer, now=datetime.now(UTC),
                                       ttl=timedelta(seconds=ttl), challenge_id="c-1")
    claims.update(override)
    sub, role = claims.pop("sub"), claims.pop("role")
    return {lookup_proof.HEADER: issuer.token(sub=sub, role=role, **claims)}


@pytest.fixture
def dossier(story, record):
    s = story(code=CODE, applicant_id="owner-1", applicant_cccd=CCCD,
              received_at=datetime.now(UTC) - timedelta(days=10))
    s.submitted().accepted(timedelta(days=3)).processing()
    record(*s.events)
    return s


def test_anonymous_lookup_by_code_masks_the_name_and_hides_the_timeline(client, dossier):
    response = client.get("/lookup", query_string={"code": CODE}, headers=_xff("10.0.0.1"))
    assert response.status_code == 200, response.json
    [result] = response.json["results"]
    assert result["applicant_name"] == "Nguyễn V** A*"
    assert result["masked"] is True
    assert "timeline" not in result
    assert result["code"] == CODE
    assert result["procedure_name"] == "Đăng ký khai sinh"
    assert (result["status"], result["status_code"], result["status_label"]) == (
        "processing", 4, "Đang xử lý")
    assert result["overdue"] is True  # due 3 days after a reception 10 days ago
    assert result["due_at"].startswith((dossier.received_at + timedelta(days=3)).strftime(
        "%Y-%m-%dT%H:%M"))


def test_lookup_by_cccd_with_a_proof_finds_the_dossier_without_storing_the_number(
        client, dossier, mongo_db, jwks_issuer):
    response = client.get("/lookup", query_string={"cccd": CCCD},
                          headers={**_xff("10.0.0.2"), **_proof(jwks_issuer, CCCD)})
    assert response.status_code == 200, response.json
    [result] = response.json["results"]
    assert result["code"] == CODE
    assert (result["applicant_name"], result["masked"]) == ("Nguyễn Văn An", False)
    assert [e["status_code"] for e in result["timeline"]] == [1, 2, 4]
    for collection in ("dossier_views", "timeline"):
        for document in mongo_db[collection].find():
            assert CCCD not in repr(document) and "Nguyễn Văn An" not in repr(document)


def test_anonymous_lookup_by_cccd_without_proof_is_refused_with_how_to_prove(client, dossier):
    response = client.get("/lookup", query_string={"cccd": CCCD}, headers=_xff("10.0.0.4"))
    assert response.status_code == 401
    assert response.json["code"] == 401 and "mã OTP" in response.json["message"]
    assert "X-Lookup-Proof" in response.json["message"]


def test_a_proof_for_another_cccd_or_an_expired_or_foreign_one_is_refused(
        client, dossier, jwks_issuer):
    def lookup(headers):
        return client.get("/lookup", query_string={"cccd": CCCD},
                          headers={**_xff("10.0.0.5"), **headers})

    other = lookup(_proof(jwks_issuer, "001099000001"))
    assert other.status_code == 403 and "số định danh cá nhân khác" in other.json["message"]
    assert lookup(_proof(jwks_issuer, CCCD, ttl=-5)).status_code == 401  # expired
    wrong_scope = lookup(_proof(jwks_issuer, CCCD, scope="something-else"))
    assert wrong_scope.status_code == 403
    access_token = jwks_issuer.token(sub="owner-1")  # an access token is not a proof
    assert lookup({lookup_proof.HEADER: access_token}).status_code == 401


def test_a_signed_in_citizen_sees_only_the_dossiers_they_filed_under_a_cccd(
        client, dossier, jwks_issuer):
    own = client.get("/lookup", query_string={"cccd": CCCD},
                     headers=jwks_issuer.headers(sub="owner-1"))
    assert own.status_code == 200 and [r["code"] for r in own.json["results"]] == [CODE]
    stranger = client.get("/lookup", query_string={"cccd": CCCD},
                          headers=jwks_issuer.headers(sub="someone-else"))
    assert stranger.status_code == 404


def test_staff_cccd_lookups_are_limited_per_account_and_audited(
        client, dossier, jwks_issuer, mongo_db, settings):
    assert settings.staff_cccd_lookup_rate_limit.startswith("30/minute")
    officer = jwks_issuer.headers(sub="officer-7", role="officer", agency="000.00.31.H29",
                                  province="79")
    for _ in range(30):
        found = client.get("/lookup", query_string={"cccd": CCCD}, headers=officer)
        assert found.status_code == 200
    limited = client.get("/lookup", query_string={"cccd": CCCD}, headers=officer)
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    other_officer = jwks_issuer.headers(sub="officer-8", role="officer", agency="000.00.31.H29",
                                        province="79")
    assert client.get("/lookup", query_string={"cccd": CCCD},
                      headers=other_officer).status_code == 200
    entries = list(mongo_db.access_audit.find({"action": "lookup_cccd",
                                               "actor_id": "officer-7"}))
    assert [e["outcome"] for e in entries].count("found") == 30
    assert [e["outcome"] for e in entries].count("rate_limited") == 1
    assert {e["cccd_hash"] for e in entries} == {hash_cccd(CCCD, settings.cccd_hash_key)}
    assert all(e["actor_agency"] == "000.00.31.H29" and e["at"] for e in entries)


def test_anonymous_callers_are_rate_limited_per_client_ip(client, dossier, redis_client,
                                                          settings):
    for _ in range(3):
        assert client.get("/lookup", query_string={"code": CODE},
                          headers=_xff("10.0.0.3")).status_code == 200
    response = client.get("/lookup", query_string={"code": CODE}, headers=_xff("10.0.0.3"))
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert response.json["code"] == 429
    assert response.json["status"] == "Too Many Requests"
    assert response.json["message"]
    # Another client is counted apart, and the counters live in the shared Redis.
    assert client.get("/lookup", query_string={"code": CODE},
                      headers=_xff("10.0.0.4")).status_code == 200
    assert list(redis_client.scan_iter(f"*{settings.ratelimit_key_prefix}*"))


def test_the_owner_is_counted_per_account_not_per_ip(client, dossier, jwks_issuer):
    for _ in range(4):
        client.get("/lookup", query_string={"code": CODE}, headers=_xff("10.0.0.8"))
    owner = {**jwks_issuer.headers(sub="owner-1"), **_xff("10.0.0.8")}
    assert client.get("/lookup", query_string={"code": CODE}, headers=owner).status_code == 200


def test_unknown_codes_count_against_the_limit_too(client, dossier):
    # Guessing codes one after another is what the limit is there to slow down.
    for _ in range(3):
        client.get("/lookup", query_string={"code": "000.00.31.H29-261128-9999"},
                   headers=_xff("10.0.0.5"))
    assert client.get("/lookup", query_string={"code": CODE},
                      headers=_xff("10.0.0.5")).status_code == 429


def test_owner_sees_full_name_and_timeline(client, dossier, jwks_issuer):
    response = client.get("/lookup", query_string={"code": CODE},
                          headers={**jwks_issuer.headers(sub="owner-1"), **_xff("10.0.0.6")})
    assert response.status_code == 200, response.json
    [result] = response.json["results"]
    assert result["applicant_name"] == "Nguyễn Văn An"
    assert result["masked"] is False
    assert [e["status_label"] for e in result["timeline"]] == [
        "Mới đăng ký", "Được tiếp nhận", "Đang xử lý"]
    timeline = client.get(f"/dossiers/{CODE}/timeline",
                          headers=jwks_issuer.headers(sub="owner-1"))
    assert timeline.status_code == 200, timeline.json
    assert [e["status_code"] for e in timeline.json["timeline"]] == [1, 2, 4]
    assert [e["label"] for e in timeline.json["timeline"]] == [
        "Nộp hồ sơ trực tuyến", "Được tiếp nhận", "Đang xử lý"]


def test_another_citizen_gets_the_masked_view_and_no_timeline(client, dossier, jwks_issuer):
    headers = jwks_issuer.headers(sub="someone-else")
    response = client.get("/lookup", query_string={"code": CODE}, headers=headers)
    assert response.json["results"][0]["applicant_name"] == "Nguyễn V** A*"
    refused = client.get(f"/dossiers/{CODE}/timeline", headers=headers)
    assert refused.status_code == 403
    assert refused.json["message"] == "Bạn không có quyền xem tiến trình của hồ sơ này."


def test_anonymous_timeline_requires_sign_in(client, dossier):
    assert client.get(f"/dossiers/{CODE}/timeline").status_code == 401


def test_officers_see_their_agency_only_and_admins_everything(client, dossier, jwks_issuer,
                                                              mongo_db):
    own = jwks_issuer.headers(sub="officer-1", role="officer", agency="000.00.31.H29",
                              province="79")
    other = jwks_issuer.headers(sub="officer-2", role="officer", agency="000.00.32.H29",
                                province="79")
    admin = jwks_issuer.headers(sub="admin-1", role="admin")
    assert client.get(f"/dossiers/{CODE}/timeline", headers=own).status_code == 200
    assert client.get(f"/dossiers/{CODE}/timeline", headers=admin).status_code == 200
    assert client.get(f"/dossiers/{CODE}/timeline", headers=other).status_code == 403
    looked_up = client.get("/lookup", query_string={"code": CODE}, headers=other)
    assert looked_up.json["results"][0]["masked"] is True
    full = client.get("/lookup", query_string={"code": CODE}, headers=own)
    assert full.json["results"][0]["applicant_name"] == "Nguyễn Văn An"
    audited = {(a["actor_id"], a["action"]) for a in mongo_db.access_audit.find()}
    assert audited == {("officer-1", "timeline"), ("admin-1", "timeline"),
                       ("officer-1", "lookup")}


def test_staff_are_not_rate_limited(client, dossier, jwks_issuer):
    headers = {**jwks_issuer.headers(role="admin", sub="admin-9"), **_xff("10.0.0.7")}
    for _ in range(5):
        assert client.get("/lookup", query_string={"code": CODE},
                          headers=headers).status_code == 200


def test_unknown_code_is_404_with_a_clear_message(client, dossier, jwks_issuer):
    response = client.get("/lookup", query_string={"code": "000.00.31.H29-261128-0002"},
                          headers=_xff("10.0.1.1"))
    assert response.status_code == 404
    assert response.json["message"].startswith(
        "Không tìm thấy hồ sơ có mã 000.00.31.H29-261128-0002")
    unknown_cccd = client.get("/lookup", query_string={"cccd": "001099000001"},
                              headers={**_xff("10.0.1.1"),
                                       **_proof(jwks_issuer, "001099000001")})
    assert unknown_cccd.status_code == 404


@pytest.mark.parametrize(("query", "fields"), [
    ({"code": "H29-1"}, {"code"}),
    ({"cccd": "12345"}, {"cccd"}),
    ({"code": CODE, "cccd": CCCD}, {"code", "cccd"}),
    ({}, {"code", "cccd"}),
])
def test_malformed_input_is_422_with_field_errors(client, dossier, query, fields):
    response = client.get("/lookup", query_string=query, headers=_xff("10.0.2.1"))
    assert response.status_code == 422, response.json
    assert set(response.json["errors"]) == fields
    assert response.json["code"] == 422


def test_timeline_of_unknown_or_malformed_code(client, dossier, jwks_issuer):
    admin = jwks_issuer.headers(role="admin")
    assert client.get("/dossiers/000.00.31.H29-261128-0009/timeline",
                      headers=admin).status_code == 404
    assert client.get("/dossiers/not-a-code/timeline", headers=admin).status_code == 422


def test_openapi_documents_the_public_paths(client):
    spec = client.get("/openapi.json").json
    assert {"/lookup", "/dossiers/{code}/timeline", "/stats"} <= set(spec["paths"])
    parameters = {p["name"] for p in spec["paths"]["/lookup"]["get"]["parameters"]}
    assert parameters == {"code", "cccd", "X-Lookup-Proof"}
    assert "429" in spec["paths"]["/lookup"]["get"]["responses"]


def test_lookups_keep_working_when_the_limit_storage_is_down(settings, mongo_db, dossier):
    down = create_app(replace(settings, ratelimit_storage_uri="redis://127.0.0.1:1"))
    client = down.test_client()
    statuses = [client.get("/lookup", query_string={"code": CODE},
                           headers=_xff("10.0.3.1")).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]  # limited from memory instead
