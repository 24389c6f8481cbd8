"""Settings of the tracking service, read once from the environment."""
from __future__ import annotations

import dataclasses

from servicekit.config import ServiceSettings, setting


@dataclasses.dataclass(frozen=True)
class TrackingSettings(ServiceSettings):
    service_name: str = setting("SERVICE_NAME", "tracking")
    mongo_db: str = setting("MONGO_DB", "motcua_tracking")
