"""HTTP for the second factor (authenticator app, TOTP): enrol, confirm, remove; an admin's
reset of a staff member's enrolment. Every change is a step-up (see ``identity.stepup``)."""

from __future__ import annotations

from flask import current_app, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from identity import twofactor
from identity.api.schemas import CODE, SHORT, TotpEnabledSchema, TotpSetupSchema
from servicekit.auth import current_claims, require_auth

blp = Blueprint(
    "second_factor",
    __name__,
    description="Ứng dụng xác thực (TOTP): mọi thay đổi cần mật khẩu và mã gửi tới điện thoại "
    "hoặc email của tài khoản",
)
SECURED = [{"bearerAuth": []}]
PASSWORD = validate.Length(min=1, max=256, error="Mật khẩu không hợp lệ.")
NEED_PASSWORD = "Vui lòng nhập mật khẩu hiện tại."


class StepUpChallengeSchema(Schema):
    challenge_id = fields.String(required=True)
    channel = fields.String(required=True, metadata={"description": "sms | email"})
    destination = fields.String(
        required=True, metadata={"description": "số điện thoại hoặc email của tài khoản, che bớt"}
    )
    expires_in = fields.Integer(required=True, metadata={"description": "giây"})
    message = fields.String(required=True)


class TotpStartSchema(Schema):
    password = fields.String(
        required=True,
        load_only=True,
        validate=PASSWORD,
        error_messages={"required": NEED_PASSWORD},
    )
    current_code = fields.String(
        load_default=None, validate=CODE, metadata={"description": "bắt buộc khi đã có TOTP"}
    )


class TotpSetupChallengeSchema(TotpSetupSchema, StepUpChallengeSchema):
    """The new secret (QR) and the code sent to the account's contact, to confirm with."""


class TotpConfirmSchema(Schema):
    challenge_id = fields.String(required=True, validate=SHORT)
    otp = fields.String(
        required=True, validate=CODE, metadata={"description": "mã gửi tới điện thoại/email"}
    )
    code = fields.String(
        required=True, validate=CODE, metadata={"description": "mã từ ứng dụng xác thực mới"}
    )


class TotpRemoveSchema(Schema):
    password = fields.String(load_only=True, validate=PASSWORD)
    challenge_id = fields.String(validate=SHORT)
    otp = fields.String(validate=CODE, metadata={"description": "mã gửi tới điện thoại/email"})

    @validates_schema
    def password_or_code(self, data: dict, **_kwargs) -> None:
        if "challenge_id" in data:
            if "otp" not in data:
                raise ValidationError("Vui lòng nhập mã xác thực đã gửi tới bạn.", "otp")
        elif "password" not in data:
            raise ValidationError(NEED_PASSWORD, "password")


class StaffTotpResetSchema(Schema):
    password = fields.String(
        required=True, load_only=True, validate=PASSWORD, metadata={"description": "của quản trị"}
    )
    code = fields.String(
        required=True, validate=CODE, metadata={"description": "mã TOTP của quản trị viên"}
    )


def _svc():
    return current_app.extensions["identity"]


def _me() -> tuple[str, str | None]:
    claims = current_claims()
    return claims["sub"], claims.get("sid")


@blp.route("/me/totp")
class MeTotp(MethodView):
    @require_auth()
    @blp.arguments(TotpStartSchema)
    @blp.response(200, TotpSetupChallengeSchema)
    @blp.doc(security=SECURED)
    def post(self, body):
        """Bắt đầu đăng ký ứng dụng xác thực: mật khẩu, rồi mã gửi tới điện thoại/email

        Trả về khoá bí mật, URI otpauth, mã QR và yêu cầu xác thực (mã đã gửi tới liên hệ của
        tài khoản); xác nhận bằng `POST /me/totp/confirm`.
        """
        user_id, _ = _me()
        return twofactor.start_totp(_svc(), twofactor.StartTotp(user_id, **body))

    @require_auth()
    @blp.arguments(TotpRemoveSchema)
    @blp.response(204)
    @blp.alt_response(
        202,
        schema=StepUpChallengeSchema,
        description="Mật khẩu đúng: mã xác thực đã gửi tới điện thoại/email của tài khoản",
        success=True,
    )
    @blp.doc(security=SECURED)
    def delete(self, body):
        """Gỡ ứng dụng xác thực (công dân): gửi mật khẩu, rồi gửi mã nhận được

        Lần 1 `{password}` → 202 cùng yêu cầu xác thực; lần 2 `{challenge_id, otp}` → 204.
        Các phiên đăng nhập khác kết thúc.
        """
        user_id, sid = _me()
        sent = twofactor.remove_totp(
            _svc(), twofactor.RemoveTotp(user_id, **body, session_id=sid)
        )
        if sent is not None:
            return jsonify(StepUpChallengeSchema().dump(sent)), 202
        return None


@blp.route("/me/totp/confirm")
class MeTotpConfirm(MethodView):
    @require_auth()
    @blp.arguments(TotpConfirmSchema)
    @blp.response(200, TotpEnabledSchema)
    @blp.doc(security=SECURED)
    def post(self, body):
        """Xác nhận: mã gửi tới điện thoại/email và một mã từ ứng dụng; trả mã khôi phục

        Các phiên đăng nhập khác kết thúc; chủ tài khoản nhận thông báo bảo mật.
        """
        user_id, sid = _me()
        return twofactor.confirm_totp(
            _svc(), twofactor.ConfirmTotp(user_id, **body, session_id=sid)
        )


@blp.route("/officers/<staff_id>/totp")
class StaffTotp(MethodView):
    @require_auth("admin")
    @blp.arguments(StaffTotpResetSchema)
    @blp.response(204)
    @blp.doc(security=SECURED)
    def delete(self, body, staff_id):
        """Quản trị viên đặt lại ứng dụng xác thực của cán bộ (mất điện thoại)

        Cần mật khẩu và mã TOTP của quản trị viên. Mọi phiên của cán bộ kết thúc; lần đăng
        nhập sau cán bộ đăng ký ứng dụng mới.
        """
        admin_id, _ = _me()
        twofactor.reset_staff_totp(
            _svc(), twofactor.ResetStaffTotp(admin_id, staff_id, body["password"], body["code"])
        )
