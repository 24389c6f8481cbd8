from datetime import date

import pytest

from submission.domain.eform import check_eform_definition, prefill, validate_form
from submission.domain.errors import InvalidInput

TODAY = date(2026, 3, 2)
COMPLETE = {
    "ho_ten": "Nguyễn Văn An", "ngay_sinh": "2003-05-01", "so_dinh_danh": "079203001234",
    "dien_thoai": "0912345678", "gioi_tinh": "nam", "cam_doan": True,
    "dia_chi": "12 Lê Lợi, Phường Bến Thành, TP. Hồ Chí Minh",
}


@pytest.fixture
def eform(procedure):
    return procedure["eform"]


def errors_of(eform, data, complete):
    with pytest.raises(InvalidInput) as exc:
        validate_form(eform, data, complete=complete, today=TODAY)
    return exc.value.errors


def test_complete_form_is_accepted_and_json_ready(eform):
    cleaned = validate_form(eform, {**COMPLETE, "so_ban_sao": "2", "giay_to": ["a", "c"]},
                            complete=True, today=TODAY)
    assert cleaned["ngay_sinh"] == "2003-05-01" and cleaned["so_ban_sao"] == 2.0
    assert cleaned["giay_to"] == ["a", "c"]


def test_draft_accepts_a_partial_form(eform):
    assert validate_form(eform, {"ho_ten": "Nguyễn Văn An", "gioi_tinh": ""},
                         complete=False, today=TODAY) == {"ho_ten": "Nguyễn Văn An"}


def test_draft_still_checks_what_is_filled(eform):
    errors = errors_of(eform, {"email": "khong-phai-email"}, complete=False)
    assert errors == {"email": ["“Thư điện tử” không phải địa chỉ email hợp lệ."]}


def test_submit_requires_every_required_field_with_a_vietnamese_message(eform):
    errors = errors_of(eform, {"ho_ten": "Nguyễn Văn An", "dia_chi": "  "}, complete=True)
    assert errors["ngay_sinh"] == ["Vui lòng nhập “Ngày sinh”."]
    assert errors["dia_chi"] == ["Vui lòng nhập “Địa chỉ”."]
    assert set(errors) == {"ngay_sinh", "so_dinh_danh", "dien_thoai", "gioi_tinh",
                           "cam_doan", "dia_chi"}


@pytest.mark.parametrize("field,value,fragment", [
    ("ho_ten", "A", "độ dài"),
    ("ngay_sinh", "2026-03-03", "không được lớn hơn 02/03/2026"),
    ("ngay_sinh", "01/05/2003", "ngày hợp lệ"),
    ("so_dinh_danh", "07920300123", "12 chữ số"),
    ("so_dinh_danh", "003203001234", "Mã tỉnh"),
    ("so_dinh_danh", "079803001234", "thế kỷ"),
    ("dien_thoai", "12345", "số điện thoại"),
    ("so_ban_sao", "11", "khoảng"),
    ("so_ban_sao", "hai", "phải là một số"),
    ("gioi_tinh", "khac", "giá trị hợp lệ"),
    ("noi_nhan", "nha_rieng", "giá trị hợp lệ"),
    ("giay_to", ["a", "z"], "Lựa chọn không hợp lệ"),
    ("cam_doan", False, "xác nhận"),
    ("ma_so", "ab12", "định dạng"),
])
def test_each_rule_has_its_message(eform, field, value, fragment):
    errors = errors_of(eform, {**COMPLETE, field: value}, complete=True)
    assert list(errors) == [field]
    assert fragment in " ".join(errors[field])


def test_unknown_fields_are_refused(eform):
    errors = errors_of(eform, {**COMPLETE, "admin": True}, complete=True)
    assert errors == {"admin": ["Trường này không có trong biểu mẫu."]}


def test_prefill_uses_only_fields_that_name_a_profile_key(eform):
    profile = {"full_name": "Trần Thị Bình", "cccd": "001303004567", "phone": "0987654321",
               "email": ""}
    assert prefill(eform, profile) == {"ho_ten": "Trần Thị Bình", "so_dinh_danh": "001303004567"}
    assert prefill(eform, None) == {}


def test_definition_check_flags_unknown_types_and_choices_without_options():
    problems = check_eform_definition({"fields": [
        {"name": "a", "type": "color"}, {"name": "b", "type": "select"},
        {"name": "c", "type": "text"}]})
    assert len(problems) == 2

