"""Form template files in the S3 store (MinIO in production, moto locally).

The only module that imports ``minio``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

from minio import Minio
from minio.error import S3Error

from catalog.config import CatalogSettings

CHUNK_BYTES = 64 * 1024


class ObjectMissing(LookupError):
    """No object under that key."""


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str
    chunks: Iterator[bytes]


class TemplateStorage:
    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: CatalogSettings) -> TemplateStorage:
        url = urlparse(settings.s3_endpoint)
        client = Minio(
            url.netloc or url.path,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            secure=url.scheme == "https",
            region=settings.s3_region,
        )
        return cls(client, settings.s3_bucket)

    def ensure_bucket(self) -> None:
        if not self.client.bucket_exists(self.bucket):
            self.client.make_bucket(self.bucket)

    def check(self) -> None:
        """Readiness: raises when the store cannot be reached."""
        self.client.bucket_exists(self.bucket)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            self.bucket, key, io.BytesIO(data), len(data), content_type=content_type
        )

    def open(self, key: str) -> StoredObject:
        """Stream an object; the connection is released when the chunks are exhausted."""
        try:
            response = self.client.get_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in {"NoSuchKey", "NoSuchBucket"}:
                raise ObjectMissing(key) from exc
            raise

        def chunks() -> Iterator[bytes]:
            try:
                yield from response.stream(CHUNK_BYTES)
            finally:
                response.close()
                response.release_conn()

        return StoredObject(
            size=int(response.headers.get("Content-Length", 0)),
            content_type=response.headers.get("Content-Type", "application/octet-stream"),
            chunks=chunks(),
        )
