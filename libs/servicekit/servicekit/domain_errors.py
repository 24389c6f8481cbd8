"""One domain error base for every service, carrying its HTTP status.

Domain code raises these (or a service's own subclasses); the one handler that
:func:`servicekit.errors.register_error_handlers` installs turns any of them into the error
shape with the error's status, Vietnamese message, field errors and ``Retry-After``. The names
mean one thing everywhere: ``InvalidInput`` (422) is a value that breaks a rule, never
``ValidationFailed``; ``NotPermitted`` (403) is a role or scope that may not, never
``Forbidden``. Pure Python: domain packages may import it.
"""
from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. ``message`` is Vietnamese and safe to show to the user."""

    http_status: int = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None, *,
                 retry_after: int | None = None, http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.retry_after = retry_after
        if http_status is not None:
            self.http_status = http_status

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}


class InvalidInput(DomainError):
    """Well formed, but a value breaks a rule; ``errors`` maps each field to its messages."""

    http_status = 422


class AuthenticationFailed(DomainError):
    """Credentials, a code or a token did not check out."""

    http_status = 401


class NotPermitted(DomainError):
    """The caller's role, agency or scope may not do this."""

    http_status = 403


class NotFound(DomainError):
    """No such thing, or the caller may not know it exists."""

    http_status = 404


class Conflict(DomainError):
    """The change conflicts with stored state (a duplicate, a stale version, a wrong status)."""

    http_status = 409


class TooManyAttempts(DomainError):
    """A limit was reached; ``retry_after`` says when to try again."""

    http_status = 429


class TemporarilyUnavailable(DomainError):
    """Something the use case needs is down or not yet there: retry after a while."""

    http_status = 503

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None, *,
                 retry_after: int | None = 30, http_status: int | None = None) -> None:
        super().__init__(message, errors, retry_after=retry_after, http_status=http_status)
