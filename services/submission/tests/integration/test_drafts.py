from submission import repository


def test_create_patch_and_read_a_draft(api, client):
    dossier = api.create()
    assert dossier["status"] == "draft" and dossier["procedure_version"] == 2
    # no consented profile copy → nothing pre-filled but the applicant's identity fields,
    # which are bound to the verified account (issue 20, finding 1)
    assert dossier["form"] == {"ho_ten_nguoi_yeu_cau": "Nguyễn Văn An"}
    response = client.patch(f"/dossiers/{dossier['id']}",
                            json={"form": {"ho_ten_tre": "Nguyễn Minh Khang"}},
                            headers=api.citizen())
    assert response.status_code == 200
    assert response.json["form"] == {"ho_ten_tre": "Nguyễn Minh Khang",
                                     "ho_ten_nguoi_yeu_cau": "Nguyễn Văn An"}
    assert response.json["version"] == dossier["version"] + 1
    mine = client.get("/dossiers", headers=api.citizen()).json
    assert [d["id"] for d in mine["items"]] == [dossier["id"]]


def test_draft_validation_names_the_bad_field_in_vietnamese(api, client):
    dossier = api.create()
    response = client.patch(f"/dossiers/{dossier['id']}",
                            json={"form": {"ngay_sinh_tre": "30/02/2026"}},
                            headers=api.citizen())
    assert response.status_code == 422
    assert response.json["errors"] == {
        "ngay_sinh_tre": ["“Ngày sinh của trẻ” phải là ngày hợp lệ (YYYY-MM-DD)."]}


def test_submit_checks_everything(api, client):
    dossier = api.create()
    response = client.post(f"/dossiers/{dossier['id']}/submit", headers=api.citizen())
    assert response.status_code == 422
    # the applicant's name and CCCD come from the verified account: never missing
    assert set(response.json["errors"]) == {
        "ho_ten_tre", "ngay_sinh_tre", "components.giay_chung_sinh"}


def test_unknown_procedure_or_agency_is_refused(api, client):
    response = client.post("/dossiers", json={"procedure_code": "9.999999",
                                              "agency_code": "000.00.31.H29"},
                           headers=api.citizen())
    assert response.status_code == 422 and "procedure_code" in response.json["errors"]
    response = client.post("/dossiers", json={"procedure_code": "1.001193",
                                              "agency_code": "000.00.99.H29"},
                           headers=api.citizen())
    assert response.status_code == 422 and "agency_code" in response.json["errors"]


def test_prefill_only_with_consented_profile(api, client, mongo_db, settings):
    from submission import repository

    repository.put_profile(mongo_db, "citizen-1",
                           {"full_name": "Nguyễn Văn An", "phone": "0912345678"}, 3,
                           sealer=settings.sealer())
    dossier = api.create()
    assert dossier["form"] == {"ho_ten_nguoi_yeu_cau": "Nguyễn Văn An",
                               "dien_thoai": "0912345678"}
    assert dossier["applicant"]["full_name"] == "Nguyễn Văn An"
    repository.drop_profile(mongo_db, "citizen-1", 4, sealer=settings.sealer())  # withdrawn
    assert api.create()["form"] == {"ho_ten_nguoi_yeu_cau": "Nguyễn Văn An"}  # bound, not autofill


def test_submit_assigns_code_and_receipt(api, client):
    dossier = api.submitted()
    assert dossier["code"] == "000.00.31.H29-260302-0001"
    assert dossier["status"] == "submitted"
    response = client.get(f"/dossiers/{dossier['id']}/receipt.pdf", headers=api.citizen())
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


def test_the_forms_identity_fields_follow_the_verified_account(api, client):
    # As the catalog's e-forms do: the requester's name field carries prefill=full_name. It
    # is the applicant's identity, bound to the account: another name typed there is ignored
    # (issue 20, finding 1).
    dossier = api.create()
    patched = client.patch(f"/dossiers/{dossier['id']}", json={"form": {
        "ho_ten_tre": "Nguyễn Minh Khang", "ngay_sinh_tre": "2026-02-01",
        "ho_ten_nguoi_yeu_cau": "Lê Văn Tám"}, "applicant": {"cccd": "079203001234"}},
        headers=api.citizen())
    assert patched.status_code == 200, patched.json
    assert patched.json["form"]["ho_ten_nguoi_yeu_cau"] == "Nguyễn Văn An"
    api.upload(dossier["id"])
    submitted = client.post(f"/dossiers/{dossier['id']}/submit", headers=api.citizen())
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["applicant_name"] == "Nguyễn Văn An"


def test_a_draft_keeps_the_procedure_version_it_was_filled_against(api, client, mongo_db):
    """The document carries a reference; the version's content lives once, write-once, in
    procedure_versions, so a newer version changes nothing for dossiers already begun."""
    dossier = api.create()
    current = repository.get_procedure(mongo_db, "1.001193")
    newer = {**current, "version": 3, "name": "Đăng ký khai sinh (3)",
             "eform": {"fields": [{"name": "ghi_chu", "label": "Ghi chú", "type": "text"}]}}
    assert repository.upsert_procedure(mongo_db, newer)
    stored = mongo_db["dossiers"].find_one({"_id": dossier["id"]})
    assert stored["procedure"] == {"code": "1.001193", "version": 2,
                                   "name": "Thủ tục đăng ký khai sinh"}
    assert mongo_db["procedure_versions"].count_documents({}) == 2
    again = client.get(f"/dossiers/{dossier['id']}", headers=api.citizen()).json
    assert again["procedure_version"] == 2
    assert [f["name"] for f in again["eform"]["fields"]][:2] == ["ho_ten_tre", "ngay_sinh_tre"]
    fresh = api.create()
    assert fresh["procedure_version"] == 3 and fresh["procedure_name"] == "Đăng ký khai sinh (3)"
    assert [f["name"] for f in fresh["eform"]["fields"]] == ["ghi_chu"]
    # a repeated or older delivery of a version changes no stored snapshot
    assert not repository.upsert_procedure(mongo_db, current)
    assert mongo_db["procedure_versions"].count_documents({}) == 2
