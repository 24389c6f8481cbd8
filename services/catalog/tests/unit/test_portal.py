import pytest

from catalog.seed.portal import components, copies, fee_vnd, portal_code, processing_days


@pytest.mark.parametrize(
    "text,description,days",
    [
        ("1 ngày", "", 1),
        ("07 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ", "", 7),
        ("5 Ngày làm việc", "", 5),
        ("Xem phần mô tả", "Ba (03) ngày làm việc kể từ khi ... không quá năm (05) ngày", 3),
        ("Xem phần mô tả", "", None),
    ],
)
def test_processing_days(text, description, days):
    assert processing_days(text, description) == days


@pytest.mark.parametrize(
    "text,amount",
    [
        ("Miễn phí", 0),
        ("20.000 VNĐ/lần", 20000),
        ("10.000 VNĐ/lần (hoặc miễn theo chính sách)", 10000),
        ("Không có thông tin", None),
    ],
)
def test_fee(text, amount):
    assert fee_vnd(text) == amount


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1 bản chính", (1, 0)),
        ("1 bản chính,\n1 bản sao", (1, 1)),
        ("0 bản chính", (0, 0)),
        ("Bản chính: 1, Bản sao: 0", (1, 0)),
        ("Bản chính: 1 hoặc Bản sao có chứng thực: 1", (1, 1)),
        ("Bản sao: 1 (đối với trường hợp chỗ ở hợp pháp là phương tiện)", (0, 1)),
    ],
)
def test_copies(text, expected):
    assert copies(text) == expected


def test_zero_copy_documents_are_guidance_not_components():
    found, guidance = components(
        [
            {"ten_giay_to": "Giấy chứng sinh", "so_luong": "1 bản chính"},
            {"ten_giay_to": "Lưu ý về bản chụp", "so_luong": "0 bản chính"},
            {"ten_giay_to": "Trường hợp ủy quyền: văn bản ủy quyền", "so_luong": "1 bản chính"},
        ]
    )
    assert [(c["code"], c["required"]) for c in found] == [("tp-1", True), ("tp-2", False)]
    assert guidance == ["Lưu ý về bản chụp"]


def test_portal_code():
    assert portal_code("PROC_3_000722") == "3.000722"
