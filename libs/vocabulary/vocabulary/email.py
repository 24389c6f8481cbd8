"""Email addresses: a pragmatic syntax check, one canonical (lower-case) form, the mask."""
from __future__ import annotations

import re

_EMAIL = re.compile(
    r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)

MSG_EMAIL = "Địa chỉ email không hợp lệ."


class InvalidEmail(ValueError):
    pass


def normalise_email(raw: str) -> str:
    email = str(raw).strip().lower()
    if len(email) > 254 or not _EMAIL.match(email) or ".." in email:
        raise InvalidEmail(MSG_EMAIL)
    return email


def mask_email(email: str | None) -> str:
    """``an.nguyen@example.vn`` → ``a***@example.vn``."""
    if not email:
        return ""
    local, _, domain = str(email).partition("@")
    return f"{local[:1]}***@{domain}"
