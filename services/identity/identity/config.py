"""Settings of the identity service, read once from the environment.

Secrets (``secret=True``) have development defaults that production refuses
(``MOTCUA_ENV=production``). Key rings are ``"<kid>:<base64url 32-byte key>,..."``; the
``*_ACTIVE_KEY`` names the one new data is written with, the others stay readable.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from identity.keys import (
    SigningKeys,
    development_key,
    load_private_key,
    load_public_key,
    split_pems,
)
from servicekit.config import ConfigError, ServiceSettings, setting

_DEV_PII_KEYS = "dev1:r1WP-t662cbrfnoj6QQluymDapGqf3vAlS2EkTUN_O4"
_DEV_LOOKUP_KEYS = "dev1:cILrCVSdf0uWJm6q7d6UUu2qgYtcI_WVUm1fn7WnAW0"
_DEV_OTP_KEY = "ef4pwXBm8SQY06EUh1FeDebX62afUxykILOn2PNk31U"


@dataclasses.dataclass(frozen=True)
class IdentitySettings(ServiceSettings):
    service_name: str = setting("SERVICE_NAME", "identity")
    mongo_db: str = setting("MONGO_DB", "motcua_identity")

    # Personal data at rest: AES-256-GCM key ring, HMAC key ring for lookups, OTP hash key.
    pii_keys: str = setting("IDENTITY_PII_KEYS", _DEV_PII_KEYS, secret=True)
    pii_active_key: str = setting("IDENTITY_PII_ACTIVE_KEY", "dev1")
    lookup_keys: str = setting("IDENTITY_LOOKUP_KEYS", _DEV_LOOKUP_KEYS, secret=True)
    lookup_active_key: str = setting("IDENTITY_LOOKUP_ACTIVE_KEY", "dev1")
    otp_hash_key: str = setting("IDENTITY_OTP_HASH_KEY", _DEV_OTP_KEY, secret=True)

    # Access tokens: Ed25519 private key (PEM) that signs; earlier public keys (PEMs) that
    # stay in the JWKS during a rotation. Empty key: development generates one into var/.
    jwt_private_key: str = setting("IDENTITY_JWT_PRIVATE_KEY", "", secret=True)
    jwt_previous_public_keys: str = setting("IDENTITY_JWT_PREVIOUS_PUBLIC_KEYS", "")
    jwt_dev_key_file: str = setting("IDENTITY_JWT_DEV_KEY_FILE", "var/identity/jwt-signing.pem")
    access_token_ttl_seconds: int = setting("IDENTITY_ACCESS_TOKEN_TTL_SECONDS", 900)
    refresh_token_ttl_seconds: int = setting("IDENTITY_REFRESH_TOKEN_TTL_SECONDS", 7 * 86400)
    session_max_seconds: int = setting("IDENTITY_SESSION_MAX_SECONDS", 30 * 86400)
    # How often the worker writes ended sessions to the deny-list again (lost entries return).
    revocation_sync_seconds: float = setting("IDENTITY_REVOCATION_SYNC_SECONDS", 30.0)

    # One-time codes and login throttling.
    otp_ttl_seconds: int = setting("IDENTITY_OTP_TTL_SECONDS", 300)
    otp_max_attempts: int = setting("IDENTITY_OTP_MAX_ATTEMPTS", 5)
    otp_resend_cooldown_seconds: int = setting("IDENTITY_OTP_RESEND_COOLDOWN_SECONDS", 60)
    otp_max_sends_per_hour: int = setting("IDENTITY_OTP_MAX_SENDS_PER_HOUR", 5)
    default_otp_channel: str = setting("IDENTITY_DEFAULT_OTP_CHANNEL", "sms")
    login_max_failures: int = setting("IDENTITY_LOGIN_MAX_FAILURES", 5)
    login_failure_window_seconds: int = setting("IDENTITY_LOGIN_FAILURE_WINDOW_SECONDS", 900)

    # Limits that follow the abuser (README, "Limits"); windows as above unless named.
    login_account_max_failures: int = setting("IDENTITY_LOGIN_ACCOUNT_MAX_FAILURES", 20)
    known_client_days: int = setting("IDENTITY_KNOWN_CLIENT_DAYS", 30)
    step_up_max_failures: int = setting("IDENTITY_STEP_UP_MAX_FAILURES", 5)
    second_factor_max_failures: int = setting("IDENTITY_SECOND_FACTOR_MAX_FAILURES", 10)
    second_factor_window_seconds: int = setting("IDENTITY_SECOND_FACTOR_WINDOW_SECONDS", 3600)
    refresh_max_per_family: int = setting("IDENTITY_REFRESH_MAX_PER_FAMILY", 30)
    refresh_window_seconds: int = setting("IDENTITY_REFRESH_WINDOW_SECONDS", 900)
    otp_reset_sends_per_account_per_hour: int = setting(
        "IDENTITY_OTP_RESET_SENDS_PER_ACCOUNT_PER_HOUR", 15
    )
    otp_register_sends_per_client_per_hour: int = setting(
        "IDENTITY_OTP_REGISTER_SENDS_PER_CLIENT_PER_HOUR", 1000
    )

    # argon2id cost (RFC 9106 second recommendation by default).
    argon2_time_cost: int = setting("IDENTITY_ARGON2_TIME_COST", 3)
    argon2_memory_kib: int = setting("IDENTITY_ARGON2_MEMORY_KIB", 65536)

    consent_text_version: str = setting("IDENTITY_CONSENT_TEXT_VERSION", "2026-11-01")

    def check(self) -> None:
        super().check()
        if self.is_production and not self.jwt_private_key.strip():
            raise ConfigError("production mode needs IDENTITY_JWT_PRIVATE_KEY (Ed25519 PEM)")
        if self.access_token_ttl_seconds > 900:
            raise ConfigError("IDENTITY_ACCESS_TOKEN_TTL_SECONDS must be at most 900")
        if self.default_otp_channel not in ("sms", "email"):
            raise ConfigError("IDENTITY_DEFAULT_OTP_CHANNEL must be sms or email")

    def signing_keys(self) -> SigningKeys:
        """The JWT keys; development without a configured key uses one kept under var/."""
        pem = self.jwt_private_key.replace("\\n", "\n").strip()
        if not pem:
            pem = development_key(Path(self.jwt_dev_key_file))
        previous = tuple(load_public_key(p) for p in split_pems(self.jwt_previous_public_keys))
        return SigningKeys(load_private_key(pem), previous)
