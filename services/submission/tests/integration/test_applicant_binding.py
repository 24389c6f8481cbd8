"""The applicant is the verified account holder; a proxy filing names both; during a
supplement only what the officer listed changes (issue 20, findings 1 and 9)."""
import pytest

from servicekit.outbox import event_history
from submission import repository

from .conftest import FORM, IDENTITY

OTHER = {"cccd": "001190004321", "full_name": "Trần Thị Bình", "date_of_birth": "1990-07-08"}


def detail(api, client, dossier_id, headers=None):
    response = client.get(f"/dossiers/{dossier_id}", headers=headers or api.citizen())
    assert response.status_code == 200, response.json
    return response.json


def test_naming_another_person_as_applicant_is_refused_and_changes_nothing(api, client):
    dossier = api.create()
    before = detail(api, client, dossier["id"])
    response = client.patch(f"/dossiers/{dossier['id']}", headers=api.citizen(),
                            json={"form": FORM, "applicant": {**OTHER, "phone": "0912345678"}})
    assert response.status_code == 422, response.json
    assert set(response.json["errors"]) == {"applicant.cccd", "applicant.full_name",
                                            "applicant.date_of_birth"}
    after = detail(api, client, dossier["id"])
    assert after["version"] == before["version"] and after["form"] == before["form"]
    assert after["applicant"] == before["applicant"]


def test_the_submitted_dossier_is_in_the_verified_name(api, client, mongo_db):
    dossier = api.create()
    client.patch(f"/dossiers/{dossier['id']}", headers=api.citizen(), json={
        "form": {**FORM, "ho_ten_nguoi_yeu_cau": OTHER["full_name"]},
        "applicant": {"phone": "0912345678"}})
    api.upload(dossier["id"])
    submitted = client.post(f"/dossiers/{dossier['id']}/submit", headers=api.citizen())
    assert submitted.status_code == 200, submitted.json
    stored = repository.get_dossier(mongo_db, dossier["id"], sealer=api.sealer)
    assert stored.applicant["cccd"] == IDENTITY["cccd"]
    assert stored.applicant["full_name"] == IDENTITY["full_name"]
    assert stored.form_data["ho_ten_nguoi_yeu_cau"] == IDENTITY["full_name"]
    seen = detail(api, client, dossier["id"], api.officer())
    assert seen["proxy_filing"] is False and seen["filer"] == IDENTITY


def test_submitting_before_the_identity_arrived_is_a_short_wait(api, client, jwks_issuer):
    headers = jwks_issuer.headers(sub="citizen-new", role="citizen")  # no identity event yet
    dossier = api.create(headers)
    client.patch(f"/dossiers/{dossier['id']}", headers=headers, json={"form": FORM})
    assert api.upload(dossier["id"], headers=headers).status_code == 201
    response = client.post(f"/dossiers/{dossier['id']}/submit", headers=headers)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "định danh" in response.json["message"]
    assert detail(api, client, dossier["id"], headers)["status"] == "draft"


def test_a_proxy_filing_names_both_and_requires_the_authorisation(api, client):
    dossier = api.create()
    proxied = client.patch(f"/dossiers/{dossier['id']}", headers=api.citizen(), json={
        "form": FORM, "filed_for": OTHER, "applicant": {"phone": "0912345678"}})
    assert proxied.status_code == 200, proxied.json
    assert proxied.json["proxy_filing"] is True and proxied.json["filer"] == IDENTITY
    assert {k: proxied.json["applicant"][k] for k in OTHER} == OTHER
    assert proxied.json["form"]["ho_ten_nguoi_yeu_cau"] == OTHER["full_name"]
    authorisation = [c for c in proxied.json["components"] if c.get("authorisation")]
    assert [(c["code"], c["required"]) for c in authorisation] == [("giay_uy_quyen", True)]
    api.upload(dossier["id"])
    refused = client.post(f"/dossiers/{dossier['id']}/submit", headers=api.citizen())
    assert refused.status_code == 422 and "components.giay_uy_quyen" in refused.json["errors"]
    assert api.upload(dossier["id"], name="uy-quyen.pdf",
                      document_type="giay_uy_quyen").status_code == 201
    submitted = client.post(f"/dossiers/{dossier['id']}/submit", headers=api.citizen())
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["applicant_name"] == OTHER["full_name"]
    seen = detail(api, client, dossier["id"], api.officer())
    assert seen["filer"] == IDENTITY and seen["proxy_filing"] is True
    document = client.application.extensions["db"].dossiers.find_one({"_id": dossier["id"]})
    assert "filer" not in document and document["filer_sealed"]
    assert IDENTITY["cccd"] not in repr(document) and OTHER["cccd"] not in repr(document)
    assert seen["applicant"]["cccd"] == OTHER["cccd"]
    queue = client.get("/officer/dossiers", headers=api.officer()).json["items"]
    [item] = [i for i in queue if i["id"] == dossier["id"]]
    assert item["proxy_filing"] is True and item["filer_name"] == IDENTITY["full_name"]
    assert item["applicant_name"] == OTHER["full_name"]


def test_proxy_for_oneself_or_an_inconsistent_person_is_refused(api, client):
    dossier = api.create()
    for person in (IDENTITY, {**OTHER, "date_of_birth": "1991-07-08"},
                   {"cccd": OTHER["cccd"]}):
        response = client.patch(f"/dossiers/{dossier['id']}", headers=api.citizen(),
                                json={"filed_for": person})
        assert response.status_code == 422, (person, response.json)
    assert detail(api, client, dossier["id"])["proxy_filing"] is False


# ---- supplement (finding 9) ----------------------------------------------------------------
@pytest.fixture
def waiting(api, client):
    """Received, then a supplement request for the child's name and the birth paper."""
    dossier = api.submitted()
    response = api.act(dossier["id"], "request_supplement", reason="Tên trẻ viết sai",
                       missing_items=["Tên trẻ", "Giấy chứng sinh rõ nét"],
                       fields=["ho_ten_tre"], documents=["giay_chung_sinh"])
    assert response.status_code == 200, response.json
    assert response.json["details"]["supplement"]["fields"] == ["ho_ten_tre"]
    return detail(api, client, dossier["id"])


def test_the_request_is_schema_checked(api, client):
    dossier = api.submitted()
    response = api.act(dossier["id"], "request_supplement", reason="r", missing_items=["x"],
                       fields="ho_ten_tre")
    assert response.status_code == 422 and "fields" in response.json["errors"]
    response = api.act(dossier["id"], "request_supplement", reason="r", missing_items=["x"],
                       fields=["khong_co"])
    assert response.status_code == 422 and "fields" in response.json["errors"]
    assert detail(api, client, dossier["id"])["status"] == "submitted"


@pytest.mark.parametrize("body,refused", [
    ({"form": {"ngay_sinh_tre": "2026-02-02"}}, "ngay_sinh_tre"),
    ({"applicant": {"phone": "0987654321"}}, "applicant.phone"),
    ({"applicant": {"cccd": OTHER["cccd"], "full_name": OTHER["full_name"]}}, "applicant.cccd"),
    ({"filed_for": OTHER}, None),
])
def test_during_a_supplement_anything_unlisted_is_refused_and_changes_nothing(
        api, client, mongo_db, waiting, body, refused):
    response = client.patch(f"/dossiers/{waiting['id']}", headers=api.citizen(), json=body)
    assert response.status_code in (409, 422), response.json
    if refused:
        assert refused in response.json["errors"]
    after = detail(api, client, waiting["id"])
    assert after["version"] == waiting["version"] and after["form"] == waiting["form"]
    assert after["applicant"] == waiting["applicant"] and after["history"] == waiting["history"]
    assert repository.get_dossier(mongo_db, waiting["id"], sealer=api.sealer
                                  ).applicant["cccd"] == IDENTITY["cccd"]


def test_a_listed_field_and_a_new_attachment_are_recorded_with_the_diff(api, client,
                                                                        mongo_db, waiting):
    # the portal sends the whole form back: unchanged values are no change
    changed = client.patch(f"/dossiers/{waiting['id']}", headers=api.citizen(), json={
        "form": {**waiting["form"], "ho_ten_tre": "Nguyễn Minh Khôi"},
        "applicant": waiting["applicant"]})
    assert changed.status_code == 200, changed.json
    entry = changed.json["history"][-1]
    assert entry["action"] == "supplement_change"
    assert entry["details"]["version"] == changed.json["version"]
    assert entry["details"]["form_before"] == {"ho_ten_tre": "Nguyễn Minh Khang"}
    assert entry["details"]["form_after"] == {"ho_ten_tre": "Nguyễn Minh Khôi"}
    document = mongo_db.dossiers.find_one({"_id": waiting["id"]})
    assert "Khôi" not in repr(document["history"])  # the diff is sealed at rest
    unlisted = api.upload(waiting["id"], name="anh.png", document_type="anh_the")
    assert unlisted.status_code == 422 and "document_type" in unlisted.json["errors"]
    added = api.upload(waiting["id"], name="giay-chung-sinh-ro.pdf")
    assert added.status_code == 201, added.json
    history = detail(api, client, waiting["id"])["history"]
    assert history[-1]["details"]["added_documents"] == ["giay_chung_sinh"]
    stored = mongo_db.dossiers.find_one({"_id": waiting["id"]})
    recorded = event_history(stored, api.sealer.open_event)
    events = [e for e in recorded if e["type"] == "dossier.supplement_changed"]
    assert [e["data"]["changed_fields"] for e in events] == [["ho_ten_tre"], []]
    assert [e["data"]["added_documents"] for e in events] == [[], ["giay_chung_sinh"]]
    assert all("Khôi" not in repr(e["data"]) for e in events)
    resubmitted = client.post(f"/dossiers/{waiting['id']}/actions", headers=api.citizen(),
                              json={"action": "resubmit"})
    assert resubmitted.status_code == 200, resubmitted.json
    stored = mongo_db.dossiers.find_one({"_id": waiting["id"]})
    recorded = event_history(stored, api.sealer.open_event)
    [done] = [e for e in recorded if e["type"] == "dossier.supplemented"]
    assert done["data"]["changed_fields"] == ["ho_ten_tre"]
    assert done["data"]["added_documents"] == ["giay_chung_sinh"]
