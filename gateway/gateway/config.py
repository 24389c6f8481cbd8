"""Gateway settings, read once from the environment."""
from __future__ import annotations

import dataclasses

from servicekit.config import ServiceSettings, setting

SERVICES = ("identity", "catalog", "submission", "tracking", "notify")


@dataclasses.dataclass(frozen=True)
class GatewaySettings(ServiceSettings):
    service_name: str = setting("SERVICE_NAME", "gateway")
    identity_url: str = setting("IDENTITY_URL", "http://127.0.0.1:8081")
    catalog_url: str = setting("CATALOG_URL", "http://127.0.0.1:8082")
    submission_url: str = setting("SUBMISSION_URL", "http://127.0.0.1:8083")
    tracking_url: str = setting("TRACKING_URL", "http://127.0.0.1:8084")
    notify_url: str = setting("NOTIFY_URL", "http://127.0.0.1:8085")
    connect_timeout: float = setting("UPSTREAM_CONNECT_TIMEOUT", 2.0)
    read_timeout: float = setting("UPSTREAM_READ_TIMEOUT", 15.0)
    pool_size: int = setting("UPSTREAM_POOL_SIZE", 50)
    health_timeout: float = setting("UPSTREAM_HEALTH_TIMEOUT", 2.0)

    def upstreams(self) -> dict[str, str]:
        return {name: getattr(self, f"{name}_url").rstrip("/") for name in SERVICES}
