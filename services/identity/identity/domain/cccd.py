"""Citizen identity number (CCCD / số định danh cá nhân) validation.

Layout (Circular 07/2016/TT-BCA, amended by 59/2021/TT-BCA):
``PPP G YY RRRRRR`` — province of birth registration, century-and-gender digit,
last two digits of the year of birth, six random digits.
"""

from __future__ import annotations

from datetime import date

# The 63 legacy province codes (Appendix 1 of Circular 07/2016/TT-BCA). They are not
# contiguous and all stay valid after the 2025 merger of provinces.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# Century digit pairs: even = male, odd = female.
_CENTURY_START = {0: 1900, 2: 2000, 4: 2100, 6: 2200, 8: 2300}

MSG_LENGTH = "Số CCCD phải gồm đúng 12 chữ số."
MSG_PROVINCE = "Mã tỉnh (3 chữ số đầu) của số CCCD không hợp lệ."
MSG_CENTURY = "Chữ số thế kỷ/giới tính (chữ số thứ 4) của số CCCD không khớp với năm sinh."
MSG_YEAR = "Hai chữ số năm sinh (chữ số thứ 5 và 6) của số CCCD không khớp với năm sinh."
MSG_DOB_FUTURE = "Ngày sinh không được ở tương lai."


def normalise_cccd(raw: str) -> str:
    """Strip the spaces and dots people type between digit groups."""
    return "".join(ch for ch in raw.strip() if ch not in " .-")


def century_start(cccd: str) -> int:
    """The first year of the century encoded in the 4th digit."""
    return _CENTURY_START[int(cccd[3]) // 2 * 2]


def gender_of(cccd: str) -> str:
    """``male`` or ``female`` from the 4th digit."""
    return "female" if int(cccd[3]) % 2 else "male"


def validate_cccd(raw: str, date_of_birth: date | None, today: date) -> dict[str, list[str]]:
    """Return field-level Vietnamese messages; empty when the number is acceptable.

    Errors are keyed ``cccd`` or ``date_of_birth`` so the form can show each beside its field.
    """
    errors: dict[str, list[str]] = {}
    cccd = normalise_cccd(raw)
    if len(cccd) != 12 or not cccd.isascii() or not cccd.isdigit():
        return {"cccd": [MSG_LENGTH]}
    if cccd[:3] not in PROVINCE_CODES:
        errors.setdefault("cccd", []).append(MSG_PROVINCE)
    if date_of_birth is None:
        return errors
    if date_of_birth > today:
        errors.setdefault("date_of_birth", []).append(MSG_DOB_FUTURE)
        return errors
    if century_start(cccd) != date_of_birth.year // 100 * 100:
        errors.setdefault("cccd", []).append(MSG_CENTURY)
    if int(cccd[4:6]) != date_of_birth.year % 100:
        errors.setdefault("cccd", []).append(MSG_YEAR)
    return errors


def mask_cccd(cccd: str) -> str:
    """Show only the last three digits, for logs and screens."""
    return "*" * (len(cccd) - 3) + cccd[-3:]
