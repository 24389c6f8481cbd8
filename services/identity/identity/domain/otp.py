"""One-time codes sent by SMS or email: issue, resend, verify.

Rules: 6 digits; valid 5 minutes; at most 5 tries per challenge (the try after the fifth
wrong one is refused even with the right code); a resend replaces the code (the old one stops
working) after a 60 s cooldown; only a keyed hash of the code is kept, compared in constant
time. How many codes may be sent, and to whom they are charged: ``domain.throttling``.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from identity.domain.errors import DomainError


@dataclass(frozen=True)
class OtpPolicy:
    digits: int = 6
    ttl: timedelta = timedelta(minutes=5)
    max_attempts: int = 5
    resend_cooldown: timedelta = timedelta(seconds=60)


class OtpStatus(enum.StrEnum):
    PENDING = "pending"
    USED = "used"


class OtpOutcome(enum.StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    USED = "used"


OUTCOME_MESSAGES = {
    OtpOutcome.WRONG: "Mã xác thực không đúng.",
    OtpOutcome.EXPIRED: "Mã xác thực đã hết hạn, vui lòng yêu cầu mã mới.",
    OtpOutcome.EXHAUSTED: "Bạn đã nhập sai quá số lần cho phép, vui lòng thực hiện lại từ đầu.",
    OtpOutcome.USED: "Mã xác thực đã được sử dụng.",
}


class OtpCooldown(DomainError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Vui lòng đợi {retry_after} giây trước khi yêu cầu gửi lại mã.")
        self.retry_after = retry_after


class OtpClosed(DomainError):
    """The challenge can no longer send codes (used or exhausted)."""


def generate_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


class OtpHasher:
    """Keyed hash of (challenge id, code): a dump cannot be brute-forced without the key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def hash(self, challenge_id: str, code: str) -> str:
        return hmac.new(self._key, f"{challenge_id}:{code}".encode(), hashlib.sha256).hexdigest()

    def matches(self, challenge_id: str, code: str, stored: str) -> bool:
        return hmac.compare_digest(self.hash(challenge_id, code), stored)


@dataclass
class OtpChallenge:
    """One verification in progress. ``deliver`` is False for decoys that must look real."""

    id: str
    purpose: str  # "register" | "login" | "reset_password" | "contact_change"
    channel: str  # "sms" | "email" | "totp"
    destination_hash: str
    code_hash: str
    created_at: datetime
    expires_at: datetime
    last_sent_at: datetime
    subject_id: str | None = None
    attempts: int = 0
    sends: int = 1
    status: OtpStatus = OtpStatus.PENDING
    deliver: bool = True
    version: int = 0
    payload: dict = field(default_factory=dict)

    @classmethod
    def issue(
        cls,
        *,
        purpose: str,
        channel: str,
        destination_hash: str,
        now: datetime,
        hasher: OtpHasher,
        policy: OtpPolicy,
        subject_id: str | None = None,
        deliver: bool = True,
        payload: dict | None = None,
    ) -> tuple[OtpChallenge, str]:
        """A new challenge and its clear code (to be sent, never stored)."""
        challenge_id = uuid.uuid4().hex
        code = generate_code(policy.digits)
        # A decoy gets a hash that no code can produce.
        code_hash = hasher.hash(challenge_id, code) if deliver else secrets.token_hex(32)
        challenge = cls(
            id=challenge_id,
            purpose=purpose,
            channel=channel,
            destination_hash=destination_hash,
            code_hash=code_hash,
            created_at=now,
            expires_at=now + policy.ttl,
            last_sent_at=now,
            subject_id=subject_id,
            deliver=deliver,
            payload=payload or {},
        )
        return challenge, code

    def expires_in(self, now: datetime) -> int:
        return max(0, int((self.expires_at - now).total_seconds()))

    def resend(self, now: datetime, hasher: OtpHasher, policy: OtpPolicy) -> str:
        """Replace the code (voiding the old one) once the cooldown has passed."""
        if self.status is not OtpStatus.PENDING or self.attempts >= policy.max_attempts:
            raise OtpClosed("Yêu cầu xác thực này đã kết thúc, vui lòng thực hiện lại từ đầu.")
        ready_at = self.last_sent_at + policy.resend_cooldown
        if now < ready_at:
            raise OtpCooldown(int((ready_at - now).total_seconds() + 0.999))
        code = generate_code(policy.digits)
        self.code_hash = hasher.hash(self.id, code) if self.deliver else secrets.token_hex(32)
        self.last_sent_at = now
        self.expires_at = now + policy.ttl
        self.sends += 1
        return code

    def void_code(self) -> None:
        """No code verifies any more (a resend that was not sent: the old code is void)."""
        self.code_hash = secrets.token_hex(32)

    def verify(self, code: str, now: datetime, hasher: OtpHasher, policy: OtpPolicy) -> OtpOutcome:
        """Check a sent code; every call that reaches the comparison uses up one try."""
        return self.verify_with(
            lambda candidate: hasher.matches(self.id, candidate, self.code_hash), code, now, policy
        )

    def verify_with(
        self, check: Callable[[str], bool], code: str, now: datetime, policy: OtpPolicy
    ) -> OtpOutcome:
        """Same rules with another check (an authenticator app code, a recovery code)."""
        if self.status is OtpStatus.USED:
            return OtpOutcome.USED
        if self.attempts >= policy.max_attempts:
            return OtpOutcome.EXHAUSTED
        if now >= self.expires_at:
            return OtpOutcome.EXPIRED
        self.attempts += 1
        if not check(code.strip()):
            return OtpOutcome.WRONG
        self.status = OtpStatus.USED
        return OtpOutcome.OK
