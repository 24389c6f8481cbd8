"""Who may pass the gateway, and how often.

Anonymous routes are listed here, explicitly; every other route needs a valid access token,
verified against identity's JWKS *before* the request reaches a service (services verify it
again themselves). Rate limits (flask-limiter, Redis storage shared by every worker and
replica): per client address for anonymous lookups and for the sign-in endpoints, per user
for everything else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask, current_app, g, request
from flask_limiter import Limiter, RateLimitExceeded

from servicekit.auth import InvalidToken, TokenVerifier
from servicekit.errors import error_response

# (methods, service, path regex): reachable without a token.
ANONYMOUS_ROUTES: tuple[tuple[frozenset[str], str, re.Pattern[str]], ...] = tuple(
    (frozenset(methods), service, re.compile(pattern))
    for methods, service, pattern in (
        ({"GET", "HEAD"}, "*", r"/(healthz|readyz|openapi\.json|docs.*)"),
        ({"GET", "HEAD"}, "catalog", r"/(agencies|procedures|provinces)(/.*)?"),
        ({"GET"}, "tracking", r"/lookup"),
        ({"POST"}, "identity", r"/(register|register/verify|otp/resend|login|login/verify"
                               r"|token/refresh|password/forgot|password/reset)"),
        ({"POST"}, "identity", r"/lookup-proof(/verify)?"),  # proof before a CCCD lookup
        ({"GET"}, "identity", r"/consents/autofill"),  # the consent text shown before signing
        ({"GET"}, "identity", r"/\.well-known/jwks\.json"),
        ({"GET"}, "notify", r"/dev/messages"),  # notify itself refuses it outside development
    )
)
AUTH_ENDPOINTS = re.compile(
    r"/(register|login)(/.*)?|/token/refresh|/otp/resend|/password/(forgot|reset)")


@dataclass(frozen=True)
class Route:
    service: str
    path: str

    @property
    def is_anonymous(self) -> bool:
        return any(
            request.method in methods and service in ("*", self.service)
            and pattern.fullmatch(self.path)
            for methods, service, pattern in ANONYMOUS_ROUTES)

    @property
    def kind(self) -> str:
        """Which rate limit applies: auth, lookup, user or anonymous."""
        if self.service == "identity" and AUTH_ENDPOINTS.fullmatch(self.path):
            return "auth"
        if self.service == "tracking" and self.path == "/lookup" and g.get("claims") is None:
            return "lookup"
        return "user" if g.get("claims") else "anonymous"


def current_route() -> Route | None:
    args = request.view_args or {}
    if "service" not in args:
        return None
    return Route(args["service"], "/" + args.get("path", ""))


def authenticate() -> None:
    """``before_request``: refuse a missing or bad token on a protected route."""
    route = current_route()
    if route is None:
        return None
    if request.method == "OPTIONS":  # CORS preflight carries no credentials
        return current_app.response_class(status=204)
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    g.claims = None
    if scheme.lower() == "bearer" and token.strip():
        verifier: TokenVerifier = current_app.extensions["token_verifier"]
        try:
            g.claims = verifier.verify(token.strip())
        except InvalidToken:
            return error_response(
                401, "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if g.claims is None and not route.is_anonymous:
        return error_response(401, headers={"WWW-Authenticate": "Bearer"})
    return None


def _client_key() -> str:
    return f"ip:{request.remote_addr}"


def _user_key() -> str:
    claims = g.get("claims")
    return f"user:{claims['sub']}" if claims else _client_key()


def _only(kind: str):
    def exempt() -> bool:
        route = current_route()
        return route is None or route.kind != kind
    return exempt


def init_rate_limits(app: Flask, settings) -> Limiter:
    # No X-RateLimit-* headers on every answer: computing them costs a second Redis round
    # trip per request (the profile showed the limiter at ~40 % of the gateway's time).
    # A refusal still says when to come back (Retry-After: the limit's window).
    limiter = Limiter(
        _client_key, app=app, storage_uri=settings.redis_url, headers_enabled=False,
        strategy="sliding-window-counter", key_prefix=settings.rate_limit_prefix,
        storage_options={"socket_connect_timeout": 2, "socket_timeout": 2},
    )
    view = app.view_functions["mounted"]
    root = app.view_functions["mounted_root"]
    for kind, limit, key in (
        ("auth", settings.rate_limit_auth, _client_key),
        ("lookup", settings.rate_limit_lookup, _client_key),
        ("user", settings.rate_limit_user, _user_key),
        ("anonymous", settings.rate_limit_anonymous, _client_key),
    ):
        shared = limiter.shared_limit(limit, scope=kind, key_func=key, exempt_when=_only(kind))
        view = shared(view)
        root = shared(root)
    app.view_functions["mounted"] = view
    app.view_functions["mounted_root"] = root

    @app.errorhandler(RateLimitExceeded)
    def too_many(error: RateLimitExceeded):
        return error_response(429, headers={"Retry-After": str(error.limit.limit.get_expiry())})

    return limiter
