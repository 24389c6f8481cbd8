"""Rate limiting of public lookups (flask-limiter, storage shared through Redis).

Anonymous callers are limited per client IP (``request.remote_addr``: the gateway's
``X-Forwarded-For`` only when the peer is in ``TRUSTED_PROXIES``, see
``servicekit.client_address``), signed-in citizens per account; staff are not limited. If
the storage is unreachable the limiter falls back to per-process memory rather than refusing
lookups.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter

from tracking.config import TrackingSettings

EXTENSION = "tracking_limiter"


def _client_ip() -> str:
    return request.remote_addr or "unknown"


def init_limiter(app: Flask, settings: TrackingSettings) -> Limiter:
    limiter = Limiter(
        key_func=_client_ip,
        app=app,
        storage_uri=settings.ratelimit_storage_uri,
        storage_options={"socket_connect_timeout": 1, "socket_timeout": 1}
        if settings.ratelimit_storage_uri.startswith(("redis", "rediss")) else {},
        key_prefix=settings.ratelimit_key_prefix,
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    app.extensions[EXTENSION] = limiter
    return limiter


def enforce_lookup_limit(claims: dict[str, Any] | None) -> None:
    """Count this lookup; a caller over the limit gets 429 with ``Retry-After``."""
    settings: TrackingSettings = current_app.extensions["settings"]
    limiter: Limiter = current_app.extensions[EXTENSION]
    subject = f"user:{claims['sub']}" if claims else f"ip:{_client_ip()}"
    with limiter.limit(settings.lookup_rate_limit, key_func=lambda: subject,
                       scope="lookup"):
        pass
