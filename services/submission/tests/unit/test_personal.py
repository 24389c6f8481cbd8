"""Which form values are personal: decided from each field's definition, no list per
procedure (the seeded birth registration's parents' numbers are the reference case)."""
from submission.domain.personal import clear_field_names, is_personal_field, split_form

BIRTH = {"fields": [
    {"name": "ho_ten", "type": "text", "prefill": "full_name"},
    {"name": "quan_he", "type": "select", "options": ["cha", "me"]},
    {"name": "tre_ho_ten", "type": "text"},
    {"name": "tre_gioi_tinh", "type": "radio", "options": ["nam", "nu"]},
    {"name": "tre_ngay_sinh", "type": "date"},
    {"name": "me_so_dinh_danh", "type": "cccd"},
    {"name": "cha_so_dinh_danh", "type": "cccd"},
    {"name": "so_ban_sao", "type": "number"},
    {"name": "cam_doan", "type": "checkbox"},
]}


def test_typed_values_are_personal_choices_and_counts_are_not(procedure):
    assert clear_field_names(BIRTH) == {"quan_he", "tre_gioi_tinh", "so_ban_sao", "cam_doan"}
    assert clear_field_names(procedure["eform"]) == {
        "so_ban_sao", "gioi_tinh", "noi_nhan", "giay_to", "cam_doan"}


def test_parents_numbers_names_and_dates_are_sealed_the_rest_kept():
    form = {"ho_ten": "Nguyễn Văn An", "quan_he": "cha", "tre_ho_ten": "Nguyễn Minh Khang",
            "tre_ngay_sinh": "2026-02-01", "me_so_dinh_danh": "079305001234",
            "cha_so_dinh_danh": "079203001234", "so_ban_sao": 2, "unknown_field": "x"}
    clear, personal = split_form(BIRTH, form)
    assert clear == {"quan_he": "cha", "so_ban_sao": 2}
    assert set(personal) == {"ho_ten", "tre_ho_ten", "tre_ngay_sinh", "me_so_dinh_danh",
                             "cha_so_dinh_danh", "unknown_field"}


def test_a_prefilled_choice_is_personal_and_a_declaration_wins():
    assert is_personal_field({"name": "gioi_tinh", "type": "radio", "prefill": "gender"})
    assert not is_personal_field({"name": "ma_so", "type": "text", "personal": False})
    assert is_personal_field({"name": "so_tang", "type": "number", "personal": True})


def test_without_a_definition_everything_is_personal():
    clear, personal = split_form(None, {"so_ban_sao": 2})
    assert clear == {} and personal == {"so_ban_sao": 2}
