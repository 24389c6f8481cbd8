"""Marshmallow base pieces shared by every service's API schemas."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

# Vietnamese defaults for marshmallow's built-in messages; applied once per process by
# :func:`use_vietnamese_messages` (called from the app factory, never at import).
_MESSAGES: dict[type, dict[str, str]] = {
    fields.Field: {
        "required": "Trường này là bắt buộc.",
        "null": "Trường này không được để trống.",
        "validator_failed": "Giá trị không hợp lệ.",
    },
    fields.String: {"invalid": "Phải là chuỗi ký tự.", "invalid_utf8": "Chuỗi không hợp lệ."},
    fields.Integer: {"invalid": "Phải là số nguyên.", "too_large": "Số quá lớn."},
    fields.Number: {"invalid": "Phải là số.", "too_large": "Số quá lớn."},
    fields.Boolean: {"invalid": "Phải là đúng hoặc sai."},
    fields.Date: {"invalid": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
                  "format": "Không định dạng được ngày."},
    fields.DateTime: {"invalid": "Thời điểm không hợp lệ (định dạng ISO 8601)."},
    fields.Email: {"invalid": "Địa chỉ email không hợp lệ."},
    fields.List: {"invalid": "Phải là một danh sách."},
    fields.Dict: {"invalid": "Phải là một đối tượng."},
    fields.Nested: {"type": "Phải là một đối tượng."},
    fields.UUID: {"invalid_uuid": "Mã định danh không hợp lệ."},
}
_SCHEMA_MESSAGES = {
    "unknown": "Trường không được hỗ trợ.",
    "type": "Dữ liệu gửi lên phải là một đối tượng JSON.",
}


def use_vietnamese_messages() -> None:
    """Replace marshmallow's English default messages with Vietnamese ones."""
    for field_class, messages in _MESSAGES.items():
        field_class.default_error_messages = {**field_class.default_error_messages, **messages}
    Schema._default_error_messages = {**Schema._default_error_messages, **_SCHEMA_MESSAGES}


class PageQuerySchema(Schema):
    """``?page=&per_page=`` with sane bounds."""

    # Bounded: a huge page number would overflow the database's 64-bit skip.
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=10_000, error="Số trang phải từ 1 đến 10.000."),
    )
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=100, error="Số mục mỗi trang phải từ 1 đến 100."),
    )


def page_of(items: list, total: int, page: int, per_page: int) -> dict:
    """The paginated response body every list endpoint returns."""
    return {
        "items": items,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": (total + per_page - 1) // per_page,
    }
