"""Settings of the notify service, read once from the environment."""
from __future__ import annotations

import dataclasses

from servicekit.config import ServiceSettings, setting


@dataclasses.dataclass(frozen=True)
class NotifySettings(ServiceSettings):
    service_name: str = setting("SERVICE_NAME", "notify")
    mongo_db: str = setting("MONGO_DB", "motcua_notify")
