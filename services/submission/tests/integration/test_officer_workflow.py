"""Appointment dates from the working calendar over HTTP, the officer queue, extension and
apology letter, the admin calendar."""
import io

import pypdf


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def submit_and_accept_at(api, clock, when, days=None):
    dossier = api.submitted()
    clock.set(*when)
    response = api.act(dossier["id"], "accept")
    assert response.status_code == 200, response.json
    return response.json


def test_friday_16_00_acceptance_is_due_monday_17_00(api, clock):
    # Fri 6/3/2026 16:00 is after the 15:00 cut-off → counts from Mon 9/3 07:00; the
    # procedure takes 1 working day (8 h) → Mon 9/3 17:00 = 10:00 UTC.
    accepted = submit_and_accept_at(api, clock, (2026, 3, 6, 16, 0))
    assert accepted["due_at"] == "2026-03-09T10:00:00+00:00"


def test_acceptance_before_tet_is_due_after_tet(api, clock):
    # Fri 13/2/2026 10:00 → 1.5 h + 3.5 h = 5 h that day; office closed 14–22/2;
    # Mon 23/2 07:00 + 3 h → 10:00 (03:00 UTC).
    accepted = submit_and_accept_at(api, clock, (2026, 2, 13, 10, 0))
    assert accepted["due_at"] == "2026-02-23T03:00:00+00:00"


def test_acceptance_before_30_4_is_due_after_1_5(api, clock):
    # Wed 29/4/2026 16:30 (after cut-off) → next working day is Mon 4/5 (30/4, 1/5 holidays,
    # then the weekend) → 07:00 + 8 h → Mon 4/5 17:00 (10:00 UTC).
    accepted = submit_and_accept_at(api, clock, (2026, 4, 29, 16, 30))
    assert accepted["due_at"] == "2026-05-04T10:00:00+00:00"


def test_supplement_pause_extends_the_appointment(api, clock):
    # Accepted Mon 2/3 09:00 → due Tue 3/3 09:00 (1 day). Supplement requested Mon 2/3
    # 10:00, supplied Wed 4/3 08:00: paused 1.5 + 3.5 (Mon) + 8 (Tue) + 1 (Wed) = 14 h.
    # Tue 3/3 09:00 + 14 h: Tue 2.5 + 3.5 = 6 h, Wed 8 h → Wed 4/3 17:00 (10:00 UTC).
    accepted = submit_and_accept_at(api, clock, (2026, 3, 2, 9, 0))
    assert accepted["due_at"] == "2026-03-03T02:00:00+00:00"
    clock.set(2026, 3, 2, 10, 0)
    assert api.act(accepted["id"], "request_supplement", reason="Thiếu bản sao",
                   missing_items=["Bản sao giấy chứng sinh"]).status_code == 200
    clock.set(2026, 3, 4, 8, 0)
    assert api.upload(accepted["id"], name="bo_sung.pdf").status_code == 201
    resumed = api.act(accepted["id"], "resubmit", headers=api.citizen())
    assert resumed.status_code == 200
    assert resumed.json["status"] == "accepted"
    assert resumed.json["due_at"] == "2026-03-04T10:00:00+00:00"


def test_restart_policy_chosen_by_admin(api, client, clock):
    assert client.patch("/admin/calendar", json={"pause_policy": "restart"},
                        headers=api.admin()).status_code == 200
    # Same story as above; with "restart" the full day counts again from Wed 4/3 08:00
    # → Thu 5/3 08:00 (01:00 UTC).
    accepted = submit_and_accept_at(api, clock, (2026, 3, 2, 9, 0))
    clock.set(2026, 3, 2, 10, 0)
    api.act(accepted["id"], "request_supplement", reason="r", missing_items=["x"])
    clock.set(2026, 3, 4, 8, 0)
    resumed = api.act(accepted["id"], "resubmit", headers=api.citizen())
    assert resumed.json["due_at"] == "2026-03-05T01:00:00+00:00"


def test_admin_day_off_moves_appointments(api, client, clock):
    response = client.put("/admin/calendar/days/2026-03-03",
                          json={"kind": "day_off", "note": "Nghỉ đột xuất"},
                          headers=api.admin())
    assert response.status_code == 200
    assert response.json["days"]["2026-03-03"]["kind"] == "day_off"
    assert any(h["date"] == "2026-02-17" for h in response.json["public_holidays"])
    # Mon 2/3 09:00 + 8 h with Tue 3/3 off → Wed 4/3 09:00 (02:00 UTC).
    accepted = submit_and_accept_at(api, clock, (2026, 3, 2, 9, 0))
    assert accepted["due_at"] == "2026-03-04T02:00:00+00:00"
    assert client.delete("/admin/calendar/days/2026-03-03", headers=api.admin()).json[
        "days"] == {}


def test_calendar_is_admin_only_and_validated(api, client):
    assert client.get("/admin/calendar", headers=api.officer()).status_code == 403
    assert client.get("/admin/calendar").status_code == 401
    bad = client.put("/admin/calendar/days/2026-03-03", json={"kind": "holiday"},
                     headers=api.admin())
    assert bad.status_code == 422 and "kind" in bad.json["errors"]
    overlap = client.patch("/admin/calendar", json={"windows": [["07:00", "12:00"],
                                                                ["11:00", "17:00"]]},
                           headers=api.admin())
    assert overlap.status_code == 422


def test_extension_produces_the_apology_letter(api, client, clock):
    accepted = submit_and_accept_at(api, clock, (2026, 3, 2, 9, 0))
    clock.set(2026, 3, 3, 8, 0)
    extended = api.act(accepted["id"], "extend", new_due_at="2026-03-06",
                       reason="Cần xác minh thông tin với cơ quan khác")
    assert extended.status_code == 200
    assert extended.json["due_at"] == "2026-03-06T10:00:00+00:00"
    response = client.get(f"/dossiers/{accepted['id']}/extensions/1/apology.pdf",
                          headers=api.citizen())
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "17 giờ 00 phút, ngày 06/03/2026" in text
    assert client.get(f"/dossiers/{accepted['id']}/extensions/2/apology.pdf",
                      headers=api.citizen()).status_code == 404


def test_receipt_shows_the_appointment(api, client, clock):
    accepted = submit_and_accept_at(api, clock, (2026, 3, 2, 9, 0))
    text = pdf_text(client.get(f"/dossiers/{accepted['id']}/receipt.pdf",
                               headers=api.citizen()).data)
    assert accepted["code"] in text and "09 giờ 00 phút, ngày 03/03/2026" in text


def test_officer_queue_is_scoped_filtered_and_sorted_by_due_date(api, client, clock):
    late = submit_and_accept_at(api, clock, (2026, 3, 2, 9, 0))       # due Tue 3/3 09:00
    soon = submit_and_accept_at(api, clock, (2026, 3, 4, 9, 0))       # due Thu 5/3 09:00
    clock.set(2026, 3, 4, 10, 0)
    waiting = api.submitted()                                          # no due date yet
    other = api.submitted()
    assert api.act(other["id"], "not_accept", reason="Sai cơ quan").status_code == 200

    queue = client.get("/officer/dossiers", headers=api.officer()).json
    assert queue["total"] == 4
    ids = [d["id"] for d in queue["items"] if d["due_at"]]
    assert ids == [late["id"], soon["id"]]
    overdue = client.get("/officer/dossiers?overdue=true", headers=api.officer()).json
    assert [d["id"] for d in overdue["items"]] == [late["id"]]
    assert overdue["items"][0]["overdue"] is True
    on_time = client.get("/officer/dossiers?overdue=false", headers=api.officer()).json
    assert {d["id"] for d in on_time["items"]} == {soon["id"], waiting["id"], other["id"]}
    submitted = client.get("/officer/dossiers?status=submitted", headers=api.officer()).json
    assert [d["id"] for d in submitted["items"]] == [waiting["id"]]
    elsewhere = client.get("/officer/dossiers",
                           headers=api.officer(agency="000.00.12.H29", sub="o-9")).json
    assert elsewhere["total"] == 0
    assert client.get("/officer/dossiers", headers=api.citizen()).status_code == 403


def test_completion_with_result_file_and_postal_return(api, client, clock):
    accepted = submit_and_accept_at(api, clock, (2026, 3, 2, 9, 0))
    api.act(accepted["id"], "start_processing")
    result = api.upload(accepted["id"], name="ket_qua.pdf", document_type="result",
                        headers=api.officer())
    assert result.status_code == 201, result.json
    done = api.act(accepted["id"], "complete", result="Đã cấp Giấy khai sinh",
                   result_file_id=result.json["id"])
    assert done.status_code == 200 and done.json["details"]["result"]["file_id"]
    returned = api.act(accepted["id"], "return", return_method="postal")
    assert returned.status_code == 422 and "tracking_number" in returned.json["errors"]
    returned = api.act(accepted["id"], "return", return_method="postal",
                       tracking_number="EE123456789VN")
    assert returned.json["status"] == "returned"


def test_the_officer_queue_never_lists_drafts_whatever_the_filter(api, client):
    """Issue 20, finding 4: `status=draft` used to replace the "not a draft" condition."""
    draft = api.create()
    deleted = api.create()
    assert client.delete(f"/dossiers/{deleted['id']}", headers=api.citizen()).status_code == 204
    submitted = api.submitted()
    refused = client.get("/officer/dossiers?status=draft", headers=api.officer())
    assert refused.status_code == 400, refused.json
    assert refused.json["code"] == 400 and "status" in refused.json["errors"]
    assert "nháp" in refused.json["errors"]["status"][0]
    for query in ("", "?overdue=false", "?overdue=true", "?status=submitted"):
        listed = client.get(f"/officer/dossiers{query}", headers=api.officer()).json
        ids = {d["id"] for d in listed["items"]}
        assert draft["id"] not in ids and deleted["id"] not in ids, query
    assert {d["id"] for d in client.get("/officer/dossiers",
                                        headers=api.officer()).json["items"]} == {submitted["id"]}
