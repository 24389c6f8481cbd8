"""HTTP schemas of notify (validation and OpenAPI in one place)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from notify.domain.events import EVENT_SPECS
from notify.domain.templates import Channel
from servicekit.schemas import PageQuerySchema


class InboxQuerySchema(PageQuerySchema):
    unread = fields.Boolean(load_default=False, metadata={"description": "Chỉ thông báo chưa đọc"})


class InboxEntrySchema(Schema):
    id = fields.String(required=True)
    event_type = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    read = fields.Boolean(required=True)
    read_at = fields.DateTime(allow_none=True)


class InboxPageSchema(Schema):
    items = fields.List(fields.Nested(InboxEntrySchema), required=True)
    total = fields.Integer(required=True)
    unread = fields.Integer(required=True, metadata={"description": "Tổng số chưa đọc"})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class MarkAllReadSchema(Schema):
    ids = fields.List(
        fields.String(),
        load_default=list,
        metadata={"description": "Các thông báo cần đánh dấu; bỏ trống = tất cả"},
    )
    read = fields.Boolean(
        required=True, validate=validate.Equal(True, error="Chỉ hỗ trợ đánh dấu đã đọc.")
    )


class MarkedSchema(Schema):
    updated = fields.Integer(required=True)


class EntryUpdateSchema(Schema):
    read = fields.Boolean(required=True)


class PreferencesSchema(Schema):
    email = fields.Boolean(required=True)
    sms = fields.Boolean(required=True)
    in_app = fields.Boolean(required=True)
    otp = fields.Boolean(
        dump_only=True,
        dump_default=True,
        metadata={"description": "Mã OTP luôn được gửi, không tắt được"},
    )


class PreferencesPatchSchema(Schema):
    email = fields.Boolean()
    sms = fields.Boolean()
    in_app = fields.Boolean()


class DevMessagesQuerySchema(Schema):
    to = fields.String(load_default=None, metadata={"description": "Số điện thoại hoặc email"})


class DevMessageSchema(Schema):
    channel = fields.String(required=True)
    to = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    sent_at = fields.DateTime(required=True)


class DevMessagesSchema(Schema):
    messages = fields.List(fields.Nested(DevMessageSchema), required=True)


class TemplateSchema(Schema):
    event_type = fields.String(
        required=True,
        validate=validate.OneOf(sorted(EVENT_SPECS), error="Loại sự kiện không hỗ trợ."),
    )
    channel = fields.String(
        required=True,
        validate=validate.OneOf([str(c) for c in Channel], error="Kênh không hỗ trợ."),
    )
    subject = fields.String(load_default="")
    text = fields.String(required=True)
    html = fields.String(load_default="")
    version = fields.Integer(dump_only=True)
    placeholders = fields.List(
        fields.String(), dump_only=True, metadata={"description": "Biến sự kiện cung cấp"}
    )


class TemplateListSchema(Schema):
    templates = fields.List(fields.Nested(TemplateSchema), required=True)
