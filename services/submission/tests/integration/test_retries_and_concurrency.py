"""Idempotency-Key on create/upload/submit; atomic codes; optimistic concurrency."""
import threading
from datetime import UTC, datetime, timedelta

from submission import repository
from submission.api.idempotency import fingerprint
from submission.domain.codes import parse_dossier_code


def test_same_submit_three_times_with_one_key_gives_one_code(api, client, mongo_db):
    draft = api.ready_draft()
    headers = {**api.citizen(), "Idempotency-Key": "submit-7f3a9c21"}
    answers = [client.post(f"/dossiers/{draft['id']}/submit", headers=headers)
               for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len({a.json["code"] for a in answers}) == 1
    assert answers[1].headers["Idempotent-Replayed"] == "true"
    assert mongo_db.dossiers.count_documents({"code": answers[0].json["code"]}) == 1
    assert mongo_db.counters.find_one()["seq"] == 1
    document = mongo_db.dossiers.find_one({"_id": draft["id"]})
    submitted_events = [e for e in document["outbox"].values()
                        if e["type"] == "dossier.submitted"]
    assert len(submitted_events) == 1


def test_submit_retried_after_the_server_died_mid_request_returns_the_first_code(
        api, client, mongo_db):
    """The first request committed the submit, then its process died before answering (its
    key stays 'pending'); once the lease is over, the retry gets the code, not a 409."""
    draft = api.ready_draft()
    key = "submit-crashed-0001"
    headers = {**api.citizen(), "Idempotency-Key": key}
    first = client.post(f"/dossiers/{draft['id']}/submit", headers=headers)
    owner = mongo_db.idempotency_keys.find_one({})["_id"]
    mongo_db.idempotency_keys.update_one(  # as the dead process left it: pending, lease over
        {"_id": owner}, {"$set": {"state": "pending", "lease_until": 0},
                         "$unset": {"status": "", "body": ""}})
    retried = client.post(f"/dossiers/{draft['id']}/submit", headers=headers)
    assert retried.status_code == 200
    assert retried.json["code"] == first.json["code"]
    assert mongo_db.counters.find_one()["seq"] == 1


def test_submit_without_key_twice_is_a_conflict(api, client):
    draft = api.ready_draft()
    assert client.post(f"/dossiers/{draft['id']}/submit", headers=api.citizen()).status_code \
        == 200
    again = client.post(f"/dossiers/{draft['id']}/submit", headers=api.citizen())
    assert again.status_code == 409 and "Mới đăng ký" in again.json["message"]


def test_retried_create_returns_the_same_draft(api, client, mongo_db):
    headers = {**api.citizen(), "Idempotency-Key": "create-0001-abcd"}
    first = api.create(headers)
    second = api.create(headers)
    assert first["id"] == second["id"]
    assert mongo_db.dossiers.count_documents({}) == 1


def test_retried_upload_stores_one_file(api, app, client):
    dossier = api.create()
    headers = {**api.citizen(), "Idempotency-Key": "upload-0001-abcd"}
    first = api.upload(dossier["id"], headers=headers)
    second = api.upload(dossier["id"], headers=headers)
    assert first.json == second.json
    detail = client.get(f"/dossiers/{dossier['id']}", headers=api.citizen()).json
    assert len(detail["attachments"]) == 1
    store = app.extensions["submission"].store
    assert len(list(store.client.list_objects(store.bucket, recursive=True,
                                              prefix=f"dossiers/{dossier['id']}/"))) == 1


def test_key_reused_for_another_request_is_refused(api, client):
    headers = {**api.citizen(), "Idempotency-Key": "shared-key-0001"}
    api.create(headers)
    response = client.post("/dossiers", json={"procedure_code": "1.001193",
                                              "agency_code": "000.00.12.H29"},
                           headers=headers)
    assert response.status_code == 422


def test_failed_request_releases_the_key(api, client):
    draft = api.create()
    headers = {**api.citizen(), "Idempotency-Key": "submit-retry-after-fix"}
    assert client.post(f"/dossiers/{draft['id']}/submit", headers=headers).status_code == 422
    api.fill(draft["id"])
    assert client.post(f"/dossiers/{draft['id']}/submit", headers=headers).status_code == 200


def test_fifty_concurrent_submissions_get_fifty_consecutive_codes(api, app):
    drafts = [api.ready_draft(api.citizen(f"citizen-{i}")) for i in range(50)]
    codes: list[str] = []
    errors: list = []
    barrier = threading.Barrier(50)

    def submit(index, draft):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/dossiers/{draft['id']}/submit",
                               headers=api.citizen(f"citizen-{index}"))
        (codes if response.status_code == 200 else errors).append(
            response.json.get("code") or response.json)

    threads = [threading.Thread(target=submit, args=(i, d)) for i, d in enumerate(drafts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sequences = sorted(parse_dossier_code(code)[2] for code in codes)
    assert sequences == list(range(1, 51))
    assert {parse_dossier_code(code)[:2] for code in codes} == {("000.00.31.H29", "260302")}


def test_two_officers_at_once_one_wins_one_gets_409(api, app):
    dossier = api.submitted()
    version = dossier["version"]
    results = []
    barrier = threading.Barrier(2)

    def accept(sub):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/dossiers/{dossier['id']}/actions",
                               json={"action": "accept", "version": version},
                               headers=api.officer(sub=sub))
        results.append(response.status_code)

    threads = [threading.Thread(target=accept, args=(s,)) for s in ("officer-1", "officer-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409]


def test_stale_version_is_a_conflict(api, client):
    dossier = api.submitted()
    assert api.act(dossier["id"], "accept", version=dossier["version"]).status_code == 200
    stale = api.act(dossier["id"], "start_processing", version=dossier["version"])
    assert stale.status_code == 409 and "cập nhật" in stale.json["message"]


def test_a_reservation_left_by_a_dead_request_is_taken_over(api, client, mongo_db, settings):
    draft = api.ready_draft()
    # A request that died mid-way three minutes ago left its reservation (2-minute lease).
    repository.claim_idempotency_key(
        mongo_db, "citizen-1:submit-after-crash", fingerprint("submit", draft["id"]),
        datetime.now(UTC) - timedelta(minutes=3), timedelta(hours=24), timedelta(seconds=120),
        sealer=settings.sealer())
    headers = {**api.citizen(), "Idempotency-Key": "submit-after-crash"}
    response = client.post(f"/dossiers/{draft['id']}/submit", headers=headers)
    assert response.status_code == 200 and response.json["code"]


def test_a_fresh_reservation_makes_a_concurrent_retry_wait(api, client, mongo_db, settings):
    draft = api.ready_draft()
    repository.claim_idempotency_key(
        mongo_db, "citizen-1:submit-in-flight", fingerprint("submit", draft["id"]),
        datetime.now(UTC), timedelta(hours=24), timedelta(seconds=120), sealer=settings.sealer())
    response = client.post(f"/dossiers/{draft['id']}/submit",
                           headers={**api.citizen(), "Idempotency-Key": "submit-in-flight"})
    assert response.status_code == 409 and "đang được xử lý" in response.json["message"]
