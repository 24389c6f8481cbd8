"""One hierarchy of domain errors; the API maps each class to one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule violation. `message` is Vietnamese, shown to the user."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class InvalidInput(DomainError):
    """The request is well formed but its values break a rule (HTTP 422)."""


class IllegalTransition(DomainError):
    """The action is not allowed from the dossier's current status (HTTP 409)."""


class ConcurrencyConflict(DomainError):
    """Someone changed the dossier since it was read (HTTP 409)."""


class NotPermitted(DomainError):
    """The actor's role or agency may not do this (HTTP 403)."""


class UploadRefused(DomainError):
    """A file failed a safety or size check (HTTP 400/413/415 via `http_status`)."""

    def __init__(self, message: str, http_status: int = 400, field: str = "file"):
        super().__init__(message, {field: [message]})
        self.http_status = http_status


class NotFound(DomainError):
    """No such thing, or the caller may not know it exists (HTTP 404)."""


class IdentityPending(DomainError):
    """The account's verified identity has not reached submission yet (HTTP 503, retry)."""
