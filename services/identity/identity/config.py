"""Settings of the identity service, read once from the environment."""
from __future__ import annotations

import dataclasses

from servicekit.config import ServiceSettings, setting


@dataclasses.dataclass(frozen=True)
class IdentitySettings(ServiceSettings):
    service_name: str = setting("SERVICE_NAME", "identity")
    mongo_db: str = setting("MONGO_DB", "motcua_identity")
