"""Access-token verification against identity's JWKS, and role checks for Flask views.

Every service verifies tokens itself: nothing trusts a header it did not verify. Keys are
cached for ``jwks_cache_seconds``; a token signed with an unknown ``kid`` triggers one refresh
of the key set (key rotation), never more than one per token.

A client sends the same token with every request until it expires, so a verified token's
claims are remembered (by the exact token text) for at most ``VERIFIED_TTL_SECONDS`` and
never past its ``exp``: parsing and checking the signature again on every request cost more
than the rest of a typical request's own work. A key withdrawn from the key set stops
working within that minute.
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import jwt
from flask import current_app, g, request

from servicekit.cache import BoundedCache
from servicekit.config import ServiceSettings
from servicekit.errors import abort

ROLES = ("citizen", "officer", "admin")
ALGORITHMS = ("EdDSA", "ES256", "RS256")
VERIFIED_TTL_SECONDS = 60.0
VERIFIED_MAX = 10_000


class KeySource(Protocol):
    def get_signing_key(self, kid: str) -> jwt.PyJWK: ...


class InvalidToken(Exception):
    """The token is missing, malformed, badly signed, expired or not for us."""


class TokenVerifier:
    def __init__(self, jwks_url: str | None = None, *, issuer: str, audience: str,
                 cache_seconds: int = 300, timeout: float = 3.0,
                 refresh_cooldown: float = 10.0, key_source: KeySource | None = None) -> None:
        """Verify against identity's JWKS at ``jwks_url``, or against ``key_source`` (any
        object with ``get_signing_key(kid) -> jwt.PyJWK``, e.g. identity's own keys)."""
        self.issuer = issuer
        self.audience = audience
        if key_source is None:
            if not jwks_url:
                raise ValueError("a JWKS URL or a key source is needed")
            # An unknown kid refetches the key set once; the cooldown stops a caller sending
            # random kids from making us hammer identity.
            key_source = jwt.PyJWKClient(jwks_url, cache_keys=False, lifespan=cache_seconds,
                                         timeout=timeout, cooldown_duration=refresh_cooldown)
        self._keys = key_source
        self._verified = BoundedCache(VERIFIED_MAX)  # token text → its claims

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> TokenVerifier:
        return cls(settings.jwks_url, issuer=settings.jwt_issuer,
                   audience=settings.jwt_audience, cache_seconds=settings.jwks_cache_seconds)

    def verify(self, token: str) -> dict[str, Any]:
        """Return the token's claims, or raise :class:`InvalidToken`."""
        known = self._verified.get(token)
        if known is not None:
            return dict(known)
        claims = self._verify(token)
        until = min(float(claims["exp"]), time.time() + VERIFIED_TTL_SECONDS)
        self._verified.put(token, claims, until)
        return dict(claims)

    def _verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in ALGORITHMS or not header.get("kid"):
                raise InvalidToken("unsupported algorithm or missing kid")
            key = self._keys.get_signing_key(header["kid"])
            claims = jwt.decode(
                token, key=key.key, algorithms=[header["alg"]], audience=self.audience,
                issuer=self.issuer, options={"require": ["exp", "sub", "iat", "jti"]},
            )
        except InvalidToken:
            raise
        except (jwt.PyJWTError, jwt.PyJWKClientError, ValueError) as exc:
            raise InvalidToken(str(exc)) from exc
        if claims.get("role") not in ROLES:
            raise InvalidToken("unknown role")
        return claims


def init_auth(app, verifier: TokenVerifier) -> None:
    app.extensions["token_verifier"] = verifier


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_claims() -> dict[str, Any] | None:
    """Claims of the verified caller, or ``None`` for an anonymous one.

    A present but invalid token is refused with 401 rather than treated as anonymous.
    """
    if "claims" in g:
        return g.claims
    token = _bearer_token()
    if token is None:
        g.claims = None
        return None
    verifier: TokenVerifier = current_app.extensions["token_verifier"]
    try:
        g.claims = verifier.verify(token)
    except InvalidToken:
        abort(401, "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại.",
              headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return g.claims


def require_auth(*roles: str) -> Callable:
    """Refuse anonymous callers (401) and, when ``roles`` are given, other roles (403)."""
    allowed: Iterable[str] = roles or ROLES

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            claims = current_claims()
            if claims is None:
                abort(401, headers={"WWW-Authenticate": "Bearer"})
            if claims.get("role") not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapper._motcua_roles = tuple(allowed)  # type: ignore[attr-defined]
        return wrapper

    return decorator
