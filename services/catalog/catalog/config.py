"""Settings of the catalog service, read once from the environment."""

from __future__ import annotations

import dataclasses

from servicekit.config import ServiceSettings, setting


@dataclasses.dataclass(frozen=True)
class CatalogSettings(ServiceSettings):
    service_name: str = setting("SERVICE_NAME", "catalog")
    mongo_db: str = setting("MONGO_DB", "motcua_catalog")
    s3_endpoint: str = setting("S3_ENDPOINT", "http://127.0.0.1:9000")
    s3_access_key: str = setting("S3_ACCESS_KEY", "motcua-dev", secret=True)
    s3_secret_key: str = setting("S3_SECRET_KEY", "motcua-dev-secret", secret=True)
    s3_bucket: str = setting("S3_BUCKET", "motcua-catalog")
    s3_region: str = setting("S3_REGION", "us-east-1")
