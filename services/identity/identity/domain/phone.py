"""Vietnamese mobile numbers: validation and one canonical form (E.164, ``+84…``)."""

from __future__ import annotations

import re

# Mobile number blocks since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x,
# followed by seven digits. Unassigned blocks inside these families are accepted so a newly
# allocated block does not need a release.
_NATIONAL = re.compile(r"^0([35789]\d{8})$")

MSG_PHONE = "Số điện thoại di động không hợp lệ (ví dụ: 0912345678 hoặc +84912345678)."


class InvalidPhone(ValueError):
    pass


def normalise_phone(raw: str) -> str:
    """Return ``+84XXXXXXXXX`` or raise :class:`InvalidPhone`.

    Accepts ``0912 345 678``, ``+84 912.345.678``, ``84912345678`` and ``0084912345678``.
    """
    digits = re.sub(r"[\s.\-()]", "", raw.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if digits.startswith("00"):  # "+84 0912…" written with the trunk zero
        digits = digits[1:]
    match = _NATIONAL.match(digits)
    if not match or not digits.isascii():
        raise InvalidPhone(MSG_PHONE)
    return "+84" + match.group(1)


def is_phone(raw: str) -> bool:
    try:
        normalise_phone(raw)
    except InvalidPhone:
        return False
    return True


def mask_phone(phone: str) -> str:
    return phone[:5] + "****" + phone[-3:]
