import pytest

from submission.consumers import procedure_from_event

DEFINITION = {
    "code": "1.004222", "version": 3, "name": "Đăng ký thường trú",
    "methods": [{"channel": "truc_tiep", "processing_days": 10},
                {"channel": "truc_tuyen", "processing_days": 7}],
    "components": [{"code": "ct01", "name": "Tờ khai CT01", "required": True,
                    "file_types": ["pdf"], "max_size_mb": 1.5},
                   {"name": "Giấy tờ chỗ ở hợp pháp"}],
    "agencies": ["000.00.31.H29", "000.00.12.H29"],
    "eform": {"fields": [{"name": "noi_o", "type": "address", "required": True}]},
}


def test_local_copy_keeps_what_submission_needs():
    procedure = procedure_from_event(DEFINITION)
    assert procedure["processing_days"] == 7.0  # the online method's time
    assert procedure["components"][0] == {"code": "ct01", "name": "Tờ khai CT01",
                                          "required": True, "allowed_types": ["pdf"],
                                          "max_size": 1_572_864}
    assert procedure["components"][1]["code"] == "tp2"
    assert procedure["components"][1]["required"] is False
    assert procedure["agencies"] == [
        {"code": "000.00.31.H29", "name": None, "province": None},
        {"code": "000.00.12.H29", "name": None, "province": None}]


def test_explicit_processing_days_win():
    procedure = procedure_from_event({**DEFINITION, "processing_days": 5})
    assert procedure["processing_days"] == 5.0 and procedure["version"] == 3


def test_unusable_eform_is_refused():
    with pytest.raises(ValueError):
        procedure_from_event({**DEFINITION, "eform": {"fields": [
            {"name": "x", "type": "select"}]}})
