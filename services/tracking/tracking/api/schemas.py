"""Request and response schemas of the tracking API."""
from __future__ import annotations

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from tracking.domain.codes import is_valid_dossier_code, normalize_code
from tracking.domain.privacy import is_valid_cccd, normalize_cccd

CODE_INVALID = ("Mã hồ sơ không đúng định dạng <mã cơ quan>-<yymmdd>-<số thứ tự>, "
                "ví dụ 000.00.31.H29-261128-0001.")
CCCD_INVALID = "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."
ONE_OF = "Vui lòng nhập một trong hai: mã hồ sơ hoặc số định danh cá nhân (CCCD)."


def _valid_code(value: str) -> None:
    if not is_valid_dossier_code(value):
        raise ValidationError(CODE_INVALID)


def _valid_cccd(value: str) -> None:
    if not is_valid_cccd(value):
        raise ValidationError(CCCD_INVALID)


class LookupQuerySchema(Schema):
    code = fields.String(validate=_valid_code, metadata={
        "description": "Mã hồ sơ, ví dụ 000.00.31.H29-261128-0001"})
    cccd = fields.String(validate=_valid_cccd, metadata={
        "description": "Số định danh cá nhân (12 chữ số) của người nộp"})

    @pre_load
    def normalize(self, data, **_kwargs):
        data = dict(data)
        if isinstance(data.get("code"), str):
            data["code"] = normalize_code(data["code"])
        if isinstance(data.get("cccd"), str):
            data["cccd"] = normalize_cccd(data["cccd"])
        return data

    @validates_schema
    def exactly_one(self, data, **_kwargs):
        if ("code" in data) == ("cccd" in data):
            raise ValidationError({"code": [ONE_OF], "cccd": [ONE_OF]})


class LookupProofHeaderSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # every other header

    proof = fields.String(data_key="X-Lookup-Proof", load_default=None, metadata={
        "description": "Mã xác minh tra cứu theo CCCD do identity cấp sau bước OTP "
                       "(POST /api/identity/lookup-proof rồi /lookup-proof/verify)"})


class CodeSchema(Schema):
    code = fields.String(required=True, validate=_valid_code)


class TimelineEntrySchema(Schema):
    occurred_at = fields.DateTime(allow_none=True)
    type = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    status_code = fields.Integer(allow_none=True)
    status_label = fields.String(allow_none=True)
    label = fields.String(allow_none=True, metadata={"description": "Nội dung bước xử lý"})
    reason = fields.String(allow_none=True)


class LookupResultSchema(Schema):
    code = fields.String(allow_none=True)
    procedure_name = fields.String(allow_none=True)
    agency_name = fields.String(allow_none=True)
    applicant_name = fields.String(allow_none=True, metadata={
        "description": "Che một phần với người tra cứu không phải chủ hồ sơ"})
    received_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True, metadata={"description": "Ngày hẹn trả"})
    completed_at = fields.DateTime(allow_none=True)
    status = fields.String(allow_none=True)
    status_code = fields.Integer(allow_none=True)
    status_label = fields.String(allow_none=True)
    overdue = fields.Boolean()
    masked = fields.Boolean()
    timeline = fields.List(fields.Nested(TimelineEntrySchema), metadata={
        "description": "Chỉ có khi người tra cứu là chủ hồ sơ hoặc cán bộ có thẩm quyền"})


class LookupResponseSchema(Schema):
    results = fields.List(fields.Nested(LookupResultSchema), required=True)


class DossierTimelineSchema(Schema):
    code = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    status_code = fields.Integer(allow_none=True)
    status_label = fields.String(allow_none=True)
    timeline = fields.List(fields.Nested(TimelineEntrySchema), required=True)


class StatsQuerySchema(Schema):
    agency = fields.String(validate=validate.Length(min=1, max=64))
    province = fields.String(validate=validate.Regexp(
        r"^\d{2}$", error="Mã tỉnh/thành phố gồm 2 chữ số, ví dụ 79."))
    from_ = fields.Date(data_key="from", metadata={"description": "Từ ngày tiếp nhận (giờ VN)"})
    to = fields.Date(metadata={"description": "Đến ngày tiếp nhận, tính cả ngày này"})

    @validates_schema
    def ordered(self, data, **_kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError({"to": ["Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."]})


class FiguresSchema(Schema):
    received = fields.Integer()
    completed_on_time = fields.Integer()
    completed_late = fields.Integer()
    in_progress = fields.Integer()
    overdue = fields.Integer()
    on_time_rate = fields.Float(allow_none=True, metadata={
        "description": "Đúng hạn / đã xử lý xong (0–1); null khi chưa có hồ sơ xử lý xong"})


class AgencyFiguresSchema(FiguresSchema):
    agency_code = fields.String(allow_none=True)
    agency_name = fields.String(allow_none=True)
    province = fields.String(allow_none=True)


class ProvinceFiguresSchema(FiguresSchema):
    province = fields.String(allow_none=True)


class StatsSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="from", allow_none=True)
    to = fields.Date(allow_none=True)
    agency = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    generated_at = fields.DateTime()
    totals = fields.Nested(FiguresSchema)
    by_agency = fields.List(fields.Nested(AgencyFiguresSchema))
    by_province = fields.List(fields.Nested(ProvinceFiguresSchema))
