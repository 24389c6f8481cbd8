"""Upload rules: safe names, content-detected types, size limits. Pure functions."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import filetype

from .errors import UploadRefused

DEFAULT_COMPONENT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_DOSSIER_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_ALLOWED_TYPES = ("pdf", "jpg", "png")
MAX_NAME_LENGTH = 200

# Extension → MIME type the content must be detected as.
KNOWN_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "zip": "application/zip",
    "xml": "application/xml",
}
_EQUIVALENT = {"jpeg": "jpg", "tiff": "tif"}


def safe_file_name(raw: str | None) -> str:
    """The name as given, NFC-normalised, if it is safe to store and show; else refuse.

    A name that tries to climb directories or carries control characters is refused
    rather than silently rewritten, so the citizen knows what happened.
    """
    if not raw or not raw.strip():
        raise UploadRefused("Tệp tải lên phải có tên.")
    name = unicodedata.normalize("NFC", raw.strip())
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise UploadRefused("Tên tệp chứa ký tự điều khiển không hợp lệ.")
    if "/" in name or "\\" in name or name.startswith(".") or ".." in name or ":" in name:
        raise UploadRefused("Tên tệp không hợp lệ (không được chứa đường dẫn).")
    if len(name) > MAX_NAME_LENGTH:
        raise UploadRefused(f"Tên tệp dài quá {MAX_NAME_LENGTH} ký tự.")
    if "." not in name:
        raise UploadRefused("Tên tệp phải có phần mở rộng (ví dụ .pdf).")
    return name


def extension_of(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return _EQUIVALENT.get(ext, ext)


def normalise_types(allowed: Iterable[str] | None) -> set[str]:
    types = {t.lower().lstrip(".") for t in (allowed or DEFAULT_ALLOWED_TYPES)}
    return {_EQUIVALENT.get(t, t) for t in types}


def check_type(name: str, detected_mime: str | None, allowed: Iterable[str] | None) -> str:
    """The MIME type to store; refuse unless extension, content and component agree."""
    ext = extension_of(name)
    allowed_types = normalise_types(allowed)
    pretty = ", ".join(sorted(allowed_types))
    if ext not in allowed_types:
        raise UploadRefused(
            f"Loại tệp .{ext} không được chấp nhận cho giấy tờ này (chấp nhận: {pretty}).",
            http_status=415,
        )
    expected = KNOWN_TYPES.get(ext)
    if expected is None or detected_mime != expected:
        raise UploadRefused(
            f"Nội dung tệp không phải định dạng .{ext} như tên tệp cho biết.", http_status=415
        )
    return expected


def check_sizes(size: int, component_max: int | None, dossier_used: int, dossier_max: int) -> None:
    limit = component_max or DEFAULT_COMPONENT_MAX_BYTES
    if size <= 0:
        raise UploadRefused("Tệp tải lên rỗng.")
    if size > limit:
        raise UploadRefused(
            f"Tệp vượt quá dung lượng cho phép {_mb(limit)} của giấy tờ này.", http_status=413
        )
    if dossier_used + size > dossier_max:
        raise UploadRefused(
            f"Tổng dung lượng tệp của hồ sơ vượt quá {_mb(dossier_max)}.", http_status=413
        )


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def detect_mime(head: bytes) -> str | None:
    """MIME type from the first bytes of the content (magic numbers), not the name."""
    kind = filetype.guess(head)
    if kind:
        return kind.mime
    # XML has no magic number: accept a document that starts with its declaration.
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
        return "application/xml"
    return None
