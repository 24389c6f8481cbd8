"""Attachment bytes in the S3 store (MinIO in production). The only module importing minio."""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import BinaryIO
from urllib.parse import quote, urlparse

from minio import Minio
from minio.error import MinioException, S3Error
from urllib3.exceptions import HTTPError


class StorageUnavailable(Exception):
    """The S3 store could not be reached or refused the operation (HTTP 503)."""


def _guarded(operation):
    """Turn the client's transport and server errors into StorageUnavailable."""

    @functools.wraps(operation)
    def wrapper(*args, **kwargs):
        try:
            return operation(*args, **kwargs)
        except (MinioException, HTTPError, OSError) as exc:
            raise StorageUnavailable(f"{type(exc).__name__}: {exc}") from exc

    return wrapper


class HashingReader:
    """Wraps a stream so the sha256 is computed while the bytes go to the store."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.digest.update(chunk)
        return chunk

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()


class AttachmentStore:
    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str,
                 region: str = "us-east-1") -> None:
        url = urlparse(endpoint)
        self.bucket = bucket
        self.client = Minio(url.netloc, access_key=access_key, secret_key=secret_key,
                            secure=url.scheme == "https", region=region)

    @classmethod
    def from_settings(cls, settings) -> AttachmentStore:
        return cls(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key,
                   settings.s3_bucket, settings.s3_region)

    def ensure_bucket(self) -> None:
        if not self.client.bucket_exists(self.bucket):
            try:
                self.client.make_bucket(self.bucket)
            except S3Error as exc:  # another replica created it first
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    def check(self) -> None:
        """Readiness: raises when the store or the bucket is unreachable."""
        if not self.client.bucket_exists(self.bucket):
            raise RuntimeError("bucket missing")

    @_guarded
    def put(self, key: str, stream: BinaryIO, length: int, content_type: str) -> str:
        """Stream `length` bytes to `key`; return their sha256."""
        reader = HashingReader(stream)
        self.client.put_object(self.bucket, key, reader, length, content_type=content_type,
                               part_size=10 * 1024 * 1024)
        return reader.sha256

    @_guarded
    def open(self, key: str) -> Iterator[bytes]:
        """Open the object now (so a failure is a 503, not a broken stream); yield chunks."""
        response = self.client.get_object(self.bucket, key)

        def chunks():
            try:
                yield from response.stream(64 * 1024)
            finally:
                response.close()
                response.release_conn()

        return chunks()

    @_guarded
    def download_url(self, key: str, seconds: int, file_name: str, content_type: str) -> str:
        disposition = f"attachment; filename*=UTF-8''{quote(file_name, safe='')}"
        return self.client.presigned_get_object(
            self.bucket, key, expires=timedelta(seconds=seconds),
            response_headers={"response-content-disposition": disposition,
                              "response-content-type": content_type})

    def exists(self, key: str) -> bool:
        try:
            self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject", "NotFound"):
                return False
            raise
        return True

    @_guarded
    def remove(self, key: str) -> None:
        self.client.remove_object(self.bucket, key)
