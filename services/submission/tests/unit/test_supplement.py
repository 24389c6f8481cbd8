"""During a supplement request the citizen changes only what the officer listed, and every
accepted change is a versioned diff with an event naming fields, never values (issue 20,
finding 9)."""
from datetime import datetime

import pytest

from submission.domain import supplement
from submission.domain.calendar import VN_TZ, PausePolicy
from submission.domain.errors import InvalidInput
from submission.domain.model import Actor
from submission.domain.status import Status

CITIZEN = Actor(id="u-1", role="citizen")
OFFICER = Actor(id="o-1", role="officer", agency="000.00.31.H29", province="79")


def at(hh, mm=0):
    return datetime(2026, 3, 2, hh, mm, tzinfo=VN_TZ)


@pytest.fixture
def waiting(new_dossier, calendar):
    """A received dossier whose officer asked for the address and a clearer birth paper."""
    dossier = new_dossier(form_data={"dia_chi": "Số 1 Lê Lợi", "ghi_chu": "giữ nguyên",
                                     "ho_ten": "Nguyễn Văn An"},
                          applicant={"full_name": "Nguyễn Văn An", "cccd": "079203001234",
                                     "phone": "0912345678"})
    dossier.submit(CITIZEN, "000.00.31.H29-260302-0001", at(8))
    dossier.perform("request_supplement", OFFICER, {
        "reason": "Địa chỉ chưa đủ", "missing_items": ["Địa chỉ đầy đủ"],
        "fields": ["dia_chi", "applicant.phone"], "documents": ["giay_chung_sinh"]},
        at(9), calendar, PausePolicy.EXTEND)
    dossier.collect_events()
    return dossier


def edit(dossier, form=None, applicant=None):
    before = dict(dossier.form_data), dict(dossier.applicant)
    dossier.form_data = {**dossier.form_data, **(form or {})}
    dossier.applicant = {**dossier.applicant, **(applicant or {})}
    supplement.check_edit(dossier, *before)
    supplement.record_edit(dossier, CITIZEN, *before, at(10))


def test_the_request_lists_fields_and_documents(waiting):
    request = waiting.details["supplement"]
    assert request["fields"] == ["dia_chi", "applicant.phone"]
    assert request["documents"] == ["giay_chung_sinh"]
    assert waiting.history[-1]["details"]["fields"] == ["dia_chi", "applicant.phone"]


@pytest.mark.parametrize("fields,documents,bad", [
    (["khong_co"], [], "fields"),
    (["ho_ten"], [], "fields"),  # the applicant's identity is the account's, never asked for
    (["applicant.cccd"], [], "fields"),
    ([], ["khong_co"], "documents"),
])
def test_a_request_naming_what_the_dossier_has_not_is_refused(new_dossier, calendar, fields,
                                                               documents, bad):
    dossier = new_dossier()
    dossier.submit(CITIZEN, "000.00.31.H29-260302-0001", at(8))
    with pytest.raises(InvalidInput) as caught:
        dossier.perform("request_supplement", OFFICER, {
            "reason": "r", "missing_items": ["x"], "fields": fields, "documents": documents},
            at(9), calendar, PausePolicy.EXTEND)
    assert bad in caught.value.errors
    assert dossier.status is Status.SUBMITTED


def test_an_unlisted_field_or_the_applicant_is_refused(waiting):
    with pytest.raises(InvalidInput) as caught:
        edit(waiting, form={"dia_chi": "Số 2 Lê Lợi", "ghi_chu": "đã đổi"})
    assert set(caught.value.errors) == {"ghi_chu"}
    with pytest.raises(InvalidInput) as caught:
        edit(waiting, applicant={"full_name": "Trần Thị Bình", "cccd": "001190004321"})
    assert set(caught.value.errors) == {"applicant.full_name", "applicant.cccd"}
    with pytest.raises(InvalidInput):
        edit(waiting, applicant={"email": "moi@example.vn"})


def test_a_listed_field_is_recorded_as_a_versioned_diff_with_an_event(waiting):
    version = waiting.version
    edit(waiting, form={"dia_chi": "Số 2 Lê Lợi, phường Bến Thành"},
         applicant={"phone": "0987654321"})
    entry = waiting.history[-1]
    assert entry["action"] == "supplement_change" and entry["actor_id"] == CITIZEN.id
    assert entry["details"]["version"] == version + 1
    assert entry["details"]["changed_fields"] == ["dia_chi", "applicant.phone"]
    assert entry["details"]["form_before"] == {"dia_chi": "Số 1 Lê Lợi"}
    assert entry["details"]["form_after"] == {"dia_chi": "Số 2 Lê Lợi, phường Bến Thành"}
    assert entry["details"]["applicant_before"] == {"phone": "0912345678"}
    assert entry["details"]["applicant_after"] == {"phone": "0987654321"}
    [(event_type, data)] = waiting.collect_events()
    assert event_type == "dossier.supplement_changed"
    assert data["changed_fields"] == ["dia_chi", "applicant.phone"]
    assert data["status"] == "supplement_requested" and data["dossier_version"] == version + 1
    flat = repr(data)
    assert "Lê Lợi" not in flat and "0987654321" not in flat and "0912345678" not in flat


def test_an_edit_that_changes_nothing_records_nothing(waiting):
    history = len(waiting.history)
    edit(waiting, form={"dia_chi": "Số 1 Lê Lợi"})
    assert len(waiting.history) == history and waiting.collect_events() == []


def test_new_attachments_of_the_listed_documents_only(waiting):
    with pytest.raises(InvalidInput):
        supplement.check_attachment(waiting, "uy_quyen")
    supplement.check_attachment(waiting, "giay_chung_sinh")
    attachment = {"id": "a-2", "component": "giay_chung_sinh", "file_name": "ro.pdf",
                  "size": 10}
    waiting.add_attachment(attachment, at(10))
    supplement.record_attachment(waiting, CITIZEN, attachment, at(10))
    entry = waiting.history[-1]
    assert entry["details"]["added_documents"] == ["giay_chung_sinh"]
    assert entry["details"]["attachment_id"] == "a-2"
    [(event_type, data)] = waiting.collect_events()
    assert event_type == "dossier.supplement_changed"
    assert data["added_documents"] == ["giay_chung_sinh"] and "ro.pdf" not in repr(data)


def test_the_resubmission_event_sums_up_the_round(waiting, calendar):
    edit(waiting, form={"dia_chi": "Số 2 Lê Lợi"})
    supplement.record_attachment(waiting, CITIZEN, {"id": "a-2", "component": "giay_chung_sinh",
                                                    "file_name": "x.pdf"}, at(10))
    waiting.collect_events()
    waiting.perform("resubmit", CITIZEN, {}, at(11), calendar, PausePolicy.EXTEND)
    [(event_type, data)] = waiting.collect_events()
    assert event_type == "dossier.supplemented"
    assert data["changed_fields"] == ["dia_chi"] and data["added_documents"] == ["giay_chung_sinh"]


def test_a_request_without_a_list_allows_no_field_change_but_any_new_document(
        new_dossier, calendar):
    dossier = new_dossier(form_data={"dia_chi": "Số 1 Lê Lợi"})
    dossier.submit(CITIZEN, "000.00.31.H29-260302-0001", at(8))
    dossier.perform("request_supplement", OFFICER, {"reason": "r", "missing_items": ["x"]},
                    at(9), calendar, PausePolicy.EXTEND)
    with pytest.raises(InvalidInput):
        edit(dossier, form={"dia_chi": "khác"})
    supplement.check_attachment(dossier, "uy_quyen")
