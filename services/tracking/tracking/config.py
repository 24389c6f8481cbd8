"""Settings of the tracking service, read once from the environment."""
from __future__ import annotations

import dataclasses

from servicekit.config import ServiceSettings, setting


@dataclasses.dataclass(frozen=True)
class TrackingSettings(ServiceSettings):
    service_name: str = setting("SERVICE_NAME", "tracking")
    mongo_db: str = setting("MONGO_DB", "motcua_tracking")
    # Key of the HMAC that replaces CCCD numbers in the read model. Changing it means a
    # rebuild cannot find old dossiers by CCCD (the clear numbers are never kept).
    cccd_hash_key: str = setting("CCCD_HASH_KEY", "dev-only-cccd-hash-key", secret=True)
    # flask-limiter storage shared by every web process and replica.
    ratelimit_storage_uri: str = setting("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379",
                                         secret=True)  # may carry the Redis password
    ratelimit_key_prefix: str = setting("RATELIMIT_KEY_PREFIX", "motcua-tracking")
    # Lookups by anonymous callers (per client IP) and citizens (per account).
    lookup_rate_limit: str = setting("LOOKUP_RATE_LIMIT", "10/minute")
    consumer_queue: str = setting("TRACKING_QUEUE", "tracking.dossier-events")
