"""TOTP second factor: enrolment (from the profile or an officer's first login), checks,
recovery codes, removal; an admin's reset of a staff member's enrolment.

Enrolling, replacing or removing the authenticator from the profile is a step-up change
(:mod:`identity.stepup`): the current password, then the code sent to the account's own phone
or email. On success the owner is told (``identity.security_alert``) and every *other* session
ends (the caller's own goes on).

Staff accounts cannot be without TOTP: they replace theirs (same step-up, plus a code from the
current app or a recovery code) but never remove it. A staff member who lost the app asks an
admin, who resets the enrolment (their own password and authenticator code): every session of
the staff member ends, and the next sign-in walks through a new enrolment. A password reset
alone never touches a staff member's TOTP (see :mod:`identity.recovery`).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass

import qrcode

from identity import sessions, stepup, throttles
from identity.bootstrap import Services
from identity.challenges import CHALLENGE_UNKNOWN
from identity.domain import events
from identity.domain.consent import iso
from identity.domain.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    NotFound,
    OtpRejected,
    ValidationFailed,
)
from identity.domain.otp import OtpChallenge
from identity.domain.totp import (
    hash_recovery_codes,
    new_recovery_codes,
    new_secret,
    provisioning_uri,
    use_recovery_code,
    verify_totp,
)

WRONG_TOTP = "Mã từ ứng dụng xác thực không đúng."
RETRY = "Yêu cầu đang được xử lý đồng thời, vui lòng thử lại."
NEED_CURRENT = "Cần nhập mã hiện tại từ ứng dụng xác thực (hoặc một mã khôi phục) để đăng ký lại."
NOT_ENABLED = "Tài khoản chưa bật ứng dụng xác thực."
STAFF_NEED_TOTP = (
    "Tài khoản cán bộ bắt buộc dùng ứng dụng xác thực. Bạn có thể đăng ký ứng dụng mới thay "
    "thế, hoặc đề nghị quản trị viên đặt lại nếu đã mất ứng dụng."
)
NOT_YOURSELF = "Không thể tự đặt lại ứng dụng xác thực của chính mình; hãy nhờ quản trị viên khác."
NO_STAFF = "Không tìm thấy tài khoản cán bộ."
ENABLE, REMOVE = "totp_enable", "totp_remove"  # the step-up codes' purposes
STAFF = ("officer", "admin")


@dataclass(frozen=True)
class StartTotp:
    user_id: str
    password: str
    current_code: str | None = None


@dataclass(frozen=True)
class ConfirmTotp:
    user_id: str
    challenge_id: str
    otp: str  # the code sent to the account's phone or email
    code: str  # the first code of the new authenticator
    session_id: str | None = None  # the caller's session: kept, the others end


@dataclass(frozen=True)
class RemoveTotp:
    """Without ``challenge_id``: check ``password`` and send the code; with it: remove."""

    user_id: str
    password: str | None = None
    challenge_id: str | None = None
    otp: str | None = None
    session_id: str | None = None


@dataclass(frozen=True)
class ResetStaffTotp:
    admin_id: str
    staff_id: str
    password: str  # the admin's
    code: str  # the admin's authenticator (or recovery) code


def qr_data_uri(uri: str) -> str:
    buffer = io.BytesIO()
    qrcode.make(uri).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _recovery_hash(svc: Services) -> Callable[[str], str]:
    return lambda code: svc.vault.index.hash("recovery_code", code)


def _totp_record(svc: Services, secret: str) -> tuple[dict, list[str]]:
    codes = new_recovery_codes()
    record = {
        "secret": svc.cipher.encrypt("totp", secret),
        "enrolled_at": iso(svc.clock.now()),
        "last_step": None,
        "recovery": hash_recovery_codes(codes, _recovery_hash(svc)),
    }
    return record, codes


def check_second_factor(svc: Services, user: dict) -> tuple[Callable[[str], bool], Callable]:
    """A check accepting the authenticator code (not replayed) or one unused recovery code,
    and the function that records what was used once the check passed."""
    totp = user["totp"]
    secret = svc.cipher.decrypt("totp", totp["secret"])
    used: dict = {}

    def check(code: str) -> bool:
        step = verify_totp(secret, code, svc.clock.now(), svc.totp, totp.get("last_step"))
        if step is not None:
            used["$set"] = {"totp.last_step": step}
            return True
        remaining = use_recovery_code(code, totp.get("recovery", []), _recovery_hash(svc))
        if remaining is not None:
            used["$set"] = {"totp.recovery": remaining}
            return True
        return False

    def after() -> None:
        if used and not svc.repo.update_user(user["_id"], user["version"], used, []):
            raise OtpRejected(RETRY)

    return check, after


def enrol_from_challenge(
    svc: Services, user: dict, challenge: OtpChallenge
) -> tuple[Callable[[str], bool], Callable[[], list[str]]]:
    secret = svc.cipher.decrypt("totp", challenge.payload["totp_secret"])
    matched: dict = {}

    def check(code: str) -> bool:
        matched["step"] = verify_totp(secret, code, svc.clock.now(), svc.totp)
        return matched["step"] is not None

    def after() -> list[str]:
        record, codes = _totp_record(svc, secret)
        record["last_step"] = matched["step"]
        if not svc.repo.update_user(user["_id"], user["version"], {"$set": {"totp": record}}, []):
            raise OtpRejected(RETRY)
        return codes

    return check, after


def _live_user(svc: Services, user_id: str) -> dict:
    user = svc.repo.get_user(user_id)
    if user is None or user.get("status") != "active":
        raise NotFound("Không tìm thấy tài khoản.")
    return user


def start_totp(svc: Services, cmd: StartTotp) -> dict:
    """Step one of an enrolment: the password (and, replacing one, a code of the current
    app); a new secret kept sealed on a challenge whose code goes to the account's contact."""
    user = _live_user(svc, cmd.user_id)
    stepup.check_password(svc, user, cmd.password, "password")
    if user.get("totp"):
        check, _ = check_second_factor(svc, user)
        guard = throttles.open_second_factor(svc, user["_id"])  # counted as any login code
        right = bool(cmd.current_code) and check(cmd.current_code)
        throttles.close_second_factor(svc, user["_id"], guard,
                                      bool(cmd.current_code) and not right)
        if not right:
            raise ValidationFailed(NEED_CURRENT, {"current_code": [NEED_CURRENT]})
    secret = new_secret()
    sent = stepup.send_code(
        svc,
        user,
        ENABLE,
        "bật ứng dụng xác thực",
        payload={"totp_secret": svc.cipher.encrypt("totp", secret)},
    )
    account = svc.vault.open(user["pii"]).get("email") or user["_id"]
    uri = provisioning_uri(secret, account, svc.totp)
    return {"secret": secret, "otpauth_uri": uri, "qr_png": qr_data_uri(uri), **sent}


def confirm_totp(svc: Services, cmd: ConfirmTotp) -> dict:
    """Step two: a code of the new app (checked first: a mistake there costs no try of the
    sent code), then the code sent to the contact. Enables it, tells the owner, ends the other
    sessions, returns the recovery codes."""
    now = svc.clock.now()
    challenge = stepup.pending(svc, cmd.user_id, cmd.challenge_id, ENABLE)
    sealed = challenge.payload.get("totp_secret")
    if not sealed:  # used already
        raise OtpRejected(CHALLENGE_UNKNOWN, {"otp": [CHALLENGE_UNKNOWN]})
    secret = svc.cipher.decrypt("totp", sealed)
    step = verify_totp(secret, cmd.code, now, svc.totp)
    if step is None:
        raise ValidationFailed(WRONG_TOTP, {"code": [WRONG_TOTP]})
    stepup.prove(svc, challenge, cmd.otp)
    user = _live_user(svc, cmd.user_id)
    record, codes = _totp_record(svc, secret)
    record["last_step"] = step
    update = {"$set": {"totp": record}, "$unset": {"totp_pending": ""}}
    notice = stepup.alert(svc, user, events.TOTP_ENABLED)
    if not svc.repo.update_user(user["_id"], user["version"], update, [notice]):
        raise Conflict(RETRY)
    ended = sessions.end_all_sessions(svc, user["_id"], "totp_enabled", keep=cmd.session_id)
    svc.repo.audit("totp_enrol", "success", now, user_id=user["_id"], sessions_ended=ended)
    return {"enabled": True, "recovery_codes": codes}


def remove_totp(svc: Services, cmd: RemoveTotp) -> dict | None:
    """Citizens only (staff must keep one). First call: the password → the code is sent (the
    challenge is returned). Second call: that code → removed, owner told, other sessions end."""
    user = _live_user(svc, cmd.user_id)
    if user["role"] in STAFF:
        raise Forbidden(STAFF_NEED_TOTP)
    if not user.get("totp"):
        raise Conflict(NOT_ENABLED)
    if cmd.challenge_id is None:
        stepup.check_password(svc, user, cmd.password, "password")
        return stepup.send_code(svc, user, REMOVE, "gỡ ứng dụng xác thực")
    challenge = stepup.pending(svc, cmd.user_id, cmd.challenge_id, REMOVE)
    stepup.prove(svc, challenge, cmd.otp or "")
    user = _live_user(svc, cmd.user_id)
    _drop_totp(svc, user, "totp_removed", keep=cmd.session_id)
    return None


def _drop_totp(svc: Services, user: dict, reason: str, keep: str | None = None) -> None:
    update = {"$unset": {"totp": "", "totp_pending": ""}}
    notice = stepup.alert(svc, user, events.TOTP_REMOVED)
    if not svc.repo.update_user(user["_id"], user["version"], update, [notice]):
        raise Conflict(RETRY)
    ended = sessions.end_all_sessions(svc, user["_id"], reason, keep=keep)
    svc.repo.audit(reason, "success", svc.clock.now(), user_id=user["_id"], sessions_ended=ended)


def reset_staff_totp(svc: Services, cmd: ResetStaffTotp) -> None:
    """An admin clears a staff member's enrolment (lost phone): the admin proves it is them
    (password and authenticator code); the staff member's sessions end, they are told, and
    their next sign-in enrols a new authenticator."""
    admin = _live_user(svc, cmd.admin_id)
    if cmd.staff_id == cmd.admin_id:
        raise Forbidden(NOT_YOURSELF)
    stepup.check_password(svc, admin, cmd.password, "password")
    if not admin.get("totp"):
        raise Forbidden(STAFF_NEED_TOTP)
    check, used = check_second_factor(svc, admin)
    if not check(cmd.code):
        raise AuthenticationFailed(WRONG_TOTP, {"code": [WRONG_TOTP]})
    used()  # the admin's code cannot be replayed
    staff = svc.repo.get_user(cmd.staff_id)
    if staff is None or staff.get("status") != "active" or staff["role"] not in STAFF:
        raise NotFound(NO_STAFF)
    _drop_totp(svc, staff, "totp_reset_by_admin")
    svc.repo.audit(
        "staff_totp_reset", "success", svc.clock.now(), user_id=staff["_id"], by=admin["_id"]
    )
