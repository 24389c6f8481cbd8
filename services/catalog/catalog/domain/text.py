"""Vietnamese text normalisation for accent- and case-insensitive search."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def nfc(text: str) -> str:
    """Compose decomposed (NFD) Vietnamese text so equal words compare equal."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case, drop diacritics (``đ`` becomes ``d``) and collapse punctuation to spaces.

    ``"ĐĂNG KÝ KHAI SINH"``, ``"Đăng ký khai sinh"`` and ``"dang ky khai sinh"`` all fold to
    ``"dang ky khai sinh"``.
    """
    lowered = nfc(text).lower().replace("đ", "d")
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", lowered) if not unicodedata.combining(ch)
    )
    return _NON_WORD.sub(" ", stripped).strip()


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    folded = fold(text)
    return folded.split() if folded else []


def deep_nfc(value: object) -> object:
    """NFC-normalise every string inside nested dicts and lists."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [deep_nfc(item) for item in value]
    if isinstance(value, dict):
        return {deep_nfc(key): deep_nfc(item) for key, item in value.items()}
    return value
