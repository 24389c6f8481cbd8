"""Masking of secrets and personal data before anything is stored or logged."""

from __future__ import annotations

from collections.abc import Iterable

from notify.domain.templates import SECRET_MASK


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every clear secret value in ``text`` (belt and braces after masked rendering)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, SECRET_MASK)
    return text


def mask_recipient(recipient: str) -> str:
    """``0912345678`` → ``091****678``; ``an.nguyen@example.vn`` → ``a***@example.vn``."""
    if "@" in recipient:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(recipient) <= 6:
        return "*" * len(recipient)
    return recipient[:3] + "*" * (len(recipient) - 6) + recipient[-3:]
