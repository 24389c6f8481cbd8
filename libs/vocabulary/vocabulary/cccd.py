"""Citizen identity number (CCCD / số định danh cá nhân): validate, mask, keyed hash.

Layout (Circular 07/2016/TT-BCA, amended by 59/2021/TT-BCA): ``PPP G YY RRRRRR`` — the
province where the birth was registered, a century-and-gender digit, the last two digits of the
year of birth, six random digits. The province part uses the 63 legacy codes, which all stay
valid after the 2025 merger of provinces (numbers already issued do not change).
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import date

# Appendix 1 of Circular 07/2016/TT-BCA: not contiguous.
_LEGACY = ("001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 "
           "033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 "
           "064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 "
           "094 095 096")
LEGACY_PROVINCE_CODES: frozenset[str] = frozenset(_LEGACY.split(" "))

# The 4th digit: 0/1 → 1900s, 2/3 → 2000s, … ; even = male, odd = female.
_CENTURY_START = {0: 1900, 2: 2000, 4: 2100, 6: 2200, 8: 2300}

MSG_LENGTH = "Số CCCD phải gồm đúng 12 chữ số."
MSG_PROVINCE = "Mã tỉnh (3 chữ số đầu) của số CCCD không hợp lệ."
MSG_CENTURY = "Chữ số thế kỷ/giới tính (chữ số thứ 4) của số CCCD không khớp với năm sinh."
MSG_YEAR = "Hai chữ số năm sinh (chữ số thứ 5 và 6) của số CCCD không khớp với năm sinh."
MSG_DOB_FUTURE = "Ngày sinh không được ở tương lai."


def normalise_cccd(raw: str) -> str:
    """Strip the spaces, dots and dashes people type between digit groups."""
    return "".join(ch for ch in str(raw).strip() if ch not in " .-")


def is_well_formed(value: str) -> bool:
    """Twelve ASCII digits with a known province code (no date of birth to compare)."""
    return not validate_cccd(value, None)


def century_start(cccd: str) -> int:
    """The first year of the century encoded in the 4th digit."""
    return _CENTURY_START[int(cccd[3]) // 2 * 2]


def gender_of(cccd: str) -> str:
    """``male`` or ``female`` from the 4th digit."""
    return "female" if int(cccd[3]) % 2 else "male"


def validate_cccd(raw: str, date_of_birth: date | None,
                  today: date | None = None) -> dict[str, list[str]]:
    """Field-level Vietnamese messages, keyed ``cccd`` or ``date_of_birth``; empty when the
    number is acceptable (and agrees with the date of birth when one is given)."""
    errors: dict[str, list[str]] = {}
    cccd = normalise_cccd(raw or "")
    if len(cccd) != 12 or not cccd.isascii() or not cccd.isdigit():
        return {"cccd": [MSG_LENGTH]}
    if cccd[:3] not in LEGACY_PROVINCE_CODES:
        errors.setdefault("cccd", []).append(MSG_PROVINCE)
    if date_of_birth is None:
        return errors
    if today is not None and date_of_birth > today:
        errors.setdefault("date_of_birth", []).append(MSG_DOB_FUTURE)
        return errors
    if century_start(cccd) != date_of_birth.year // 100 * 100:
        errors.setdefault("cccd", []).append(MSG_CENTURY)
    if int(cccd[4:6]) != date_of_birth.year % 100:
        errors.setdefault("cccd", []).append(MSG_YEAR)
    return errors


def cccd_problem(raw: str, date_of_birth: date | None = None) -> str | None:
    """The first message about ``raw`` as a CCCD, or None: for one-message validators."""
    errors = validate_cccd(raw, date_of_birth)
    return next((messages[0] for messages in errors.values() if messages), None)


def mask_cccd(cccd: str | None) -> str:
    """Only the last three digits, for logs and screens: ``079203001234`` → ``*********234``."""
    if not cccd:
        return ""
    value = str(cccd)
    if len(value) <= 3:
        return "*" * len(value)
    return "*" * (len(value) - 3) + value[-3:]


def keyed_hash(cccd: str, key: str | bytes) -> str:
    """Keyed HMAC-SHA256 (hex) of the normalised number: finds a citizen's records without
    storing the number (a plain hash of 12 digits is reversed by brute force)."""
    secret = key.encode() if isinstance(key, str) else key
    return hmac.new(secret, normalise_cccd(cccd).encode(), hashlib.sha256).hexdigest()
