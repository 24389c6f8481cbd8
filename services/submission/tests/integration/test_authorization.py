"""Another citizen, an officer of another agency and an anonymous caller are refused on
read, download and every action."""
import pytest

from submission.domain.transitions import TRANSITIONS

OTHER_AGENCY = "000.00.12.H29"


@pytest.fixture
def dossier(api):
    submitted = api.submitted()
    attachment = api.client.get(f"/dossiers/{submitted['id']}",
                                headers=api.citizen()).json["attachments"][0]
    return submitted, attachment


def outsiders(api):
    return {
        "other citizen": (api.citizen("citizen-2"), 404),
        "officer of another agency": (api.officer(agency=OTHER_AGENCY, sub="officer-9"), 403),
        "anonymous": ({}, 401),
    }


def reads(dossier_id, attachment_id):
    base = f"/dossiers/{dossier_id}"
    return [base, f"{base}/receipt.pdf", f"{base}/form.html",
            f"{base}/attachments/{attachment_id}",
            f"{base}/attachments/{attachment_id}/content"]


def test_reads_and_downloads_are_refused(api, client, dossier):
    submitted, attachment = dossier
    for who, (headers, status) in outsiders(api).items():
        for path in reads(submitted["id"], attachment["id"]):
            response = client.get(path, headers=headers)
            assert response.status_code == status, (who, path, response.status_code)
            assert "url" not in (response.json or {})


@pytest.mark.parametrize("action", sorted(a for a in TRANSITIONS if a != "submit"))
def test_every_action_is_refused(api, client, dossier, action):
    submitted, _ = dossier
    for who, (headers, status) in outsiders(api).items():
        response = client.post(f"/dossiers/{submitted['id']}/actions",
                               json={"action": action, "reason": "x", "missing_items": ["a"],
                                     "amount": 1000, "receipt_number": "1", "result": "x",
                                     "return_method": "counter", "new_due_at": "2026-12-31"},
                               headers=headers)
        # the other citizen can be refused by role (403) for officer actions or by
        # ownership (404); either way nothing happens.
        allowed = {status, 403} if who == "other citizen" else {status}
        assert response.status_code in allowed, (who, action, response.json)
    after = client.get(f"/dossiers/{submitted['id']}", headers=api.citizen()).json
    assert after["status"] == "submitted" and after["version"] == submitted["version"]


def test_submit_withdraw_patch_and_upload_by_outsiders_are_refused(api, client):
    draft = api.ready_draft()
    base = f"/dossiers/{draft['id']}"
    # Officers are refused by role on citizen routes (403) and never see drafts (404).
    expected = {"other citizen": {404}, "officer of another agency": {403, 404},
                "anonymous": {401}}
    for who, (headers, _) in outsiders(api).items():
        headers = headers or {"Authorization": ""}
        calls = [client.post(f"{base}/submit", headers=headers),
                 client.post(f"{base}/withdraw", json={}, headers=headers),
                 client.patch(base, json={"form": {}}, headers=headers),
                 client.delete(base, headers=headers),
                 api.upload(draft["id"], headers=headers)]
        assert {c.status_code for c in calls} <= expected[who], who
    after = client.get(base, headers=api.citizen()).json
    assert after["status"] == "draft" and after["version"] == draft["version"] + 2


def test_officer_of_the_agency_reads_and_each_view_is_audited(api, client, dossier,
                                                               mongo_db):
    submitted, attachment = dossier
    officer = api.officer()
    assert client.get(f"/dossiers/{submitted['id']}", headers=officer).status_code == 200
    assert client.get(f"/dossiers/{submitted['id']}/attachments/{attachment['id']}",
                      headers=officer).status_code == 200
    client.get(f"/dossiers/{submitted['id']}", headers=api.citizen())  # owners: not audited
    entries = list(mongo_db.audit.find({"dossier_id": submitted["id"]}).sort("at", 1))
    assert [(e["action"], e["actor_id"]) for e in entries] == [
        ("view", "officer-1"), ("download", "officer-1")]
    assert entries[1]["attachment_id"] == attachment["id"]


def test_officer_cannot_see_drafts(api, client):
    draft = api.create()
    assert client.get(f"/dossiers/{draft['id']}", headers=api.officer()).status_code == 404
