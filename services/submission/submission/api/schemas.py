"""Request and response schemas of the submission API (validate and document)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate

from servicekit.schemas import PageQuerySchema
from submission.domain.cccd import cccd_problem
from submission.domain.eform import _PHONE_RE
from submission.domain.model import RETURN_METHODS
from submission.domain.status import Status
from submission.domain.transitions import TRANSITIONS

_STATUSES = [s.value for s in Status]


def _cccd(value: str) -> None:
    problem = cccd_problem(value)
    if problem:
        raise ValidationError(problem)


class CreateDossierSchema(Schema):
    procedure_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    agency_code = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ApplicantSchema(Schema):
    full_name = fields.String(validate=validate.Length(
        min=2, max=100, error="Họ và tên phải từ 2 đến 100 ký tự."), allow_none=True)
    cccd = fields.String(validate=_cccd, allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    phone = fields.String(validate=validate.Regexp(
        _PHONE_RE, error="Số điện thoại Việt Nam không hợp lệ."), allow_none=True)
    email = fields.Email(allow_none=True)
    address = fields.String(validate=validate.Length(max=500), allow_none=True)
    return_method = fields.String(validate=validate.OneOf(
        list(RETURN_METHODS), error="Chọn counter (tại quầy) hoặc postal (bưu chính)."),
        allow_none=True)

    @post_load
    def _dates_as_text(self, data, **_kwargs):
        if data.get("date_of_birth"):
            data["date_of_birth"] = data["date_of_birth"].isoformat()
        if data.get("cccd") and data.get("date_of_birth"):
            from datetime import date

            problem = cccd_problem(data["cccd"], date.fromisoformat(data["date_of_birth"]))
            if problem:
                raise ValidationError({"cccd": [problem]})
        return data


class FiledForSchema(Schema):
    """The person a proxy filing is for (nộp thay): all three are required."""
    full_name = fields.String(required=True, validate=validate.Length(
        min=2, max=100, error="Họ và tên phải từ 2 đến 100 ký tự."))
    cccd = fields.String(required=True, validate=_cccd)
    date_of_birth = fields.Date(required=True)

    @post_load
    def _date_as_text(self, data, **_kwargs):
        data["date_of_birth"] = data["date_of_birth"].isoformat()
        return data


class UpdateDossierSchema(Schema):
    form = fields.Dict(keys=fields.String(), metadata={"description": "Giá trị biểu mẫu"})
    applicant = fields.Nested(ApplicantSchema, metadata={"description": (
        "Liên hệ của người nộp. Họ tên, số định danh, ngày sinh lấy từ tài khoản đã xác thực "
        "(chỉ đọc): gửi giá trị khác thì bị từ chối (422).")})
    filed_for = fields.Nested(FiledForSchema, allow_none=True, metadata={"description": (
        "Nộp thay (chỉ khi đang soạn): người được nộp thay; hồ sơ đứng tên người này, cần "
        "đính kèm văn bản ủy quyền (giay_uy_quyen). null: trở lại nộp cho chính mình.")})
    version = fields.Integer(metadata={"description": "Phiên bản đã đọc (tùy chọn)"})


class AttachmentFormSchema(Schema):
    document_type = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                  metadata={"description": "Mã thành phần hồ sơ, "
                                            "hoặc `result` cho tệp kết quả (cán bộ)"})


class FileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ActionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(
        sorted(a for a in TRANSITIONS if a != "submit"), error="Thao tác không hợp lệ."))
    note = fields.String(validate=validate.Length(max=2000))
    reason = fields.String(validate=validate.Length(max=2000))
    missing_items = fields.List(fields.String(validate=validate.Length(min=1, max=500)))
    documents = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                            validate=validate.Length(max=50), metadata={"description": (
                                "Yêu cầu bổ sung: mã các giấy tờ cần đính kèm thêm")})
    amount = fields.Integer(validate=validate.Range(min=1, error="Số tiền phải lớn hơn 0."))
    receipt_number = fields.String(validate=validate.Length(max=64))
    result = fields.String(validate=validate.Length(max=2000))
    result_file_id = fields.String(validate=validate.Length(max=64))
    return_method = fields.String(validate=validate.OneOf(list(RETURN_METHODS)))
    tracking_number = fields.String(validate=validate.Length(max=64))
    new_due_at = fields.String(metadata={"description": "YYYY-MM-DD hoặc ISO 8601"})
    version = fields.Integer(metadata={"description": "Phiên bản đã đọc (khóa lạc quan)"})
    # request_supplement: what the citizen may change (e-form field names or
    # applicant.<phone|email|address|return_method>). Declared last: the name shadows the
    # marshmallow module for the rest of the class body.
    fields = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                         validate=validate.Length(max=100), metadata={"description": (
                             "Yêu cầu bổ sung: các trường công dân được sửa")})


class WithdrawSchema(Schema):
    reason = fields.String(validate=validate.Length(max=2000))
    version = fields.Integer()


class MyDossiersQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(_STATUSES))


class OfficerQuerySchema(PageQuerySchema):
    # Officers never see drafts: `draft` is not a value of this filter (400, see the route).
    status = fields.String(
        validate=validate.OneOf(
            [s for s in _STATUSES if s != Status.DRAFT.value],
            error="Trạng thái không hợp lệ. Cán bộ không xem được hồ sơ đang soạn (nháp)."),
        metadata={"description": "Trạng thái hồ sơ. `draft` không được chấp nhận (400): hồ "
                                 "sơ nháp chỉ chủ hồ sơ xem được."})
    overdue = fields.Boolean()


class AttachmentSchema(Schema):
    id = fields.String()
    component = fields.String()
    file_name = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    content_type = fields.String()
    uploaded_at = fields.String()
    uploaded_by_role = fields.String()


class DownloadSchema(AttachmentSchema):
    url = fields.String()
    expires_in = fields.Integer()


class DossierSummarySchema(Schema):
    id = fields.String()
    code = fields.String(allow_none=True)
    version = fields.Integer()
    status = fields.String()
    status_code = fields.Integer()
    status_label = fields.String()
    procedure_code = fields.String()
    procedure_name = fields.String()
    procedure_version = fields.Integer(allow_none=True)
    agency_code = fields.String()
    agency_name = fields.String(allow_none=True)
    applicant_name = fields.String(allow_none=True)
    proxy_filing = fields.Boolean(metadata={"description": "Hồ sơ nộp thay (ủy quyền)"})
    filer_name = fields.String(allow_none=True, metadata={
        "description": "Người nộp (chủ tài khoản đã xác thực)"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()


class DossierDetailSchema(DossierSummarySchema):
    applicant = fields.Dict(metadata={"description": "Người đứng tên hồ sơ"})
    filer = fields.Dict(metadata={"description": (
        "Người nộp: danh tính đã xác thực của chủ tài khoản (khác người đứng tên khi nộp thay)")})
    form = fields.Dict()
    eform = fields.Dict()
    components = fields.List(fields.Dict())
    attachments = fields.List(fields.Nested(AttachmentSchema))
    details = fields.Dict()
    extensions = fields.List(fields.Dict())
    history = fields.List(fields.Dict())
    processing_days = fields.Float(allow_none=True)


class DossierPageSchema(Schema):
    items = fields.List(fields.Nested(DossierSummarySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


class CalendarDaySchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(
        ["day_off", "working_day"], error="Chọn day_off (ngày nghỉ) hoặc working_day "
                                          "(ngày làm bù)."))
    note = fields.String(validate=validate.Length(max=200), load_default="")


_HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Giờ phải có dạng HH:MM.")


class CalendarSettingsSchema(Schema):
    windows = fields.List(fields.List(fields.String(validate=_HHMM),
                                      validate=validate.Length(equal=2)),
                          validate=validate.Length(min=1, max=4))
    cutoff = fields.String(validate=_HHMM)
    pause_policy = fields.String(validate=validate.OneOf(["extend", "restart"]))


class CalendarQuerySchema(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class CalendarSchema(Schema):
    year = fields.Integer()
    windows = fields.List(fields.List(fields.String()))
    cutoff = fields.String()
    pause_policy = fields.String()
    public_holidays = fields.List(fields.Dict())
    days = fields.Dict()
