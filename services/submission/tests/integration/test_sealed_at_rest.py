"""Personal data is sealed in every submission document, and read back intact: the citizen's
and the officer's views, the receipt and replayed answers show the clear values."""
import io
import json

import pypdf

from submission import reseal, sealed

# As the conftest fills every dossier (its `sample` fixture).
APPLICANT = {"full_name": "Nguyễn Văn An", "cccd": "079203001234", "phone": "0912345678"}
FORM = {"ho_ten_tre": "Nguyễn Minh Khang", "ngay_sinh_tre": "2026-02-01"}
SECRETS = [APPLICANT["cccd"], APPLICANT["phone"], APPLICANT["full_name"],
           FORM["ho_ten_tre"], FORM["ngay_sinh_tre"]]


def _dump(document) -> str:
    return json.dumps(document, ensure_ascii=False, default=str)


def _leaks(document) -> list[str]:
    text = _dump(document)
    return [value for value in SECRETS if value in text]


def test_a_submitted_dossier_keeps_no_identifier_in_clear(api, client, mongo_db, settings,
                                                          sample):
    assert (sample["applicant"], sample["form"]) == (APPLICANT, FORM)
    dossier = api.submitted()
    document = mongo_db.dossiers.find_one({"_id": dossier["id"]})
    assert _leaks(document) == []
    assert document["applicant_cccd_hash"] == sealed.cccd_hash(settings.sealer(),
                                                               APPLICANT["cccd"])
    assert "applicant" not in document and "applicant_cccd" not in document
    mine = client.get(f"/dossiers/{dossier['id']}", headers=api.citizen()).json
    # (the form's requester field holds the account's verified name: issue 20, finding 1)
    assert mine["applicant"]["cccd"] == APPLICANT["cccd"]
    assert mine["form"] == {**FORM, "ho_ten_nguoi_yeu_cau": APPLICANT["full_name"]}
    seen = client.get(f"/dossiers/{dossier['id']}", headers=api.officer()).json
    assert seen["applicant"]["full_name"] == APPLICANT["full_name"]
    queue = client.get("/officer/dossiers", headers=api.officer()).json
    assert queue["items"][0]["applicant_name"] == APPLICANT["full_name"]
    receipt = client.get(f"/dossiers/{dossier['id']}/receipt.pdf", headers=api.citizen())
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(receipt.data)).pages)
    assert APPLICANT["full_name"] in text


def test_a_replayed_answer_is_stored_sealed(api, client, mongo_db):
    draft = api.ready_draft()
    headers = {**api.citizen(), "Idempotency-Key": "submit-sealed-0001"}
    first = client.post(f"/dossiers/{draft['id']}/submit", headers=headers)
    replay = client.post(f"/dossiers/{draft['id']}/submit", headers=headers)
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.json == first.json
    assert first.json["applicant_name"] == APPLICANT["full_name"]
    assert _leaks(mongo_db.idempotency_keys.find_one({})) == []


def test_profile_copies_are_sealed(api, mongo_db, settings):
    from submission import repository

    profile = {"full_name": APPLICANT["full_name"], "cccd": APPLICANT["cccd"],
               "phone": APPLICANT["phone"]}
    repository.put_profile(mongo_db, "citizen-1", profile, 2, sealer=settings.sealer())
    assert _leaks(mongo_db.profiles.find_one({"_id": "citizen-1"})) == []
    assert repository.get_profile(mongo_db, "citizen-1", sealer=settings.sealer()) == profile
    assert api.create()["applicant"]["cccd"] == APPLICANT["cccd"]


def test_a_dossier_stored_in_clear_before_sealing_is_read_and_resealed(
        api, client, mongo_db, settings):
    dossier = api.submitted()
    stored = mongo_db.dossiers.find_one({"_id": dossier["id"]})
    applicant, form = sealed.open_dossier_personal(settings.sealer(), stored)
    mongo_db.dossiers.update_one({"_id": dossier["id"]}, {  # as the previous version wrote it
        "$set": {"applicant": applicant, "applicant_cccd": applicant["cccd"], "form_data": form},
        "$unset": {"applicant_sealed": "", "form_sealed": "", "applicant_cccd_hash": ""}})
    assert _leaks(mongo_db.dossiers.find_one({"_id": dossier["id"]}))
    before = client.get(f"/dossiers/{dossier['id']}", headers=api.citizen()).json

    assert reseal.reseal(mongo_db, settings.sealer())["dossiers"] == 1
    assert _leaks(mongo_db.dossiers.find_one({"_id": dossier["id"]})) == []
    assert client.get(f"/dossiers/{dossier['id']}", headers=api.citizen()).json == before
    assert reseal.reseal(mongo_db, settings.sealer())["dossiers"] == 0  # nothing left to do


def test_a_proxy_filer_and_supplement_diffs_are_sealed_too(api, client, mongo_db, settings):
    """Issue 20: the new personal data — a proxy filing's filer, the values before and after
    of a supplement change, the accounts' verified identities — is sealed like the rest."""
    principal = {"cccd": "001190004321", "full_name": "Trần Thị Bình",
                 "date_of_birth": "1990-07-08"}
    draft = api.create()
    client.patch(f"/dossiers/{draft['id']}", headers=api.citizen(),
                 json={"form": FORM, "filed_for": principal})
    api.upload(draft["id"])
    api.upload(draft["id"], name="uy-quyen.pdf", document_type="giay_uy_quyen")
    assert client.post(f"/dossiers/{draft['id']}/submit", headers=api.citizen()).status_code \
        == 200
    assert api.act(draft["id"], "request_supplement", reason="Tên trẻ", missing_items=["x"],
                   fields=["ho_ten_tre"]).status_code == 200
    changed = client.patch(f"/dossiers/{draft['id']}", headers=api.citizen(),
                           json={"form": {"ho_ten_tre": "Nguyễn Minh Khôi"}})
    assert changed.status_code == 200, changed.json
    document = mongo_db.dossiers.find_one({"_id": draft["id"]})
    text = _dump(document)
    assert [v for v in (*SECRETS, *principal.values(), "Nguyễn Minh Khôi") if v in text] == []
    seen = client.get(f"/dossiers/{draft['id']}", headers=api.officer()).json
    assert seen["filer"]["cccd"] == APPLICANT["cccd"]
    assert seen["history"][-1]["details"]["form_before"] == {"ho_ten_tre": FORM["ho_ten_tre"]}
    assert _leaks(mongo_db.verified_identities.find_one({"_id": "citizen-1"})) == []
    assert reseal.reseal(mongo_db, settings.sealer())["dossiers"] == 0  # all current
