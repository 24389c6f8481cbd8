"""Refresh-token families: opaque tokens, stored hashed, rotated on every use.

Every login starts a family. Each refresh spends the presented token and issues the next one
in the same family. Presenting a token that was already spent means it leaked (or a client
raced itself): the whole family is revoked, so the thief's and the owner's sessions both end.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RefreshPolicy:
    token_ttl: timedelta = timedelta(days=7)  # idle limit: unused this long, it expires
    family_ttl: timedelta = timedelta(days=30)  # absolute session limit


class RefreshDecision(enum.StrEnum):
    ROTATE = "rotate"
    REUSE_DETECTED = "reuse_detected"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


REFRESH_REFUSED_MESSAGE = "Phiên đăng nhập không hợp lệ hoặc đã hết hạn, vui lòng đăng nhập lại."


def hash_refresh_token(token: str) -> str:
    # 256 random bits: a plain hash is enough, nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class TokenFamily:
    id: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revoke_reason: str | None = None

    @classmethod
    def start(cls, user_id: str, now: datetime, policy: RefreshPolicy) -> TokenFamily:
        return cls(uuid.uuid4().hex, user_id, now, now + policy.family_ttl)

    def revoke(self, now: datetime, reason: str) -> None:
        if self.revoked_at is None:
            self.revoked_at = now
            self.revoke_reason = reason


@dataclass
class RefreshToken:
    hash: str
    family_id: str
    user_id: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    @classmethod
    def mint(
        cls, family: TokenFamily, now: datetime, policy: RefreshPolicy
    ) -> tuple[RefreshToken, str]:
        """A new token in ``family`` and its clear value (returned to the client only)."""
        clear = secrets.token_urlsafe(32)
        expires_at = min(now + policy.token_ttl, family.expires_at)
        return cls(hash_refresh_token(clear), family.id, family.user_id, now, expires_at), clear


def decide_refresh(
    token: RefreshToken | None, family: TokenFamily | None, now: datetime
) -> RefreshDecision:
    """What to do with a presented refresh token."""
    if token is None or family is None:
        return RefreshDecision.UNKNOWN
    if family.revoked_at is not None:
        return RefreshDecision.REVOKED
    if token.used_at is not None:
        return RefreshDecision.REUSE_DETECTED
    if now >= token.expires_at or now >= family.expires_at:
        return RefreshDecision.EXPIRED
    return RefreshDecision.ROTATE
