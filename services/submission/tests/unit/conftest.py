from datetime import datetime

import pytest

from submission.domain.calendar import VN_TZ, WorkingCalendar
from submission.domain.model import Actor, Dossier

EFORM = {
    "fields": [
        {"name": "ho_ten", "label": "Họ và tên", "type": "text", "required": True,
         "min": 2, "max": 100, "prefill": "full_name"},
        {"name": "ngay_sinh", "label": "Ngày sinh", "type": "date", "required": True,
         "max": "today", "prefill": "date_of_birth"},
        {"name": "so_dinh_danh", "label": "Số định danh cá nhân", "type": "cccd",
         "required": True, "prefill": "cccd"},
        {"name": "email", "label": "Thư điện tử", "type": "email", "prefill": "email"},
        {"name": "dien_thoai", "label": "Số điện thoại", "type": "phone", "required": True},
        {"name": "so_ban_sao", "label": "Số bản sao", "type": "number", "min": 0, "max": 10},
        {"name": "gioi_tinh", "label": "Giới tính", "type": "radio", "required": True,
         "options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]},
        {"name": "noi_nhan", "label": "Nơi nhận", "type": "select",
         "options": ["tai_quay", "buu_chinh"]},
        {"name": "giay_to", "label": "Giấy tờ kèm theo", "type": "checkbox",
         "options": ["a", "b", "c"]},
        {"name": "cam_doan", "label": "Tôi cam đoan", "type": "checkbox", "required": True},
        {"name": "dia_chi", "label": "Địa chỉ", "type": "address", "required": True},
        {"name": "ghi_chu", "label": "Ghi chú", "type": "textarea"},
        {"name": "ma_so", "label": "Mã số", "type": "text", "pattern": "^[A-Z]{2}[0-9]{4}$"},
    ]
}

PROCEDURE = {
    "code": "1.001193",
    "version": 3,
    "name": "Thủ tục đăng ký khai sinh",
    "processing_days": 1,
    "components": [
        {"code": "giay_chung_sinh", "name": "Giấy chứng sinh", "required": True,
         "allowed_types": ["pdf", "jpg", "png"], "max_size": 5 * 1024 * 1024},
        {"code": "uy_quyen", "name": "Văn bản ủy quyền", "required": False,
         "allowed_types": ["pdf"]},
    ],
    "eform": EFORM,
}

AGENCY = {"code": "000.00.31.H29", "name": "UBND Phường Bến Thành"}
CITIZEN = Actor(id="u-1", role="citizen")
OTHER_CITIZEN = Actor(id="u-2", role="citizen")
OFFICER = Actor(id="o-1", role="officer", agency="000.00.31.H29", province="79")
OTHER_OFFICER = Actor(id="o-9", role="officer", agency="000.00.12.H29", province="79")


@pytest.fixture
def citizen():
    return CITIZEN


@pytest.fixture
def other_citizen():
    return OTHER_CITIZEN


@pytest.fixture
def officer():
    return OFFICER


@pytest.fixture
def other_officer():
    return OTHER_OFFICER


@pytest.fixture
def procedure():
    return dict(PROCEDURE)


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


@pytest.fixture
def calendar():
    return WorkingCalendar.for_years([2026])


@pytest.fixture
def new_dossier():
    def make(**overrides) -> Dossier:
        values = dict(
            id="d-1", owner_id=CITIZEN.id, procedure=dict(PROCEDURE), agency=dict(AGENCY),
            tenant="79", created_at=at(2026, 3, 2, 8), updated_at=at(2026, 3, 2, 8),
            applicant={"full_name": "Nguyễn Văn An", "cccd": "079203001234"},
        )
        values.update(overrides)
        return Dossier(**values)

    return make
