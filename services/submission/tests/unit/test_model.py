from datetime import datetime

import pytest

from submission.domain.calendar import VN_TZ, PausePolicy
from submission.domain.errors import IllegalTransition, InvalidInput, NotPermitted
from submission.domain.model import Actor, iso, submission_problems
from submission.domain.status import Status

EXTEND = PausePolicy.EXTEND


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)

CITIZEN = Actor(id="u-1", role="citizen")  # owner of the `new_dossier` fixture
OTHER_CITIZEN = Actor(id="u-2", role="citizen")
OFFICER = Actor(id="o-1", role="officer", agency="000.00.31.H29", province="79")
OTHER_OFFICER = Actor(id="o-9", role="officer", agency="000.00.12.H29", province="79")


@pytest.fixture
def submitted(new_dossier):
    dossier = new_dossier(procedure={**new_dossier().procedure, "processing_days": 5})
    dossier.submit(CITIZEN, "000.00.31.H29-260302-0001", at(2026, 3, 2, 8, 30))
    return dossier


def test_submit_sets_code_time_and_records_one_event(submitted):
    assert submitted.status is Status.SUBMITTED
    assert submitted.code == "000.00.31.H29-260302-0001"
    [(event_type, data)] = submitted.collect_events()
    assert event_type == "dossier.submitted"
    assert data["code"] == submitted.code
    assert data["applicant_name"] == "Nguyễn Văn An"
    assert data["applicant_cccd"] == "079203001234"
    assert data["procedure_name"] == "Thủ tục đăng ký khai sinh"
    assert data["province"] == "79" and data["agency_code"] == "000.00.31.H29"
    assert data["status_code"] == 1 and data["status_label"] == "Mới đăng ký"
    assert submitted.collect_events() == []


def test_only_the_owner_submits(new_dossier):
    with pytest.raises(NotPermitted):
        new_dossier().submit(OTHER_CITIZEN, "X", at(2026, 3, 2, 9))


def test_accept_sets_appointment_from_the_calendar(submitted, calendar):
    # Mon 2/3 09:00 + 5 working days → Mon 9/3 09:00 (see test_calendar).
    submitted.perform("accept", OFFICER, {}, at(2026, 3, 2, 9), calendar, EXTEND)
    assert submitted.due_at == at(2026, 3, 9, 9)
    assert submitted.collect_events()[-1][1]["due_at"] == "2026-03-09T02:00:00Z"


def test_officer_of_another_agency_cannot_act(submitted, calendar):
    with pytest.raises(NotPermitted):
        submitted.perform("accept", OTHER_OFFICER, {}, at(2026, 3, 2, 9), calendar, EXTEND)


def test_officer_cannot_see_a_draft(new_dossier):
    assert not new_dossier().is_visible_to(OFFICER)
    assert new_dossier().is_visible_to(CITIZEN)


def test_supplement_pause_moves_the_appointment_and_returns_to_processing(submitted, calendar):
    submitted.perform("accept", OFFICER, {}, at(2026, 3, 2, 9), calendar, EXTEND)
    submitted.perform("start_processing", OFFICER, {}, at(2026, 3, 2, 10), calendar, EXTEND)
    submitted.perform("request_supplement", OFFICER,
                      {"reason": "Thiếu giấy", "missing_items": ["Giấy chứng sinh bản chính"]},
                      at(2026, 3, 4, 10), calendar, EXTEND)
    assert submitted.is_editable
    submitted.perform("resubmit", CITIZEN, {}, at(2026, 3, 6, 14), calendar, EXTEND)
    # 18 paused working hours added to Mon 9/3 09:00 → Wed 11/3 11:00 (see test_calendar).
    assert submitted.status is Status.PROCESSING
    assert submitted.due_at == at(2026, 3, 11, 11)
    types = [t for t, _ in submitted.collect_events()]
    assert types[-2:] == ["dossier.supplement_requested", "dossier.supplemented"]


def test_supplement_at_reception_returns_to_submitted_without_due_date(submitted, calendar):
    submitted.perform("request_supplement", OFFICER, {"reason": "r", "missing_items": "Ảnh"},
                      at(2026, 3, 2, 9), calendar, EXTEND)
    submitted.perform("resubmit", CITIZEN, {}, at(2026, 3, 3, 9), calendar, EXTEND)
    assert submitted.status is Status.SUBMITTED and submitted.due_at is None


def test_full_happy_path_with_payment_and_postal_return(submitted, calendar):
    steps = [
        ("accept", {}), ("start_processing", {}), ("request_payment", {"amount": "20000"}),
        ("record_payment", {"receipt_number": "BL-0001"}),
        ("complete", {"result": "Đã cấp giấy khai sinh"}),
        ("return", {"return_method": "postal", "tracking_number": "EMS123VN"}),
    ]
    for hour, (action, inputs) in enumerate(steps, start=9):
        submitted.perform(action, OFFICER, inputs, at(2026, 3, 3, hour), calendar, EXTEND)
    assert submitted.status is Status.RETURNED
    assert submitted.details["payment"]["amount"] == 20000
    assert submitted.details["return"]["tracking_number"] == "EMS123VN"
    assert [h["to"] for h in submitted.history] == [
        "submitted", "accepted", "processing", "payment_requested", "processing",
        "completed", "returned"]
    assert len(submitted.collect_events()) == 7


def test_postal_return_requires_tracking_number(submitted, calendar):
    for action, inputs in [("accept", {}), ("start_processing", {}), ("complete", {"result": "x"})]:
        submitted.perform(action, OFFICER, inputs, at(2026, 3, 3, 9), calendar, EXTEND)
    with pytest.raises(InvalidInput) as exc:
        submitted.perform("return", OFFICER, {"return_method": "postal"}, at(2026, 3, 3, 10),
                          calendar, EXTEND)
    assert "tracking_number" in exc.value.errors


def test_payment_amount_must_be_a_positive_whole_number(submitted, calendar):
    submitted.perform("accept", OFFICER, {}, at(2026, 3, 3, 9), calendar, EXTEND)
    for amount in ("-5", "abc", 12.5, 0):
        with pytest.raises(InvalidInput):
            submitted.perform("request_payment", OFFICER, {"amount": amount},
                              at(2026, 3, 3, 9), calendar, EXTEND)


def test_extend_moves_due_date_forward_and_records_extension(submitted, calendar):
    submitted.perform("accept", OFFICER, {}, at(2026, 3, 2, 9), calendar, EXTEND)
    submitted.perform("extend", OFFICER, {"new_due_at": "2026-03-13", "reason": "Cần xác minh"},
                      at(2026, 3, 6, 9), calendar, EXTEND)
    assert submitted.due_at == at(2026, 3, 13, 17)
    assert submitted.status is Status.ACCEPTED
    assert submitted.extensions[0]["previous_due_at"] == iso(at(2026, 3, 9, 9))
    event_type, data = submitted.collect_events()[-1]
    assert event_type == "dossier.extended" and data["reason"] == "Cần xác minh"


@pytest.mark.parametrize("new_due", ["2026-03-05", "2026-03-14", "not a date"])
def test_extend_refuses_earlier_dates_days_off_and_garbage(submitted, calendar, new_due):
    submitted.perform("accept", OFFICER, {}, at(2026, 3, 2, 9), calendar, EXTEND)
    with pytest.raises(InvalidInput):
        submitted.perform("extend", OFFICER, {"new_due_at": new_due, "reason": "r"},
                          at(2026, 3, 6, 9), calendar, EXTEND)


def test_withdraw_is_final(submitted, calendar):
    submitted.perform("withdraw", CITIZEN, {"reason": "Không cần nữa"}, at(2026, 3, 3, 9),
                      calendar, EXTEND)
    assert submitted.status is Status.WITHDRAWN
    with pytest.raises(IllegalTransition):
        submitted.perform("accept", OFFICER, {}, at(2026, 3, 3, 10), calendar, EXTEND)


def test_submitted_dossier_cannot_be_edited(submitted):
    with pytest.raises(IllegalTransition):
        submitted.update_draft(form_data={}, applicant=None, now=at(2026, 3, 3, 9))


def test_overdue_is_derived_from_due_date(submitted, calendar):
    submitted.perform("accept", OFFICER, {}, at(2026, 3, 2, 9), calendar, EXTEND)
    assert not submitted.is_overdue(at(2026, 3, 9, 9))
    assert submitted.is_overdue(at(2026, 3, 9, 9, 1))


def test_complete_with_unknown_result_file_is_refused(submitted, calendar):
    for action in ("accept", "start_processing"):
        submitted.perform(action, OFFICER, {}, at(2026, 3, 3, 9), calendar, EXTEND)
    with pytest.raises(InvalidInput):
        submitted.perform("complete", OFFICER, {"result": "x", "result_file_id": "nope"},
                          at(2026, 3, 3, 9), calendar, EXTEND)


def test_submission_problems_list_required_documents_and_applicant(new_dossier):
    dossier = new_dossier(applicant={})
    problems = submission_problems(dossier)
    assert set(problems) == {"applicant.full_name", "applicant.cccd",
                             "components.giay_chung_sinh"}
    dossier.applicant = {"full_name": "A", "cccd": "079203001234"}
    dossier.attachments.append({"id": "a", "component": "giay_chung_sinh", "size": 1})
    assert submission_problems(dossier) == {}


def test_officer_note_is_kept_in_history_and_event(submitted, calendar):
    submitted.perform("accept", OFFICER, {"note": "Đã kiểm tra bản chính"}, at(2026, 3, 2, 9),
                      calendar, EXTEND)
    assert submitted.history[-1]["note"] == "Đã kiểm tra bản chính"
    assert submitted.collect_events()[-1][1]["note"] == "Đã kiểm tra bản chính"


def test_applicant_comes_from_the_form_unless_given(new_dossier):
    # the e-form marks ho_ten as full_name and so_dinh_danh as cccd (prefill keys)
    dossier = new_dossier(applicant={}, form_data={"ho_ten": "Trần Thị Bình",
                                                   "so_dinh_danh": "001303004567"})
    assert dossier.effective_applicant == {"full_name": "Trần Thị Bình", "cccd": "001303004567"}
    assert "applicant.full_name" not in submission_problems(dossier)
    dossier.applicant = {"full_name": "Trần T. Bình"}
    assert dossier.effective_applicant["full_name"] == "Trần T. Bình"
    dossier.submit(CITIZEN, "000.00.31.H29-260302-0009", at(2026, 3, 2, 9))
    assert dossier.applicant == {"full_name": "Trần T. Bình", "cccd": "001303004567"}
    assert dossier.collect_events()[0][1]["applicant_cccd"] == "001303004567"
