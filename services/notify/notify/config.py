"""Settings of the notify service, read once from the environment."""

from __future__ import annotations

import dataclasses

from servicekit.config import ConfigError, ServiceSettings, setting
from servicekit.sealing import PiiKeyError, Sealer

EMAIL_PROVIDERS = ("smtp", "dev")
SMS_PROVIDERS = ("dev", "http", "failover")
# Development key rings (production refuses them): "<key id>:<base64url 32-byte key>,...".
_DEV_PII_KEYS = "dev1:5qG_eYS8S4o6RtSdBJpNFe9cYDZJChCC7_sJrhPe0CU"
_DEV_LOOKUP_KEYS = "dev1:Xkr0YRvq-U9dpX4y8o5teLZ0VDy-f6xscGULhMrMJ1Y"


@dataclasses.dataclass(frozen=True)
class NotifySettings(ServiceSettings):
    service_name: str = setting("SERVICE_NAME", "notify")
    mongo_db: str = setting("MONGO_DB", "motcua_notify")
    # Public address of the portal, for links in messages.
    portal_url: str = setting("PORTAL_URL", "http://127.0.0.1:8080")
    # Encrypts the clear content of OTP messages while they wait for a retry.
    seal_key: str = setting("NOTIFY_SEAL_KEY", "dev-only-notify-seal-key", secret=True)
    # Personal data at rest (servicekit.sealing): contacts, each notification's recipient and
    # content, the dev record; the HMAC ring gives the keyed hashes destinations are found by.
    pii_keys: str = setting("NOTIFY_PII_KEYS", _DEV_PII_KEYS, secret=True)
    pii_active_key: str = setting("NOTIFY_PII_ACTIVE_KEY", "dev1")
    lookup_keys: str = setting("NOTIFY_LOOKUP_KEYS", _DEV_LOOKUP_KEYS, secret=True)
    lookup_active_key: str = setting("NOTIFY_LOOKUP_ACTIVE_KEY", "dev1")

    email_provider: str = setting("EMAIL_PROVIDER", "smtp")
    smtp_host: str = setting("SMTP_HOST", "127.0.0.1")
    smtp_port: int = setting("SMTP_PORT", 1025)
    smtp_username: str = setting("SMTP_USERNAME", "")
    smtp_password: str = setting("SMTP_PASSWORD", "")
    smtp_starttls: bool = setting("SMTP_STARTTLS", False)
    smtp_ssl: bool = setting("SMTP_SSL", False)
    smtp_ca_file: str = setting("SMTP_CA_FILE", "")
    smtp_timeout: float = setting("SMTP_TIMEOUT", 10.0)
    mail_from: str = setting("MAIL_FROM", "no-reply@motcua.gov.vn")
    mail_from_name: str = setting("MAIL_FROM_NAME", "Cổng dịch vụ công motcua")

    sms_provider: str = setting("SMS_PROVIDER", "dev")
    sms_sender: str = setting("SMS_SENDER", "MOTCUA")
    sms_without_diacritics: bool = setting("SMS_WITHOUT_DIACRITICS", False)
    sms_url: str = setting("SMS_GATEWAY_URL", "")
    sms_api_key: str = setting("SMS_GATEWAY_API_KEY", "")
    sms_api_key_header: str = setting("SMS_GATEWAY_API_KEY_HEADER", "Authorization")
    sms_api_key_prefix: str = setting("SMS_GATEWAY_API_KEY_PREFIX", "Bearer ")
    sms_payload: str = setting("SMS_GATEWAY_PAYLOAD", "")
    sms_timeout: float = setting("SMS_GATEWAY_TIMEOUT", 10.0)
    # The second gateway, used by SMS_PROVIDER=failover.
    sms2_url: str = setting("SMS_GATEWAY2_URL", "")
    sms2_api_key: str = setting("SMS_GATEWAY2_API_KEY", "")
    sms2_api_key_header: str = setting("SMS_GATEWAY2_API_KEY_HEADER", "Authorization")
    sms2_api_key_prefix: str = setting("SMS_GATEWAY2_API_KEY_PREFIX", "Bearer ")
    sms2_payload: str = setting("SMS_GATEWAY2_PAYLOAD", "")
    sms_failover_threshold: int = setting("SMS_FAILOVER_THRESHOLD", 3)
    sms_failover_cooldown: float = setting("SMS_FAILOVER_COOLDOWN_SECONDS", 300.0)

    delivery_max_attempts: int = setting("DELIVERY_MAX_ATTEMPTS", 5)
    delivery_base_delay: float = setting("DELIVERY_RETRY_BASE_SECONDS", 30.0)
    delivery_backoff_factor: float = setting("DELIVERY_RETRY_FACTOR", 2.0)
    delivery_max_delay: float = setting("DELIVERY_RETRY_MAX_SECONDS", 3600.0)
    # OTP codes live minutes: their retries start sooner.
    otp_retry_base_delay: float = setting("OTP_RETRY_BASE_SECONDS", 5.0)
    delivery_poll_seconds: float = setting("DELIVERY_POLL_SECONDS", 1.0)
    delivery_claim_timeout: float = setting("DELIVERY_CLAIM_TIMEOUT_SECONDS", 300.0)
    # A worker rereads templates after this long: a newly saved version is used within it.
    template_cache_seconds: float = setting("TEMPLATE_CACHE_SECONDS", 10.0)

    def sealer(self) -> Sealer:
        return Sealer.from_specs(self.pii_keys, self.pii_active_key, self.lookup_keys,
                                 self.lookup_active_key)

    @property
    def dev_messages_enabled(self) -> bool:
        """``GET /dev/messages`` and the dev record exist in development and tests only."""
        return self.is_development

    def check(self) -> None:
        super().check()
        if self.email_provider not in EMAIL_PROVIDERS:
            raise ConfigError(f"EMAIL_PROVIDER must be one of {', '.join(EMAIL_PROVIDERS)}")
        if self.sms_provider not in SMS_PROVIDERS:
            raise ConfigError(f"SMS_PROVIDER must be one of {', '.join(SMS_PROVIDERS)}")
        if self.email_provider == "smtp" and not self.smtp_host:
            raise ConfigError("SMTP_HOST is required for EMAIL_PROVIDER=smtp")
        if self.sms_provider in ("http", "failover") and not self.sms_url:
            raise ConfigError("SMS_GATEWAY_URL is required for SMS_PROVIDER=http|failover")
        if self.sms_provider == "failover" and not self.sms2_url:
            raise ConfigError("SMS_GATEWAY2_URL is required for SMS_PROVIDER=failover")
        if self.is_production and "dev" in (self.email_provider, self.sms_provider):
            raise ConfigError("production mode refuses the dev email/SMS providers")
        try:
            self.sealer()
        except PiiKeyError as exc:
            raise ConfigError(f"NOTIFY_PII_* / NOTIFY_LOOKUP_*: {exc}") from exc

    def public_dict(self) -> dict:
        hidden = {"smtp_password", "sms_api_key", "sms2_api_key"}
        return {k: ("***" if k in hidden and v else v) for k, v in super().public_dict().items()}
