"""One masking policy for every identifier a log line, a notice or a screen may show."""
from __future__ import annotations

from vocabulary.cccd import mask_cccd
from vocabulary.email import mask_email
from vocabulary.names import mask_name
from vocabulary.phone import mask_phone

__all__ = ["mask_cccd", "mask_contact", "mask_email", "mask_identifier", "mask_name",
           "mask_phone"]


def mask_contact(recipient: str | None) -> str:
    """A phone number or an email address, whichever ``recipient`` is."""
    if not recipient:
        return ""
    return mask_email(recipient) if "@" in recipient else mask_phone(recipient)


def mask_identifier(value: str | None, keep_start: int = 2, keep_end: int = 2) -> str:
    """Any other identifier in logs (a token id, an account id): ``ab********yz``."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
