"""Vietnamese telephone numbers: one canonical mobile form (E.164), the form pattern, masks."""
from __future__ import annotations

import re

# Mobile blocks since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x and seven digits. Blocks not
# yet assigned inside these families are accepted so a new block needs no release.
_MOBILE = re.compile(r"^0([35789]\d{8})$")

# What a form field of type "phone" accepts: a mobile number or a fixed line (02x + 8 digits),
# national or +84. Used as a schema pattern, so written for ``re`` and JSON Schema alike.
PHONE_PATTERN = r"^(?:\+84|0)(?:[35789]\d{8}|2\d{9})$"

MSG_PHONE = "Số điện thoại di động không hợp lệ (ví dụ: 0912345678 hoặc +84912345678)."
MSG_FORM_PHONE = "Số điện thoại Việt Nam không hợp lệ (ví dụ: 0912345678)."


class InvalidPhone(ValueError):
    pass


def _national(raw: str) -> str:
    digits = re.sub(r"[\s.\-()]", "", str(raw).strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if digits.startswith("00"):  # "+84 0912…" written with the trunk zero
        digits = digits[1:]
    return digits


def normalise_phone(raw: str) -> str:
    """``+84XXXXXXXXX`` for a mobile number, else :class:`InvalidPhone`.

    Accepts ``0912 345 678``, ``+84 912.345.678``, ``84912345678`` and ``0084912345678``.
    """
    digits = _national(raw)
    match = _MOBILE.match(digits)
    if not match or not digits.isascii():
        raise InvalidPhone(MSG_PHONE)
    return "+84" + match.group(1)


def is_phone(raw: str) -> bool:
    try:
        normalise_phone(raw)
    except InvalidPhone:
        return False
    return True


def mask_phone(phone: str | None) -> str:
    """The national form with its middle hidden: ``+84912345678`` → ``091****678``."""
    if not phone:
        return ""
    national = _national(phone)
    if len(national) <= 6:
        return "*" * len(national)
    return national[:3] + "*" * (len(national) - 6) + national[-3:]
