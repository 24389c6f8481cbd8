"""The officer pages offer exactly the workflow submission enforces, with the right inputs,
and the citizen's e-form step reports every empty required field before moving on."""
from __future__ import annotations

from flask import Flask
from werkzeug.datastructures import MultiDict

from gateway.portal import officer
from gateway.portal.dossiers import missing_required, read_eform
from submission.domain.transitions import OFFICER_ACTIONS, TRANSITIONS


def test_every_officer_action_of_the_state_machine_has_a_page_with_its_inputs():
    assert set(officer.ACTIONS) == set(OFFICER_ACTIONS)
    for name, action in officer.ACTIONS.items():
        transition = TRANSITIONS[name]
        assert set(action.from_statuses) == {s.value for s in transition.from_statuses}, name
        required = {i.name for i in action.inputs if i.required}
        assert set(transition.required) <= required, name


def _inputs(action: str, form: dict) -> tuple[dict, object]:
    app = Flask(__name__)
    with app.test_request_context(method="POST", data=form):
        return officer._inputs(officer.ACTIONS[action])


def test_missing_items_are_one_per_line_and_amounts_accept_thousand_separators():
    body, errors = _inputs("request_supplement", {
        "missing_items": "Giấy chứng sinh\n\n  Sổ hộ khẩu  \n", "reason": "Thiếu giấy tờ"})
    assert not errors and body["missing_items"] == ["Giấy chứng sinh", "Sổ hộ khẩu"]
    body, errors = _inputs("request_payment", {"amount": "20.000"})
    assert not errors and body == {"amount": 20000}


def test_an_action_without_its_required_input_is_stopped_at_the_field():
    body, errors = _inputs("not_accept", {"reason": "  "})
    assert errors.get("reason") == ["Vui lòng nhập lý do."] and "reason" not in body
    _body, errors = _inputs("request_payment", {"amount": "hai mươi nghìn"})
    assert errors.get("amount")


FIELDS = [
    {"name": "ho_ten", "type": "text", "label": "Họ và tên", "required": True},
    {"name": "gioi_tinh", "type": "radio", "label": "Giới tính", "required": True,
     "options": [{"value": "nam", "label": "Nam"}]},
    {"name": "cam_doan", "type": "checkbox", "label": "Tôi cam đoan", "required": True},
    {"name": "ghi_chu", "type": "textarea", "label": "Ghi chú"},
]


def test_empty_required_fields_are_named_with_the_right_verb():
    errors = missing_required(FIELDS, {"ghi_chu": "x"}, {"full_name": "Hoa"})
    assert errors.get("form.ho_ten") == ["Vui lòng nhập “Họ và tên”."]
    assert errors.get("form.gioi_tinh") == ["Vui lòng chọn “Giới tính”."]
    assert errors.get("form.cam_doan") == ["Vui lòng đánh dấu “Tôi cam đoan”."]
    # the applicant's name and CCCD come from the verified account: never asked on the page
    assert not errors.get("applicant.cccd") and not errors.get("applicant.full_name")
    assert not errors.get("form.ghi_chu")


def test_blank_answers_are_sent_as_none_so_the_service_clears_them():
    values = read_eform(FIELDS, MultiDict({"form.ho_ten": " Hoa ", "form.cam_doan": "yes",
                                           "form.ghi_chu": "   "}))
    assert values == {"ho_ten": "Hoa", "gioi_tinh": None, "cam_doan": True, "ghi_chu": None}


def test_a_supplement_request_can_list_fields_and_documents():
    app = Flask(__name__)
    with app.test_request_context(method="POST", data=MultiDict([
            ("missing_items", "Nơi cư trú"), ("reason", "Thiếu"), ("fields", "noi_cu_tru"),
            ("fields", "applicant.phone"), ("documents", "tp-4")])):
        body, errors = officer._inputs(officer.ACTIONS["request_supplement"])
    assert not errors
    assert body["fields"] == ["noi_cu_tru", "applicant.phone"] and body["documents"] == ["tp-4"]
    choices = officer.supplement_choices({
        "eform": {"fields": [{"name": "ho_ten", "label": "Họ tên", "prefill": "full_name"},
                             {"name": "noi_cu_tru", "label": "Nơi cư trú", "prefill": "address"}]},
        "components": [{"code": "tp-4", "name": "Giấy chứng sinh"}]})
    values = [c["value"] for c in choices["fields"]]
    assert "noi_cu_tru" in values and "ho_ten" not in values  # identity: the account's
    assert "applicant.phone" in values and "applicant.cccd" not in values
    assert choices["documents"] == [{"value": "tp-4", "label": "Giấy chứng sinh"}]


def test_during_a_supplement_the_page_sends_only_what_the_officer_listed():
    from gateway.portal.dossiers import editable_inputs, only_editable

    waiting = {"status": "supplement_requested",
               "details": {"supplement": {"fields": ["noi_cu_tru", "applicant.phone"]}}}
    editable = editable_inputs(waiting)
    assert editable == {"form.noi_cu_tru", "applicant.phone"}
    body = only_editable({"noi_cu_tru": "Số 2", "tre_ho_ten": "Khác"},
                         {"phone": "0912345678", "email": "x@example.vn"}, editable)
    assert body == {"form": {"noi_cu_tru": "Số 2"}, "applicant": {"phone": "0912345678"}}
    assert editable_inputs({"status": "draft"}) is None

