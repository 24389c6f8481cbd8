"""Spellings of one phone number or email address, to find messages by either form."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\s.\-()]")


def address_variants(address: str) -> list[str]:
    """``0912 345 678`` ↔ ``+84912345678`` ↔ ``84912345678``; emails in any letter case."""
    address = address.strip()
    if "@" in address:
        return sorted({address, address.lower()})
    digits = _SPACES.sub("", address)
    national = digits
    if digits.startswith("+84"):
        national = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        national = "0" + digits[2:]
    if not (national.startswith("0") and national[1:].isdigit()):
        return [address]
    return sorted({address, national, "+84" + national[1:], "84" + national[1:]})


def canonical_address(address: str) -> str:
    """One spelling per phone number or email (national ``0…`` form, lower-case email): what
    its keyed hash is taken of, so any spelling finds it."""
    address = address.strip()
    if "@" in address:
        return address.lower()
    national = [v for v in address_variants(address) if v.startswith("0") and v.isdigit()]
    return national[0] if national else address
