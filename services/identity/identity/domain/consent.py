"""Consent records (Law 91/2025, Decree 356/2025): explicit, timed, versioned, revocable.

Silence is not consent: a purpose counts as consented only while a record granted for the
current text version exists and has not been revoked.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

AUTOFILL = "autofill"
PURPOSES = {
    AUTOFILL: "Tự động điền thông tin cá nhân (họ tên, ngày sinh, số CCCD, điện thoại, email) "
    "vào biểu mẫu khi nộp hồ sơ trực tuyến.",
}


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Consent:
    id: str
    purpose: str
    text_version: str
    granted_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_dict(self) -> dict:
        return asdict(self)


def grant(purpose: str, text_version: str, now: datetime) -> Consent:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    return Consent(uuid.uuid4().hex, purpose, text_version, iso(now))


def active_consent(
    consents: list[Consent], purpose: str, text_version: str | None = None
) -> Consent | None:
    """The newest unrevoked record for ``purpose`` (and ``text_version`` when given)."""
    matching = [
        c
        for c in consents
        if c.purpose == purpose
        and c.active
        and (text_version is None or c.text_version == text_version)
    ]
    return max(matching, key=lambda c: c.granted_at, default=None)


def revoke_all(consents: list[Consent], purpose: str, now: datetime) -> list[Consent]:
    """Mark every active record of ``purpose`` revoked; return the ones changed."""
    changed = [c for c in consents if c.purpose == purpose and c.active]
    for consent in changed:
        consent.revoked_at = iso(now)
    return changed
