"""The catalog's one error hierarchy; the API turns each kind into one HTTP status."""

from __future__ import annotations


class CatalogError(Exception):
    """Base of every error the catalog's use cases raise on purpose."""


class InvalidInput(CatalogError):
    """Input breaks a rule; ``errors`` is ``{field path: [messages]}`` (HTTP 422)."""

    def __init__(
        self, errors: dict[str, list[str]], message: str = "Dữ liệu không hợp lệ."
    ) -> None:
        super().__init__(message)
        self.errors = errors


class NotFound(CatalogError):
    """The thing asked for does not exist (HTTP 404)."""


class Conflict(CatalogError):
    """The request clashes with the current state (HTTP 409)."""
