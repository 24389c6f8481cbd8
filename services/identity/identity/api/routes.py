"""HTTP only: turn requests into handler calls. Mounted at ``/api/identity/`` by the gateway."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from identity import handlers, profile, recovery, sessions
from identity.api import schemas as s
from identity.bootstrap import Services
from servicekit.auth import current_claims, require_auth

blp = Blueprint("identity", __name__, description="Định danh, đăng nhập và hồ sơ cá nhân")
SECURED = [{"bearerAuth": []}]


def svc() -> Services:
    return current_app.extensions["identity"]


def me() -> str:
    return current_claims()["sub"]


@blp.route("/register")
class Register(MethodView):
    @blp.arguments(s.RegisterSchema)
    @blp.response(202, s.ChallengeSchema)
    def post(self, body):
        """Đăng ký tài khoản công dân; mã OTP được gửi qua SMS (mặc định) hoặc email"""
        return handlers.register(svc(), handlers.Register(**body, ip=request.remote_addr))


@blp.route("/register/verify")
class RegisterVerify(MethodView):
    @blp.arguments(s.VerifySchema)
    @blp.response(201, s.RegisteredSchema)
    def post(self, body):
        """Xác nhận đăng ký bằng mã OTP"""
        return handlers.verify_registration(svc(), handlers.VerifyRegistration(**body))


@blp.route("/otp/resend")
class ResendOtp(MethodView):
    @blp.arguments(s.ResendSchema)
    @blp.response(202, s.ChallengeSchema)
    def post(self, body):
        """Gửi lại mã OTP (mã cũ mất hiệu lực; chờ 60 giây giữa hai lần gửi)"""
        return handlers.resend_code(svc(), handlers.ResendCode(**body, ip=request.remote_addr))


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(s.LoginSchema)
    @blp.response(200, s.LoginChallengeSchema)
    def post(self, body):
        """Đăng nhập bằng số CCCD, số điện thoại hoặc email và mật khẩu"""
        return handlers.login(svc(), handlers.Login(**body, ip=request.remote_addr))


@blp.route("/login/verify")
class LoginVerify(MethodView):
    @blp.arguments(s.VerifySchema)
    @blp.response(200, s.TokensSchema)
    def post(self, body):
        """Hoàn tất đăng nhập bằng mã OTP, mã TOTP hoặc mã khôi phục"""
        return handlers.verify_login(svc(), handlers.VerifyLogin(**body))


@blp.route("/password/forgot")
class PasswordForgot(MethodView):
    @blp.arguments(s.ForgotPasswordSchema)
    @blp.response(202, s.ChallengeSchema)
    def post(self, body):
        """Quên mật khẩu: gửi mã xác thực tới điện thoại hoặc email của tài khoản"""
        return recovery.forgot_password(
            svc(), recovery.ForgotPassword(**body, ip=request.remote_addr)
        )


@blp.route("/password/reset")
class PasswordReset(MethodView):
    @blp.arguments(s.ResetPasswordSchema)
    @blp.response(204)
    def post(self, body):
        """Đặt mật khẩu mới bằng mã xác thực (mọi phiên đăng nhập kết thúc)"""
        recovery.reset_password(svc(), recovery.ResetPassword(**body, ip=request.remote_addr))


@blp.route("/token/refresh")
class TokenRefresh(MethodView):
    @blp.arguments(s.RefreshSchema)
    @blp.response(200, s.TokensSchema)
    def post(self, body):
        """Đổi refresh token lấy cặp token mới (token cũ không dùng lại được)"""
        return sessions.refresh_tokens(svc(), sessions.RefreshTokens(**body))


@blp.route("/logout")
class Logout(MethodView):
    @blp.arguments(s.RefreshSchema)
    @blp.response(204)
    def post(self, body):
        """Đăng xuất: thu hồi phiên của refresh token (và của access token đi kèm, nếu có)"""
        sid = (current_claims() or {}).get("sid")
        sessions.logout(svc(), sessions.Logout(**body, session_id=sid))


@blp.route("/me")
class Me(MethodView):
    @require_auth()
    @blp.response(200, s.ProfileSchema)
    @blp.doc(security=SECURED)
    def get(self):
        """Hồ sơ cá nhân"""
        return profile.get_profile(svc(), me())

    @require_auth()
    @blp.arguments(s.ProfilePatchSchema)
    @blp.response(200, s.ProfileSchema)
    @blp.alt_response(
        202,
        schema=s.ContactChallengeSchema,
        description="Số điện thoại hoặc email mới chờ xác nhận bằng mã gửi tới nó",
        success=True,
    )
    @blp.doc(security=SECURED)
    def patch(self, body):
        """Cập nhật hồ sơ, kênh nhận OTP, đồng ý/thu hồi đồng ý tự động điền biểu mẫu

        Số điện thoại hoặc email mới (mỗi lần một mục) chỉ có hiệu lực sau khi xác nhận mã
        gửi tới nó qua `POST /me/contact/verify`; khi đó trả về 202 cùng yêu cầu xác thực.
        """
        result = profile.update_profile(svc(), profile.UpdateProfile(me(), body))
        if "challenge_id" in result:
            return jsonify(s.ContactChallengeSchema().dump(result)), 202
        return result

    @require_auth()
    @blp.arguments(s.PasswordConfirmSchema)
    @blp.response(204)
    @blp.doc(security=SECURED)
    def delete(self, body):
        """Xoá tài khoản và dữ liệu cá nhân (cần nhập lại mật khẩu)"""
        profile.delete_account(svc(), profile.DeleteAccount(me(), body["password"]))


@blp.route("/me/contact/verify")
class MeContactVerify(MethodView):
    @require_auth()
    @blp.arguments(s.VerifySchema)
    @blp.response(200, s.ProfileSchema)
    @blp.doc(security=SECURED)
    def post(self, body):
        """Xác nhận số điện thoại hoặc email mới bằng mã đã gửi tới nó; thay đổi có hiệu lực"""
        return profile.verify_contact_change(
            svc(), profile.VerifyContactChange(me(), body["challenge_id"], body["code"])
        )


@blp.route("/me/password")
class MePassword(MethodView):
    @require_auth()
    @blp.arguments(s.PasswordChangeSchema)
    @blp.response(204)
    @blp.doc(security=SECURED)
    def post(self, body):
        """Đổi mật khẩu (mọi phiên đăng nhập khác kết thúc)"""
        profile.change_password(svc(), profile.ChangePassword(me(), **body))


@blp.route("/me/export")
class MeExport(MethodView):
    @require_auth()
    @blp.response(200, s.ExportSchema)
    @blp.doc(security=SECURED)
    def get(self):
        """Tải về toàn bộ dữ liệu hệ thống lưu về bạn (JSON)"""
        return profile.export_profile(svc(), me())


# /me/totp, /me/totp/confirm and /officers/<id>/totp: identity.api.second_factor


@blp.route("/consents/autofill")
class AutofillConsentText(MethodView):
    @blp.response(200, s.ConsentTextSchema)
    def get(self):
        """Nội dung và phiên bản hiện hành của điều khoản đồng ý tự động điền"""
        return profile.consent_text(svc())


@blp.route("/officers")
class Officers(MethodView):
    @require_auth("admin")
    @blp.arguments(s.StaffCreateSchema)
    @blp.response(201, s.StaffSchema)
    @blp.doc(security=SECURED)
    def post(self, body):
        """Quản trị viên tạo tài khoản cán bộ gắn với cơ quan và tỉnh"""
        return profile.create_staff(svc(), profile.CreateStaff(**body, created_by=me()))


@blp.route("/.well-known/jwks.json")
class Jwks(MethodView):
    @blp.response(200, s.JwksSchema)
    def get(self):
        """Khoá công khai để xác minh access token (JWKS)"""
        return current_app.extensions["signing_keys"].jwks()
