"""Masking of names and keyed hashing of CCCD numbers for public lookups.

Name masking rule (anonymous lookups): the family name (first word) is shown in full; every
middle name becomes its first letter followed by ``**``; the given name (last word) becomes
its first letter followed by ``*``. The number of stars is fixed, so the mask never reveals a
word's length: ``Nguyễn Văn An`` → ``Nguyễn V** A*``; ``Trần Thị Minh Khai`` →
``Trần T** M** K*``; a one-word name ``Hùng`` → ``H*``.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from servicekit.sealing import PiiCipher

CCCD_RE = re.compile(r"^\d{12}$")


def mask_name(full_name: str | None) -> str | None:
    """The applicant name as an anonymous caller may see it (rule in the module docstring)."""
    if not full_name:
        return full_name
    words = unicodedata.normalize("NFC", full_name).split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0] + "*"
    middle = [word[0] + "**" for word in words[1:-1]]
    return " ".join([words[0], *middle, words[-1][0] + "*"])


def normalize_cccd(value: str) -> str:
    return re.sub(r"\s+", "", value)


def is_valid_cccd(value: str) -> bool:
    return bool(CCCD_RE.match(value))


NAME_FIELD = "applicant_name"


def seal_name(cipher: PiiCipher, dossier_id: str, full_name: str) -> str:
    """The applicant's name as the timeline and views keep it (bound to its dossier)."""
    return cipher.encrypt(f"{NAME_FIELD}/{dossier_id}", full_name)


def applicant_name(cipher: PiiCipher, view: Mapping[str, Any]) -> str | None:
    """The clear name of a view (a view folded from events recorded before sealing keeps
    it in ``applicant_name``)."""
    sealed = view.get("applicant_name_sealed")
    if sealed:
        return cipher.decrypt(f"{NAME_FIELD}/{view['_id']}", sealed)
    return view.get("applicant_name")


def hash_cccd(cccd: str, key: str) -> str:
    """Keyed HMAC-SHA256 of a CCCD number: lets us find a citizen's dossiers without
    storing the number itself (a plain hash of 12 digits is reversible by brute force)."""
    return hmac.new(key.encode(), normalize_cccd(cccd).encode(), hashlib.sha256).hexdigest()
