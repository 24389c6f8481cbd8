"""Domain error types: one hierarchy, Vietnamese messages for users."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; ``message`` is safe to show to the user."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationFailed(DomainError):
    """Input breaks a field rule; ``errors`` maps field name to messages."""


class AuthenticationFailed(DomainError):
    """Credentials or a code did not check out (401)."""


class OtpRejected(DomainError):
    """A one-time code was wrong, expired or already used (400)."""


class TooManyAttempts(DomainError):
    """A limit was reached: lockout, OTP tries or sends (429)."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Conflict(DomainError):
    """The change conflicts with stored state (409)."""


class NotFound(DomainError):
    """No such resource (404)."""


class Forbidden(DomainError):
    """The caller may not do this (403)."""
