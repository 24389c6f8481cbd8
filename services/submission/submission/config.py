"""Settings of the submission service, read once from the environment."""
from __future__ import annotations

import dataclasses

from servicekit.config import ConfigError, ServiceSettings, setting
from servicekit.sealing import PiiKeyError, Sealer
from submission.domain.calendar import PausePolicy

# Development key rings (production refuses them): "<key id>:<base64url 32-byte key>,...".
_DEV_PII_KEYS = "dev1:4E0l-qux8AasH3pv0gWjO5GRTF1eDZQacEfnJQ9i_1w"
_DEV_LOOKUP_KEYS = "dev1:qBPPoI4qiq8vitRDXvuVemPlUhscIkLnXWE4_0h7KC4"


@dataclasses.dataclass(frozen=True)
class SubmissionSettings(ServiceSettings):
    service_name: str = setting("SERVICE_NAME", "submission")
    mongo_db: str = setting("MONGO_DB", "motcua_submission")
    s3_endpoint: str = setting("S3_ENDPOINT", "http://127.0.0.1:9000")
    s3_access_key: str = setting("S3_ACCESS_KEY", "motcua-dev", secret=True)
    s3_secret_key: str = setting("S3_SECRET_KEY", "motcua-dev-secret", secret=True)
    s3_bucket: str = setting("S3_BUCKET", "motcua-submission")
    s3_region: str = setting("S3_REGION", "us-east-1")
    # catalog lets a component allow up to 50 MB (drawings); the body must fit one such file
    max_body_bytes: int = setting("MAX_BODY_BYTES", 51 * 1024 * 1024)
    # Presigned download links live at most 10 minutes (issue 5).
    download_url_seconds: int = setting("SUBMISSION_DOWNLOAD_URL_SECONDS", 300)
    component_max_bytes: int = setting("SUBMISSION_COMPONENT_MAX_BYTES", 10 * 1024 * 1024)
    dossier_max_bytes: int = setting("SUBMISSION_DOSSIER_MAX_BYTES", 50 * 1024 * 1024)
    draft_retention_days: int = setting("SUBMISSION_DRAFT_RETENTION_DAYS", 30)
    retention_interval_seconds: float = setting("SUBMISSION_RETENTION_INTERVAL_SECONDS", 3600.0)
    idempotency_hours: int = setting("SUBMISSION_IDEMPOTENCY_HOURS", 24)
    # A key reserved by a request that died (killed replica) is taken over after this; it
    # must be longer than any request may run (gunicorn's timeout is 30 s).
    idempotency_lease_seconds: int = setting("SUBMISSION_IDEMPOTENCY_LEASE_SECONDS", 120)
    # Public page that shows a dossier's status; the receipt's QR code points there.
    tracking_url: str = setting("SUBMISSION_TRACKING_URL",
                                "http://127.0.0.1:8080/tra-cuu?code={code}")
    # Default supplement pause rule when an administrator has not chosen one.
    pause_policy: str = setting("SUBMISSION_PAUSE_POLICY", PausePolicy.EXTEND.value)
    font_dir: str = setting("SUBMISSION_FONT_DIR", "/usr/share/fonts/truetype/dejavu")
    # Structure checks of uploads (domain/content.py): Office files are zips, and a zip is
    # inflated within these bounds (a "zip bomb" expands to gigabytes from kilobytes).
    zip_max_members: int = setting("SUBMISSION_ZIP_MAX_MEMBERS", 1000)
    zip_max_expanded_bytes: int = setting("SUBMISSION_ZIP_MAX_EXPANDED_BYTES", 50 * 1024 * 1024)
    zip_max_ratio: int = setting("SUBMISSION_ZIP_MAX_RATIO", 100)
    image_max_pixels: int = setting("SUBMISSION_IMAGE_MAX_PIXELS", 50_000_000)
    # Virus scanning (scanning.py): empty = off; "host:port" of a clamd daemon switches it on.
    clamd_address: str = setting("CLAMD_ADDRESS", "")
    clamd_timeout_seconds: float = setting("CLAMD_TIMEOUT_SECONDS", 10.0)
    # Personal data at rest (servicekit.sealing): AES-256-GCM ring for the applicant, personal
    # form values, profile copies, stored answers and outbox bodies; HMAC ring for lookups.
    pii_keys: str = setting("SUBMISSION_PII_KEYS", _DEV_PII_KEYS, secret=True)
    pii_active_key: str = setting("SUBMISSION_PII_ACTIVE_KEY", "dev1")
    lookup_keys: str = setting("SUBMISSION_LOOKUP_KEYS", _DEV_LOOKUP_KEYS, secret=True)
    lookup_active_key: str = setting("SUBMISSION_LOOKUP_ACTIVE_KEY", "dev1")

    def sealer(self) -> Sealer:
        return Sealer.from_specs(self.pii_keys, self.pii_active_key, self.lookup_keys,
                                 self.lookup_active_key)

    def check(self) -> None:
        super().check()
        if self.pause_policy not in {p.value for p in PausePolicy}:
            raise ConfigError("SUBMISSION_PAUSE_POLICY must be 'extend' or 'restart'")
        if not 0 < self.download_url_seconds <= 600:
            raise ConfigError("SUBMISSION_DOWNLOAD_URL_SECONDS must be between 1 and 600")
        if self.clamd_address.strip():
            host, _, port = self.clamd_address.strip().rpartition(":")
            if not host or not port.isdigit():
                raise ConfigError("CLAMD_ADDRESS must be host:port (or empty: no scanning)")
        try:
            self.sealer()
        except PiiKeyError as exc:
            raise ConfigError(f"SUBMISSION_PII_* / SUBMISSION_LOOKUP_*: {exc}") from exc
