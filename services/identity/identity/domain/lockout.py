"""Failed-login throttling: N failures within a window lock the account for a while."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lock_for: timedelta = timedelta(minutes=15)


LOCKED_MESSAGE = "Tài khoản tạm thời bị khoá do đăng nhập sai nhiều lần, vui lòng thử lại sau."


@dataclass
class LoginThrottle:
    """Failure counter for one account (or one unknown username, so both behave alike)."""

    key: str
    failures: int = 0
    window_started_at: datetime | None = None
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def record_failure(self, now: datetime, policy: LockoutPolicy) -> None:
        if self.window_started_at is None or now - self.window_started_at >= policy.window:
            self.window_started_at = now
            self.failures = 0
        self.failures += 1
        if self.failures >= policy.max_failures:
            self.locked_until = now + policy.lock_for
            self.failures = 0
            self.window_started_at = None

    def record_success(self) -> None:
        self.failures = 0
        self.window_started_at = None
        self.locked_until = None
