"""Request and response schemas: they validate input and document the API (OpenAPI)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

CHANNELS = validate.OneOf(["sms", "email"], error="Kênh nhận mã chỉ có thể là sms hoặc email.")
SHORT = validate.Length(min=1, max=200, error="Độ dài không hợp lệ.")
CODE = validate.Length(min=6, max=20, error="Mã xác thực không hợp lệ.")


class RegisterSchema(Schema):
    cccd = fields.String(required=True, validate=SHORT, metadata={"example": "001090012345"})
    full_name = fields.String(required=True, validate=SHORT, metadata={"example": "Nguyễn Thị Hoa"})
    date_of_birth = fields.Date(required=True, metadata={"example": "1990-05-01"})
    phone = fields.String(required=True, validate=SHORT, metadata={"example": "0912345678"})
    email = fields.String(required=True, validate=SHORT, metadata={"example": "hoa@example.vn"})
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=256, error="Mật khẩu quá dài.")
    )
    channel = fields.String(load_default="sms", validate=CHANNELS)


class ChallengeSchema(Schema):
    challenge_id = fields.String(required=True)
    channel = fields.String(required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "giây"})


class ContactChallengeSchema(Schema):
    challenge_id = fields.String(required=True)
    channel = fields.String(required=True, metadata={"description": "sms | email"})
    destination = fields.String(
        required=True, metadata={"description": "số điện thoại hoặc email mới, đã che bớt"}
    )
    expires_in = fields.Integer(required=True, metadata={"description": "giây"})
    message = fields.String(required=True)


class VerifySchema(Schema):
    challenge_id = fields.String(required=True, validate=SHORT)
    code = fields.String(required=True, validate=CODE)


class ResendSchema(Schema):
    challenge_id = fields.String(required=True, validate=SHORT)


class RegisteredSchema(Schema):
    user_id = fields.String(required=True)
    message = fields.String(required=True)


class LoginSchema(Schema):
    username = fields.String(
        required=True, validate=SHORT, metadata={"description": "Số CCCD, số điện thoại hoặc email"}
    )
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=256, error="Mật khẩu quá dài.")
    )


class TotpSetupSchema(Schema):
    secret = fields.String(required=True)
    otpauth_uri = fields.String(required=True)
    qr_png = fields.String(required=True, metadata={"description": "data:image/png;base64,…"})


class LoginChallengeSchema(Schema):
    challenge_id = fields.String(required=True)
    method = fields.String(
        required=True, metadata={"description": "sms | email | totp | totp_enrolment"}
    )
    expires_in = fields.Integer()
    totp = fields.Nested(TotpSetupSchema, metadata={"description": "chỉ khi totp_enrolment"})


class TokensSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)
    recovery_codes = fields.List(
        fields.String(), metadata={"description": "chỉ sau khi vừa đăng ký TOTP"}
    )


class RefreshSchema(Schema):
    refresh_token = fields.String(required=True, validate=SHORT)


class ConsentRecordSchema(Schema):
    id = fields.String()
    purpose = fields.String()
    text_version = fields.String()
    granted_at = fields.String()
    revoked_at = fields.String(allow_none=True)


class ProfileSchema(Schema):
    id = fields.String()
    role = fields.String()
    full_name = fields.String(allow_none=True)
    cccd = fields.String(allow_none=True)
    date_of_birth = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    agency = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    otp_channel = fields.String(allow_none=True)
    totp_enabled = fields.Boolean()
    autofill_consent = fields.Boolean()
    consents = fields.List(fields.Nested(ConsentRecordSchema))
    created_at = fields.DateTime()


class ConsentChangeSchema(Schema):
    granted = fields.Boolean(required=True)
    text_version = fields.String(
        load_default=None,
        validate=SHORT,
        metadata={"description": "phiên bản nội dung người dùng đã đọc"},
    )


class ProfilePatchSchema(Schema):
    full_name = fields.String(validate=SHORT)
    phone = fields.String(validate=SHORT)
    email = fields.String(validate=SHORT)
    # required with a new phone or email (step-up before a code goes to the new contact)
    current_password = fields.String(load_only=True, validate=SHORT)
    otp_channel = fields.String(validate=CHANNELS)
    autofill_consent = fields.Nested(ConsentChangeSchema)


class ConsentTextSchema(Schema):
    purpose = fields.String()
    text_version = fields.String()
    text = fields.String()


class PasswordConfirmSchema(Schema):
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=256, error="Mật khẩu quá dài.")
    )


class PasswordChangeSchema(Schema):
    current_password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=256, error="Mật khẩu quá dài.")
    )
    new_password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=256, error="Mật khẩu quá dài.")
    )


class ForgotPasswordSchema(Schema):
    username = fields.String(
        required=True, validate=SHORT, metadata={"description": "Số CCCD, số điện thoại hoặc email"}
    )


class ResetPasswordSchema(Schema):
    challenge_id = fields.String(required=True, validate=SHORT)
    code = fields.String(required=True, validate=CODE)
    new_password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=256, error="Mật khẩu quá dài.")
    )


# TOTP start/confirm/remove requests: identity.api.second_factor


class TotpEnabledSchema(Schema):
    enabled = fields.Boolean()
    recovery_codes = fields.List(fields.String())


class StaffCreateSchema(Schema):
    full_name = fields.String(required=True, validate=SHORT)
    email = fields.String(required=True, validate=SHORT)
    phone = fields.String(load_default=None, validate=SHORT)
    role = fields.String(
        load_default="officer",
        validate=validate.OneOf(["officer", "admin"], error="Vai trò không hợp lệ."),
    )
    agency = fields.String(load_default=None, metadata={"example": "000.00.31.H29"})
    province = fields.String(load_default=None, metadata={"example": "79"})


class StaffSchema(Schema):
    id = fields.String()
    role = fields.String()
    agency = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    initial_password = fields.String(metadata={"description": "chỉ hiển thị một lần"})


class JwksSchema(Schema):
    keys = fields.List(fields.Dict())


class ExportSchema(Schema):
    exported_at = fields.String()
    profile = fields.Nested(ProfileSchema)
    second_factor = fields.Dict()
    sessions = fields.List(fields.Dict())
    activity = fields.List(fields.Dict())
