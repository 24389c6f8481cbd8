"""Citizen identification number (CCCD) format checks."""

from __future__ import annotations

import re
from datetime import date

# Legacy province-of-registration codes (still valid after the 2025 merger).
_CODES = (
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 "
    "034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 "
    "067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096"
)
PROVINCE_CODES = frozenset(_CODES.split())
_CCCD_RE = re.compile(r"^\d{12}$")


def cccd_problem(value: str, date_of_birth: date | None = None) -> str | None:
    """None when `value` is a plausible CCCD, else a Vietnamese explanation."""
    if not _CCCD_RE.match(value or ""):
        return "Số định danh cá nhân phải gồm đúng 12 chữ số."
    if value[:3] not in PROVINCE_CODES:
        return "Mã tỉnh nơi đăng ký khai sinh (3 chữ số đầu) không hợp lệ."
    century_digit = int(value[3])
    if century_digit > 5:
        return "Mã thế kỷ và giới tính (chữ số thứ 4) không hợp lệ."
    if date_of_birth is not None:
        century = 1900 + 100 * (century_digit // 2)
        if date_of_birth.year != century + int(value[4:6]):
            return "Năm sinh trong số định danh không khớp với ngày sinh."
    return None


def mask_cccd(value: str) -> str:
    """`079203001234` → `079*******34` for logs and documents shown to third parties."""
    if len(value) < 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]
