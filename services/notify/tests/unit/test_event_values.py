from notify.domain.events import Links, placeholder_values
from notify.domain.formatting import format_amount, format_date


def test_amounts_use_vietnamese_thousands_separator():
    assert format_amount(1250000) == "1.250.000 đồng"
    assert format_amount("20000") == "20.000 đồng"


def test_dates_are_shown_day_first_in_vietnam_time():
    assert format_date("2026-12-05") == "05/12/2026"
    assert format_date("2026-12-05T02:30:00Z") == "09:30 ngày 05/12/2026"
    assert format_date("2026-12-04T17:00:00Z") == "05/12/2026"  # midnight in Hà Nội


def test_every_declared_placeholder_gets_a_value():
    values = placeholder_values("dossier.payment_requested", {"code": "C1"}, Links())
    assert set(values) >= {"amount", "dossier_code", "tracking_url", "note"}
    assert values["amount"] == ""


def test_supplement_request_lists_missing_documents():
    data = {"code": "C1", "missing_documents": [{"name": "Bản sao CCCD"}, "Giấy chứng sinh"]}
    values = placeholder_values("dossier.supplement_requested", data, Links())
    assert values["missing_documents"] == "Bản sao CCCD; Giấy chứng sinh"


def test_submitted_links_the_receipt():
    values = placeholder_values(
        "dossier.submitted", {"code": "C1", "dossier_id": "abc"}, Links("https://dvc.example.vn")
    )
    assert values["receipt_url"] == "https://dvc.example.vn/api/submission/dossiers/abc/receipt.pdf"
    assert values["tracking_url"] == "https://dvc.example.vn/api/tracking/lookup?code=C1"


def test_returned_by_post_shows_the_tracking_number():
    data = {"code": "C1", "delivery_method": "postal", "tracking_number": "EB123456789VN"}
    values = placeholder_values("dossier.returned", data, Links())
    assert values["postal_tracking"] == "Mã bưu gửi: EB123456789VN."
    assert "bưu chính" in values["collection_instructions"]
