"""Access-token verification against identity's JWKS, and role checks for Flask views.

Every service verifies tokens itself: nothing trusts a header it did not verify. Keys are
cached for ``jwks_cache_seconds``; a token signed with an unknown ``kid`` triggers one refresh
of the key set (key rotation), never more than one per token.

A client sends the same token with every request until it expires, so a verified token's
claims are remembered (by the exact token text) for at most ``VERIFIED_TTL_SECONDS`` and
never past its ``exp``: parsing and checking the signature again on every request cost more
than the rest of a typical request's own work. A key withdrawn from the key set stops
working within that minute.

The algorithm is the key's, never the token's choice: an Ed25519 key verifies only EdDSA, an EC
P-256 key only ES256, an RSA key only RS256; a header naming anything else is an invalid token
(401), as is any error about the key or the algorithm. Every token names its session (``sid``);
after the signature, and also for a remembered token, the session deny-list
(:mod:`servicekit.revocation`) is asked whether that session ended.
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from flask import current_app, g, request

from servicekit.cache import BoundedCache
from servicekit.config import ServiceSettings
from servicekit.errors import abort
from servicekit.revocation import RedisRevocations, Revocations

ROLES = ("citizen", "officer", "admin")
ALGORITHMS = ("EdDSA", "ES256", "RS256")
REQUIRED_CLAIMS = ["exp", "sub", "iat", "jti", "sid"]
VERIFIED_TTL_SECONDS = 60.0
VERIFIED_MAX = 10_000


class KeySource(Protocol):
    def get_signing_key(self, kid: str) -> jwt.PyJWK: ...


class InvalidToken(Exception):
    """The token is missing, malformed, badly signed, expired, of an ended session or not
    for us."""


def algorithm_for(key: Any) -> str | None:
    """The one algorithm a public key verifies (None: a key we do not use)."""
    if isinstance(key, Ed25519PublicKey):
        return "EdDSA"
    if isinstance(key, EllipticCurvePublicKey) and isinstance(key.curve, SECP256R1):
        return "ES256"
    if isinstance(key, RSAPublicKey):
        return "RS256"
    return None


class TokenVerifier:
    def __init__(self, jwks_url: str | None = None, *, issuer: str, audience: str,
                 cache_seconds: int = 300, timeout: float = 3.0,
                 refresh_cooldown: float = 10.0, key_source: KeySource | None = None,
                 revocations: Revocations | None = None) -> None:
        """Verify against identity's JWKS at ``jwks_url``, or against ``key_source`` (any
        object with ``get_signing_key(kid) -> jwt.PyJWK``, e.g. identity's own keys).

        ``revocations`` is the session deny-list (``is_revoked(sid)``); without one no session
        is ever seen as ended (tests of the signature rules only)."""
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
        self._revocations = revocations
        self._verified = BoundedCache(VERIFIED_MAX)  # token text → its claims
        self._ended = BoundedCache(VERIFIED_MAX)  # sid → True: an ended session never resumes

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> TokenVerifier:
        return cls(settings.jwks_url, issuer=settings.jwt_issuer,
                   audience=settings.jwt_audience, cache_seconds=settings.jwks_cache_seconds,
                   revocations=RedisRevocations.from_settings(settings))

    def verify(self, token: str) -> dict[str, Any]:
        """Return the token's claims, or raise :class:`InvalidToken`."""
        claims = self._verified.get(token)
        if claims is None:
            claims = self._verify(token)
            until = min(float(claims["exp"]), time.time() + VERIFIED_TTL_SECONDS)
            self._verified.put(token, claims, until)
        if self.session_ended(claims["sid"], until=float(claims["exp"])):
            raise InvalidToken("the session has ended")
        return dict(claims)

    def session_ended(self, sid: str, *, until: float | None = None) -> bool:
        """Whether session ``sid`` was ended (signed out, password changed…). An answer "ended"
        is remembered (``until``: as long as a token of it may be shown)."""
        if self._ended.get(sid):
            return True
        if self._revocations is None or not self._revocations.is_revoked(sid):
            return False
        self._ended.put(sid, True, until if until is not None else time.time() + 900)
        return True

    def _verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            kid, alg = header.get("kid"), header.get("alg")
            if alg not in ALGORITHMS or not isinstance(kid, str) or not kid:
                raise InvalidToken("unsupported algorithm or missing kid")
            key = self._keys.get_signing_key(kid)
            expected = algorithm_for(key.key)
            if expected is None or alg != expected:  # the key decides, never the header
                raise InvalidToken(f"{alg} does not match the key of {kid!r}")
            claims = jwt.decode(
                token, key=key.key, algorithms=[expected], audience=self.audience,
                issuer=self.issuer, options={"require": REQUIRED_CLAIMS},
            )
        except InvalidToken:
            raise
        except (jwt.PyJWTError, jwt.PyJWKClientError, ValueError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc  # any key or algorithm error: not a 500
        if claims.get("role") not in ROLES:
            raise InvalidToken("unknown role")
        if not isinstance(claims["sid"], str) or not claims["sid"]:
            raise InvalidToken("no session")
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
