"""Settings of the tracking service, read once from the environment."""
from __future__ import annotations

import dataclasses

from servicekit.config import ConfigError, ServiceSettings, setting
from servicekit.sealing import PiiCipher, PiiKeyError, parse_keyring

# Development key ring (production refuses it): "<key id>:<base64url 32-byte key>,...".
_DEV_PII_KEYS = "dev1:dM-4hRLM00yeF8LSjngSK26Dm1U1_T4AR2vmIhY-kK8"


@dataclasses.dataclass(frozen=True)
class TrackingSettings(ServiceSettings):
    service_name: str = setting("SERVICE_NAME", "tracking")
    mongo_db: str = setting("MONGO_DB", "motcua_tracking")
    # Key of the HMAC that replaces CCCD numbers in the read model. Changing it means a
    # rebuild cannot find old dossiers by CCCD (the clear numbers are never kept).
    cccd_hash_key: str = setting("CCCD_HASH_KEY", "dev-only-cccd-hash-key", secret=True)
    # AES-256-GCM ring sealing the applicant's name in the timeline and views
    # (servicekit.sealing): the active key writes, every key of the ring reads.
    pii_keys: str = setting("TRACKING_PII_KEYS", _DEV_PII_KEYS, secret=True)
    pii_active_key: str = setting("TRACKING_PII_ACTIVE_KEY", "dev1")
    # flask-limiter storage shared by every web process and replica.
    ratelimit_storage_uri: str = setting("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379",
                                         secret=True)  # may carry the Redis password
    ratelimit_key_prefix: str = setting("RATELIMIT_KEY_PREFIX", "motcua-tracking")
    # Lookups by anonymous callers (per client IP) and citizens (per account).
    lookup_rate_limit: str = setting("LOOKUP_RATE_LIMIT", "10/minute")
    # Staff lookups by CCCD, per account (each one is also audited).
    staff_cccd_lookup_rate_limit: str = setting("STAFF_CCCD_LOOKUP_RATE_LIMIT",
                                                "30/minute;300/day")
    consumer_queue: str = setting("TRACKING_QUEUE", "tracking.dossier-events")

    def cipher(self) -> PiiCipher:
        return PiiCipher(parse_keyring(self.pii_keys), self.pii_active_key)

    def check(self) -> None:
        super().check()
        try:
            self.cipher()
        except PiiKeyError as exc:
            raise ConfigError(f"TRACKING_PII_KEYS / TRACKING_PII_ACTIVE_KEY: {exc}") from exc
