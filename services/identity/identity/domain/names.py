"""Person names in Vietnamese (Unicode letters, NFC), agency and province codes."""

from __future__ import annotations

import re
import unicodedata

MSG_NAME = "Họ và tên chỉ gồm chữ cái (có dấu), khoảng trắng, dấu gạch nối; dài 2–100 ký tự."
MSG_AGENCY = "Mã cơ quan không đúng định dạng (ví dụ: 000.00.31.H29)."
MSG_PROVINCE = "Mã tỉnh/thành phố không hợp lệ."

# Two-digit province codes after the 2025 merger (Decision 19/2025/QĐ-TTg).
PROVINCES = frozenset(
    [
        "01",
        "04",
        "08",
        "11",
        "12",
        "14",
        "15",
        "19",
        "20",
        "22",
        "24",
        "25",
        "31",
        "33",
        "37",
        "38",
        "40",
        "42",
        "44",
        "46",
        "48",
        "51",
        "52",
        "56",
        "66",
        "68",
        "75",
        "79",
        "80",
        "82",
        "86",
        "91",
        "92",
        "96",
    ]
)
_AGENCY = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")


class InvalidName(ValueError):
    pass


def normalise_full_name(raw: str) -> str:
    """NFC, single spaces, trimmed; raise :class:`InvalidName` when it is not a name."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not 2 <= len(name) <= 100:
        raise InvalidName(MSG_NAME)
    for char in name:
        if not (unicodedata.category(char).startswith(("L", "M")) or char in " '-."):
            raise InvalidName(MSG_NAME)
    return name


def agency_problems(agency: str) -> list[str]:
    return [] if _AGENCY.match(agency) else [MSG_AGENCY]


def province_problems(province: str) -> list[str]:
    return [] if province in PROVINCES else [MSG_PROVINCE]
