"""Person names in Vietnamese: the canonical form and the mask anonymous callers see.

Mask rule: the family name (first word) in full; each middle name its first letter and ``**``;
the given name (last word) its first letter and ``*``. The number of stars is fixed so the mask
never reveals a word's length: ``Nguyễn Văn An`` → ``Nguyễn V** A*``; ``Hùng`` → ``H*``.
"""
from __future__ import annotations

import unicodedata

MSG_NAME = "Họ và tên chỉ gồm chữ cái (có dấu), khoảng trắng, dấu gạch nối; dài 2–100 ký tự."


class InvalidName(ValueError):
    pass


def normalise_full_name(raw: str) -> str:
    """NFC, single spaces, trimmed; :class:`InvalidName` when it is not a name."""
    name = " ".join(unicodedata.normalize("NFC", str(raw)).split())
    if not 2 <= len(name) <= 100:
        raise InvalidName(MSG_NAME)
    for char in name:
        if not (unicodedata.category(char).startswith(("L", "M")) or char in " '-."):
            raise InvalidName(MSG_NAME)
    return name


def mask_name(full_name: str | None) -> str | None:
    """The name as an anonymous caller may see it (rule in the module docstring)."""
    if not full_name:
        return full_name
    words = unicodedata.normalize("NFC", full_name).split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0] + "*"
    middle = [word[0] + "**" for word in words[1:-1]]
    return " ".join([words[0], *middle, words[-1][0] + "*"])
