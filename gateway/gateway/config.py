"""Gateway settings, read once from the environment."""
from __future__ import annotations

import dataclasses

from servicekit.config import ConfigError, ServiceSettings, setting

SERVICES = ("identity", "catalog", "submission", "tracking", "notify")


@dataclasses.dataclass(frozen=True)
class GatewaySettings(ServiceSettings):
    service_name: str = setting("SERVICE_NAME", "gateway")
    # The gateway keeps nothing durable: it never connects to MongoDB or RabbitMQ, so these
    # inherited settings are not secrets it must be given.
    # Room for submission's largest component (50 MB drawings) plus the multipart envelope.
    max_body_bytes: int = setting("MAX_BODY_BYTES", 52 * 1024 * 1024)
    mongo_url: str = setting("MONGO_URL", "")
    amqp_url: str = setting("AMQP_URL", "")
    identity_url: str = setting("IDENTITY_URL", "http://127.0.0.1:8081")
    catalog_url: str = setting("CATALOG_URL", "http://127.0.0.1:8082")
    submission_url: str = setting("SUBMISSION_URL", "http://127.0.0.1:8083")
    tracking_url: str = setting("TRACKING_URL", "http://127.0.0.1:8084")
    notify_url: str = setting("NOTIFY_URL", "http://127.0.0.1:8085")
    connect_timeout: float = setting("UPSTREAM_CONNECT_TIMEOUT", 2.0)
    read_timeout: float = setting("UPSTREAM_READ_TIMEOUT", 15.0)
    pool_size: int = setting("UPSTREAM_POOL_SIZE", 50)
    health_timeout: float = setting("UPSTREAM_HEALTH_TIMEOUT", 2.0)
    idempotent_retries: int = setting("UPSTREAM_IDEMPOTENT_RETRIES", 2)
    redis_url: str = setting("REDIS_URL", "redis://127.0.0.1:6379/0", secret=True)
    # Per client address, sign-in endpoints (register, login, OTP, refresh, password reset):
    # only an outer bound against floods from one address. Identity limits per account,
    # challenge, token family and destination; this must let hundreds of people behind one
    # address (a ward office, a school, a carrier's NAT) sign in within the same minute.
    rate_limit_auth: str = setting("RATE_LIMIT_AUTH", "3000/minute")
    rate_limit_lookup: str = setting("RATE_LIMIT_LOOKUP", "30/minute")
    rate_limit_user: str = setting("RATE_LIMIT_USER", "600/minute")
    rate_limit_anonymous: str = setting("RATE_LIMIT_ANONYMOUS", "300/minute")
    rate_limit_prefix: str = setting("RATE_LIMIT_PREFIX", "motcua-gateway")
    # TRUSTED_PROXIES (servicekit): the TLS proxy or ingress in front of the gateway, if any;
    # empty = the client is the socket's peer and X-Forwarded-For from outside is ignored.
    cors_origins: str = setting("CORS_ORIGINS", "")
    # Portal (server-rendered pages): the key that encrypts its session cookie, whether the
    # cookie is Secure (HTTPS only; production refuses to start without it), and how long a
    # session lasts.
    portal_secret_key: str = setting("PORTAL_SECRET_KEY", "dev-only-portal-secret-change-me",
                                     secret=True)
    portal_cookie_secure: bool = setting("PORTAL_COOKIE_SECURE", False)
    portal_session_hours: int = setting("PORTAL_SESSION_HOURS", 12)
    # Strict-Transport-Security max-age (seconds) sent on every answer when the gateway (or
    # the TLS proxy right in front of it) serves HTTPS; 0 = no HSTS header (plain HTTP).
    hsts_max_age: int = setting("HSTS_MAX_AGE", 0)

    def check(self) -> None:
        super().check()
        if self.is_production and not self.portal_cookie_secure:
            raise ConfigError("production mode needs PORTAL_COOKIE_SECURE=true: the portal "
                              "cookie carries the session's tokens and must travel over "
                              "HTTPS only")
        if self.hsts_max_age < 0:
            raise ConfigError("HSTS_MAX_AGE: expected 0 (off) or a number of seconds")

    @property
    def allowed_origins(self) -> frozenset[str]:
        return frozenset(o.strip() for o in self.cors_origins.split(",") if o.strip())

    def upstreams(self) -> dict[str, list[str]]:
        """Each service's replicas: ``SUBMISSION_URL=http://a:8083,http://b:8083`` spreads
        requests over both (in Kubernetes one Service URL does that instead)."""
        return {name: [url.strip().rstrip("/") for url in getattr(self, f"{name}_url").split(",")
                       if url.strip()]
                for name in SERVICES}
