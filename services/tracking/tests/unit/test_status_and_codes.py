import pytest

from tracking.domain.codes import is_valid_dossier_code
from tracking.domain.status import STATUSES, event_label, status_of_event


def test_status_table_matches_the_national_codes():
    assert [(s.code, s.label) for s in sorted(STATUSES.values(), key=lambda s: s.code)] == [
        (0, "Đang soạn"), (1, "Mới đăng ký"), (2, "Được tiếp nhận"),
        (3, "Không được tiếp nhận"), (4, "Đang xử lý"), (5, "Yêu cầu bổ sung giấy tờ"),
        (6, "Yêu cầu thực hiện nghĩa vụ tài chính"), (7, "Công dân yêu cầu rút hồ sơ"),
        (8, "Dừng xử lý"), (9, "Đã xử lý xong"), (10, "Đã trả kết quả")]


def test_status_comes_from_data_then_code_then_type():
    assert status_of_event({"type": "dossier.accepted", "data": {"status": "processing"}}
                           ).name == "processing"
    assert status_of_event({"type": "dossier.x", "data": {"status_code": 9}}).name == "completed"
    assert status_of_event({"type": "dossier.processing_started", "data": {}}
                           ).name == "processing"
    assert status_of_event({"type": "dossier.withdrawn"}).code == 7


def test_events_without_status_change_nothing():
    assert status_of_event({"type": "dossier.extended", "data": {"new_due_at": "x"}}) is None
    assert status_of_event({"type": "dossier.resubmitted", "data": {"status": "bogus"}}) is None


@pytest.mark.parametrize(("code", "valid"), [
    ("000.00.31.H29-261128-0001", True),
    ("G12.00.00.000-261128-12345", True),
    ("000.00.31.H29-2611280001", False),
    ("000.00.31.H29-261128-01", False),
    ("abc", False),
])
def test_dossier_code_format(code, valid):
    assert is_valid_dossier_code(code) is valid


def test_timeline_label_names_the_step_or_falls_back_to_the_status():
    assert event_label("dossier.extended", None) == "Gia hạn ngày hẹn trả kết quả"
    assert event_label("dossier.accepted", STATUSES["accepted"]) == "Được tiếp nhận"
    assert event_label("dossier.unknown", None) is None
