"""Settings read from environment variables once, with local defaults.

A service declares its settings as a frozen dataclass that extends :class:`ServiceSettings`
and builds it with ``MySettings.from_env()``. Fields declared with ``secret=True`` must be
changed from their default when ``MOTCUA_ENV=production``; the process refuses to start
otherwise.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any, Self

PRODUCTION = "production"


class ConfigError(RuntimeError):
    """Settings are missing or unsafe for the chosen environment."""


def setting(env: str, default: Any, *, secret: bool = False) -> Any:
    """Declare a settings field read from the environment variable ``env``."""
    return dataclasses.field(default=default, metadata={"env": env, "secret": secret})


def _cast(raw: str, kind: Any, name: str) -> Any:
    kind = {"int": int, "float": float, "bool": bool, "str": str}.get(kind, kind)
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{name}: expected a boolean, got {raw!r}")
    try:
        return kind(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}: expected {kind.__name__}, got {raw!r}") from exc


@dataclasses.dataclass(frozen=True)
class ServiceSettings:
    """Settings every service has. Subclass to add a service's own."""

    service_name: str = setting("SERVICE_NAME", "service")
    env: str = setting("MOTCUA_ENV", "development")
    log_level: str = setting("LOG_LEVEL", "INFO")
    mongo_url: str = setting("MONGO_URL", "mongodb://127.0.0.1:27017", secret=True)
    mongo_db: str = setting("MONGO_DB", "motcua")
    mongo_timeout_ms: int = setting("MONGO_TIMEOUT_MS", 3000)
    amqp_url: str = setting("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//", secret=True)
    events_exchange: str = setting("EVENTS_EXCHANGE", "motcua.events")
    jwks_url: str = setting("JWKS_URL", "http://127.0.0.1:8081/.well-known/jwks.json")
    jwt_issuer: str = setting("JWT_ISSUER", "motcua-identity")
    jwt_audience: str = setting("JWT_AUDIENCE", "motcua")
    jwks_cache_seconds: int = setting("JWKS_CACHE_SECONDS", 300)
    # The session deny-list every token verifier consults (servicekit.revocation).
    redis_url: str = setting("REDIS_URL", "redis://127.0.0.1:6379/0", secret=True)
    revocation_prefix: str = setting("REVOCATION_PREFIX", "motcua:revoked-session")
    revocation_timeout_seconds: float = setting("REVOCATION_TIMEOUT_SECONDS", 0.25)
    consumer_max_attempts: int = setting("CONSUMER_MAX_ATTEMPTS", 5)
    consumer_retry_delay_ms: int = setting("CONSUMER_RETRY_DELAY_MS", 2000)
    consumer_prefetch: int = setting("CONSUMER_PREFETCH", 20)
    outbox_poll_seconds: float = setting("OUTBOX_POLL_SECONDS", 1.0)  # wake-ups do the rest
    # A worker touches this file while every loop of it is alive (liveness probe); "" = off.
    worker_heartbeat_file: str = setting("WORKER_HEARTBEAT_FILE", "")
    max_body_bytes: int = setting("MAX_BODY_BYTES", 25 * 1024 * 1024)
    docs_ui_url: str = setting("DOCS_UI_URL", "https://cdn.jsdelivr.net/npm/swagger-ui-dist/")
    # Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated);
    # empty = nobody: the client is the socket's peer (servicekit.client_address).
    trusted_proxies: str = setting("TRUSTED_PROXIES", "")
    # Bearer token Prometheus sends to read /metrics; without it /metrics answers 401.
    metrics_token: str = setting("METRICS_TOKEN", "dev-only-metrics-token", secret=True)

    @property
    def is_production(self) -> bool:
        return self.env == PRODUCTION

    @property
    def is_development(self) -> bool:
        return self.env in {"development", "test"}

    @property
    def trusted_proxy_networks(self) -> tuple:
        """``TRUSTED_PROXIES`` parsed (checked at start-up by :meth:`check`)."""
        from servicekit.client_address import parse_networks

        return parse_networks(self.trusted_proxies)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """Build settings from ``environ`` (default ``os.environ``); ``overrides`` win."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            env_name = field.metadata.get("env")
            if field.name in overrides:
                values[field.name] = overrides[field.name]
            elif env_name and env_name in environ:
                values[field.name] = _cast(environ[env_name], field.type, env_name)
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse unreadable proxy ranges always, and default secrets in production."""
        try:
            _ = self.trusted_proxy_networks
        except ValueError as exc:
            raise ConfigError(f"TRUSTED_PROXIES: {exc}") from exc
        if not self.is_production:
            return
        unchanged = [
            field.metadata["env"]
            for field in dataclasses.fields(self)
            if field.metadata.get("secret") and getattr(self, field.name) == field.default
        ]
        if unchanged:
            raise ConfigError(
                "production mode refuses default secrets; set: " + ", ".join(sorted(unchanged))
            )

    def public_dict(self) -> dict[str, Any]:
        """Settings with secrets hidden, for start-up logs."""
        return {
            field.name: ("***" if field.metadata.get("secret") else getattr(self, field.name))
            for field in dataclasses.fields(self)
        }
