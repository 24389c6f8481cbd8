"""TOTP second factor: enrolment (from the profile or an officer's first login), checks,
recovery codes."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass

import qrcode

from identity import throttles
from identity.bootstrap import Services
from identity.domain.consent import iso
from identity.domain.errors import Conflict, OtpRejected, ValidationFailed
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
NO_PENDING = "Chưa bắt đầu đăng ký ứng dụng xác thực."
RETRY = "Yêu cầu đang được xử lý đồng thời, vui lòng thử lại."


@dataclass(frozen=True)
class StartTotp:
    user_id: str
    current_code: str | None = None


@dataclass(frozen=True)
class ConfirmTotp:
    user_id: str
    code: str


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


def start_totp(svc: Services, cmd: StartTotp) -> dict:
    """A new secret, kept pending until confirmed. Replacing an enrolled one needs its code."""
    user = svc.repo.get_user(cmd.user_id)
    if user.get("totp"):
        check, _ = check_second_factor(svc, user)
        guard = throttles.open_second_factor(svc, user["_id"])  # counted as any login code
        right = bool(cmd.current_code) and check(cmd.current_code)
        throttles.close_second_factor(svc, user["_id"], guard, bool(cmd.current_code) and not right)
        if not right:
            message = "Cần nhập mã hiện tại từ ứng dụng xác thực để đăng ký lại."
            raise ValidationFailed(message, {"current_code": [message]})
    secret = new_secret()
    pending = {"secret": svc.cipher.encrypt("totp", secret), "created_at": iso(svc.clock.now())}
    if not svc.repo.update_user(
        user["_id"], user["version"], {"$set": {"totp_pending": pending}}, []
    ):
        raise Conflict(RETRY)
    account = svc.vault.open(user["pii"]).get("email") or user["_id"]
    uri = provisioning_uri(secret, account, svc.totp)
    return {"secret": secret, "otpauth_uri": uri, "qr_png": qr_data_uri(uri)}


def confirm_totp(svc: Services, cmd: ConfirmTotp) -> dict:
    user = svc.repo.get_user(cmd.user_id)
    pending = user.get("totp_pending")
    if not pending:
        raise Conflict(NO_PENDING)
    secret = svc.cipher.decrypt("totp", pending["secret"])
    step = verify_totp(secret, cmd.code, svc.clock.now(), svc.totp)
    if step is None:
        raise ValidationFailed(WRONG_TOTP, {"code": [WRONG_TOTP]})
    record, codes = _totp_record(svc, secret)
    record["last_step"] = step
    update = {"$set": {"totp": record}, "$unset": {"totp_pending": ""}}
    if not svc.repo.update_user(user["_id"], user["version"], update, []):
        raise Conflict(RETRY)
    svc.repo.audit("totp_enrol", "success", svc.clock.now(), user_id=user["_id"])
    return {"enabled": True, "recovery_codes": codes}
