"""Request and response schemas (marshmallow 4); they validate input and document the API."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate

from catalog.domain.agency import AGENCY_KINDS
from catalog.domain.eform import FIELD_TYPES
from catalog.domain.procedure import CHANNELS, LEVELS, ONLINE_MODES
from servicekit.schemas import PageQuerySchema


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """``{"eform": {"fields": {1: {"type": [..]}}}}`` → ``{"eform.fields.1.type": [..]}``,
    the same paths the domain rules use."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            flat.update(flatten_messages(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": messages}
    return {prefix or "_schema": [str(messages)]}


class FlatErrorsSchema(Schema):
    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any):
        raise ValidationError(flatten_messages(error.messages))


TEXT = fields.String
TEXTS = lambda **kw: fields.List(fields.String(), **kw)  # noqa: E731


class OptionSchema(Schema):
    value = fields.String(required=True)
    label = fields.String(required=True)


class EFormFieldSchema(Schema):
    name = fields.String(required=True)
    type = fields.String(
        required=True,
        validate=validate.OneOf(
            FIELD_TYPES, error="Kiểu trường '{input}' không được hỗ trợ; dùng một trong: {choices}."
        ),
    )
    label = fields.String(required=True)
    help = fields.String()
    placeholder = fields.String()
    section = fields.String()
    required = fields.Boolean(load_default=False)
    min = fields.Raw(metadata={"description": 'số, ngày YYYY-MM-DD, "today" hoặc độ dài'})
    max = fields.Raw(metadata={"description": 'số, ngày YYYY-MM-DD, "today" hoặc độ dài'})
    pattern = fields.String()
    options = fields.List(fields.Nested(OptionSchema))
    prefill = fields.String(
        metadata={
            "description": "trường hồ sơ công dân: full_name, date_of_birth, cccd, phone, email, "
            "address"
        }
    )


class EFormSchema(Schema):
    fields_ = fields.List(
        fields.Nested(EFormFieldSchema), required=True, data_key="fields", attribute="fields"
    )


class MethodSchema(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    processing_days = fields.Float(
        allow_none=True, load_default=None, metadata={"description": "ngày làm việc"}
    )
    processing_time_text = fields.String(load_default="")
    fee_vnd = fields.Integer(allow_none=True, load_default=None)
    fee_text = fields.String(load_default="")
    description = fields.String(load_default="")


class ComponentSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    required = fields.Boolean(required=True)
    copies_original = fields.Integer(load_default=1)
    copies_copy = fields.Integer(load_default=0)
    copies_text = fields.String()
    file_types = TEXTS(load_default=lambda: ["pdf", "jpg", "jpeg", "png"])
    max_size_mb = fields.Float(load_default=10)
    template = fields.String(allow_none=True)
    note = fields.String()


class TemplateFileSchema(Schema):
    id = fields.String()
    title = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    path = fields.String(metadata={"description": "đường dẫn tải về, tính từ gốc API catalog"})


class ComponentOutSchema(ComponentSchema):
    template_file = fields.Nested(TemplateFileSchema, allow_none=True)


class RelatedSchema(Schema):
    prerequisites = TEXTS(load_default=list)
    next_steps = TEXTS(load_default=list)
    part_of = TEXTS(load_default=list)
    sub_procedures = TEXTS(load_default=list)


class SourceSchema(Schema):
    name = fields.String()
    url = fields.String()
    last_updated = fields.String()


class ProcedureInputSchema(FlatErrorsSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    field = fields.String(required=True)
    kind = fields.String(load_default="")
    government_level = fields.String(load_default="")
    level = fields.Integer(required=True, validate=validate.OneOf(LEVELS))
    online_mode = fields.String(required=True, validate=validate.OneOf(ONLINE_MODES))
    applicants = TEXTS(required=True)
    conditions = TEXTS(load_default=list)
    components = fields.List(fields.Nested(ComponentSchema), load_default=list)
    steps = TEXTS(required=True)
    notes = TEXTS(load_default=list)
    performing_authority = fields.String(load_default="")
    agencies = TEXTS(required=True)
    methods = fields.List(fields.Nested(MethodSchema), required=True)
    result = fields.String(load_default="")
    legal_basis = TEXTS(load_default=list)
    keywords = TEXTS(load_default=list)
    related = fields.Nested(RelatedSchema)
    life_events = TEXTS()
    source = fields.Nested(SourceSchema)
    source_note = fields.String(allow_none=True)
    eform = fields.Nested(EFormSchema, allow_none=True, load_default=None)


class AgencyRefSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()


class ProcedureSchema(ProcedureInputSchema):
    components = fields.List(fields.Nested(ComponentOutSchema))
    version = fields.Integer()
    status = fields.String()
    published_at = fields.String()
    processing_days = fields.Float(allow_none=True)
    performing_agencies = fields.List(fields.Nested(AgencyRefSchema))
    published_versions = fields.List(fields.Integer())
    latest_published_version = fields.Integer()


class ProcedureQuerySchema(PageQuerySchema):
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "từ khóa hoặc mã thủ tục, không phân biệt dấu và hoa/thường"},
    )
    agency = fields.String(metadata={"description": "mã định danh cơ quan thực hiện"})
    province = fields.String(metadata={"description": "mã tỉnh/thành phố (2 chữ số)"})
    field = fields.String(metadata={"description": "lĩnh vực"})
    level = fields.Integer(validate=validate.OneOf(LEVELS))


class VersionQuerySchema(Schema):
    version = fields.Integer(validate=validate.Range(min=1))


class ProcedureSummarySchema(Schema):
    code = fields.String()
    name = fields.String()
    field = fields.String()
    level = fields.Integer()
    online_mode = fields.String()
    version = fields.Integer()
    published_at = fields.String()
    processing_days = fields.Float(allow_none=True)
    fee_min_vnd = fields.Integer(allow_none=True)
    channels = TEXTS()
    agency_count = fields.Integer()
    provinces = TEXTS()
    match = fields.String(
        allow_none=True,
        metadata={"description": "exact_code | name_prefix | name_words | keywords"},
    )


class PageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


class ProcedurePageSchema(PageSchema):
    items = fields.List(fields.Nested(ProcedureSummarySchema))


class VersionEntrySchema(Schema):
    version = fields.Integer()
    status = fields.String()
    created_at = fields.String()
    updated_at = fields.String()
    published_at = fields.String(allow_none=True)
    definition = fields.Dict()


class ProcedureVersionsSchema(Schema):
    code = fields.String()
    latest_version = fields.Integer()
    published_version = fields.Integer(allow_none=True)
    versions = fields.List(fields.Nested(VersionEntrySchema))


class AgencyInputSchema(FlatErrorsSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(AGENCY_KINDS))
    province = fields.String(allow_none=True, load_default=None)
    parent = fields.String(allow_none=True, load_default=None)
    address = fields.String(allow_none=True, load_default=None)
    phone = fields.String(allow_none=True, load_default=None)
    email = fields.Email(allow_none=True, load_default=None)
    website = fields.String(allow_none=True, load_default=None)
    active = fields.Boolean(load_default=True)
    source_note = fields.String(allow_none=True, load_default=None)


class AgencySchema(AgencyInputSchema):
    ancestors = TEXTS()
    depth = fields.Integer()


class AgencyDetailSchema(AgencySchema):
    ancestors = fields.List(fields.Nested(AgencyRefSchema))
    children = fields.List(fields.Nested(AgencyRefSchema))
    province_name = fields.String(allow_none=True)


class AgencyQuerySchema(PageQuerySchema):
    province = fields.String()
    kind = fields.String(validate=validate.OneOf(AGENCY_KINDS))
    parent = fields.String(metadata={"description": "chỉ các cơ quan trực thuộc trực tiếp"})
    under = fields.String(metadata={"description": "mọi cơ quan cấp dưới (cây con)"})
    depth = fields.Integer(validate=validate.Range(min=1, max=4))
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "tên cơ quan, không phân biệt dấu"},
    )


class AgencyPageSchema(PageSchema):
    items = fields.List(fields.Nested(AgencySchema))


class AgencyListSchema(Schema):
    items = fields.List(fields.Nested(AgencySchema))


class ProvinceSchema(Schema):
    code = fields.String()
    name = fields.String()
    short_name = fields.String()
    kind = fields.String()
    agency_code = fields.String(allow_none=True)


class ProvinceListSchema(Schema):
    items = fields.List(fields.Nested(ProvinceSchema))


TEMPLATE_ID = r"^[a-z0-9][a-z0-9-]{2,80}$"


class TemplateFormSchema(FlatErrorsSchema):
    id = fields.String(
        required=True,
        validate=validate.Regexp(
            TEMPLATE_ID, error="Mã mẫu đơn gồm chữ thường, số và '-' (3–81 ký tự)."
        ),
    )
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    form_ref = fields.String(load_default="")


class TemplateUploadSchema(Schema):
    file = Upload(required=True)


class TemplateSchema(Schema):
    id = fields.String()
    title = fields.String()
    filename = fields.String()
    form_ref = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
