"""Who may pass the gateway, and how often.

Every decision is taken on the upstream path as :mod:`gateway.paths` normalised it (an
ambiguous path is a 400 before anything else), and that same path is what is forwarded.
Anonymous routes are listed here, explicitly; every other route needs a valid access token,
verified against identity's JWKS *before* the request reaches a service (services verify it
again themselves). Internal endpoints (``/metrics``) are never forwarded.

Rate limits (flask-limiter, Redis storage shared by every worker and replica): per user for
signed-in callers; per client address for anonymous lookups, for other anonymous calls and, as
a high outer bound only, for the sign-in endpoints — identity limits those per account,
challenge, token family and destination, so hundreds of people behind one address (a ward
office, a school, a carrier's NAT) all get through. The client address is the socket's peer,
or what a proxy in ``TRUSTED_PROXIES`` says (``servicekit.client_address``).
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from flask import Flask, current_app, g, request
from flask_limiter import Limiter, RateLimitExceeded

from gateway import paths
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
# Served by every service for its operators (Prometheus reads them on the service's own
# address): never through the gateway, whatever the caller holds.
INTERNAL_ROUTES = re.compile(r"/metrics/?")


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


def normalised_path() -> str:
    """This request's path decoded once, or ``paths.UnsafePath``."""
    if "normalised_path" not in g:
        raw = paths.raw_path(request.environ)
        if raw is None:  # a server that keeps no raw URI: judge the decoded path
            paths.check_decoded(request.path)
            g.normalised_path = request.path
        else:
            g.normalised_path = paths.normalise(raw)
    return g.normalised_path


def current_route() -> Route | None:
    """The mounted service and its normalised path; raises ``paths.UnsafePath``."""
    if "upstream_route" in g:
        return g.upstream_route
    args = request.view_args or {}
    if "service" not in args:
        return None
    segments = normalised_path().split("/")
    if segments[1:3] != ["api", args["service"]]:
        raise paths.UnsafePath("/".join(segments))
    g.upstream_route = Route(args["service"], "/" + "/".join(segments[3:]))
    return g.upstream_route


def authenticate() -> None:
    """``before_request``: refuse an ambiguous path under ``/api/``, an internal route, and a
    missing or bad token on a protected route."""
    try:
        if request.path.startswith("/api/"):
            normalised_path()
        route = current_route()
    except paths.UnsafePath:
        return error_response(400, paths.REFUSED)
    if route is None:
        return None
    if INTERNAL_ROUTES.fullmatch(route.path):
        return error_response(404)
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
        wait = retry_after(limiter, error)
        return error_response(429, f"Bạn đã thao tác quá nhiều lần. Vui lòng thử lại sau {wait} "
                                   "giây.", headers={"Retry-After": str(wait)})

    return limiter


def retry_after(limiter: Limiter, error: RateLimitExceeded) -> int:
    """Seconds until the refused limit lets this caller through again (at most its window)."""
    window = error.limit.limit.get_expiry()
    try:
        current = limiter.current_limit
        reset_at = current.reset_at if current is not None else None
    except Exception:  # the storage went away meanwhile: the window is a safe answer
        reset_at = None
    if reset_at is None:
        return window
    return max(1, min(window, math.ceil(reset_at - time.time())))


def retry_after_seconds(error: Exception) -> int:
    """:func:`retry_after` for whatever 429 reached an error handler (60 when unknown)."""
    limiter = next(iter(current_app.extensions.get("limiter") or ()), None)
    if limiter is None or not isinstance(error, RateLimitExceeded):
        return 60
    return retry_after(limiter, error)
