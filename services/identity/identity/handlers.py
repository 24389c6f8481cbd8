"""Use cases: parse → load → change → save (+ events). The handler map is at the bottom.

Every handler takes the wired :class:`~identity.bootstrap.Services` and a command; it raises
``identity.domain.errors`` types that the HTTP layer turns into the one error shape.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from pymongo.errors import DuplicateKeyError

from identity import profile, recovery, sessions, throttles, twofactor
from identity.bootstrap import Services
from identity.challenges import (
    CHALLENGE_UNKNOWN,
    RETRY,
    classify_username,
    find_user,
    issue_challenge,
    load_challenge,
    make_event,
    otp_event,
    settle,
)
from identity.domain import events
from identity.domain.cccd import normalise_cccd, validate_cccd
from identity.domain.consent import iso
from identity.domain.email import InvalidEmail, normalise_email
from identity.domain.errors import (
    AuthenticationFailed,
    Conflict,
    OtpRejected,
    TooManyAttempts,
    ValidationFailed,
)
from identity.domain.names import InvalidName, normalise_full_name
from identity.domain.otp import (
    OtpChallenge,
    OtpClosed,
    OtpCooldown,
    OtpOutcome,
)
from identity.domain.passwords import password_problems
from identity.domain.phone import InvalidPhone, normalise_phone
from identity.domain.totp import new_secret, provisioning_uri
from identity.twofactor import check_second_factor, enrol_from_challenge, qr_data_uri

BAD_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
REGISTRATION_FAILED = "Không thể hoàn tất đăng ký. Vui lòng đăng nhập hoặc liên hệ hỗ trợ."


# -- commands --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Register:
    cccd: str
    full_name: str
    date_of_birth: date
    phone: str
    email: str
    password: str
    channel: str = "sms"
    ip: str | None = None


@dataclass(frozen=True)
class VerifyRegistration:
    challenge_id: str
    code: str


@dataclass(frozen=True)
class VerifyLogin:
    challenge_id: str
    code: str


@dataclass(frozen=True)
class ResendCode:
    challenge_id: str
    ip: str | None = None


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    ip: str | None = None


# -- helpers -----------------------------------------------------------------------------


def _registration_problems(cmd: Register, today: date) -> tuple[dict, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {"cccd": normalise_cccd(cmd.cccd)}
    errors.update(validate_cccd(cmd.cccd, cmd.date_of_birth, today))
    for name, normalise, invalid in (
        ("full_name", normalise_full_name, InvalidName),
        ("phone", normalise_phone, InvalidPhone),
        ("email", normalise_email, InvalidEmail),
    ):
        try:
            clean[name] = normalise(getattr(cmd, name))
        except invalid as exc:
            errors.setdefault(name, []).append(str(exc))
    personal = (clean["cccd"], clean.get("phone", "")[3:], clean.get("email", "").split("@")[0])
    problems = password_problems(cmd.password, personal)
    if problems:
        errors["password"] = problems
    if cmd.channel not in ("sms", "email"):
        errors["channel"] = ["Kênh nhận mã chỉ có thể là sms hoặc email."]
    clean["date_of_birth"] = cmd.date_of_birth.isoformat()
    return clean, errors


# -- registration ----------------------------------------------------------------------


def register(svc: Services, cmd: Register) -> dict:
    """Start a registration. Known and unknown identities get the same answer.

    When the CCCD, phone or email already belongs to an account, a decoy challenge is made:
    same response, nothing sent, and no code will ever verify it.
    """
    now = svc.clock.now()
    clean, errors = _registration_problems(cmd, now.date())
    if errors:
        raise ValidationFailed("Thông tin đăng ký chưa hợp lệ.", errors)
    password_hash = svc.passwords.hash(cmd.password)
    existing = svc.repo.find_user_by_hashes(
        {name: svc.vault.lookup(name, clean[name]) for name in ("cccd", "phone", "email")}
    )
    sealed, hashes = svc.vault.seal(clean)
    payload = {
        "pii": sealed,
        "hashes": hashes,
        "password_hash": password_hash,
        "otp_channel": cmd.channel,
    }
    destination = clean["phone"] if cmd.channel == "sms" else clean["email"]
    challenge = issue_challenge(
        svc,
        purpose="register",
        channel=cmd.channel,
        destination=destination,
        payload=payload if existing is None else {},
        deliver=existing is None,
        ip=cmd.ip,
    )
    svc.repo.audit(
        "register",
        "started" if existing is None else "duplicate",
        now,
        user_id=existing["_id"] if existing else None,
        challenge_id=challenge.id,
    )
    return {
        "challenge_id": challenge.id,
        "channel": challenge.channel,
        "expires_in": challenge.expires_in(now),
    }


def verify_registration(svc: Services, cmd: VerifyRegistration) -> dict:
    now = svc.clock.now()
    challenge = load_challenge(svc, cmd.challenge_id, "register")
    outcome = challenge.verify(cmd.code, now, svc.otp_hasher, svc.otp_policy)
    payload = challenge.payload
    if outcome is OtpOutcome.OK:
        challenge.payload = {}  # the pending registration leaves the challenge with its success
    settle(svc, challenge, outcome)
    user_id = uuid.uuid4().hex
    user = {
        "_id": user_id,
        "role": "citizen",
        "status": "active",
        "pii": payload["pii"],
        **payload["hashes"],
        "password_hash": payload["password_hash"],
        "otp_channel": payload["otp_channel"],
        "consents": {},
        "created_at": now,
        "updated_at": iso(now),
        "version": 1,
    }
    clear = svc.vault.open(payload["pii"])
    data = events.user_registered(
        user_id=user_id,
        full_name=clear["full_name"],
        phone=clear.get("phone"),
        email=clear.get("email"),
        verified_identity=clear,
    )
    try:
        svc.repo.insert_user(user, [make_event(svc, events.USER_REGISTERED, data, user_id, 1)])
    except DuplicateKeyError as exc:  # registered meanwhile through another challenge
        svc.repo.audit("register", "conflict", now, challenge_id=challenge.id)
        raise Conflict(REGISTRATION_FAILED) from exc
    svc.repo.audit("register", "completed", now, user_id=user_id, challenge_id=challenge.id)
    return {"user_id": user_id, "message": "Đăng ký tài khoản thành công."}


def resend_code(svc: Services, cmd: ResendCode) -> dict:
    """A new code for a pending challenge, voiding the old one (cooldown and quota apply)."""
    now = svc.clock.now()
    challenge = svc.repo.get_challenge(cmd.challenge_id)
    if challenge is None or challenge.channel not in ("sms", "email"):
        raise OtpRejected(CHALLENGE_UNKNOWN)
    try:
        code = challenge.resend(now, svc.otp_hasher, svc.otp_policy)
    except OtpCooldown as exc:
        raise TooManyAttempts(exc.message, retry_after=exc.retry_after) from exc
    except OtpClosed as exc:
        raise OtpRejected(exc.message) from exc
    delivered = throttles.charge_send(
        svc,
        challenge.purpose,
        destination_hash=challenge.destination_hash,
        account=challenge.subject_id,
        ip=cmd.ip,
    )
    if not delivered:  # a quiet refusal (reset): same answer, the old code void, nothing sent
        challenge.void_code()
    to = svc.cipher.decrypt("otp_to", challenge.payload["to"])
    sent = [otp_event(svc, challenge, to, code)] if challenge.deliver and delivered else []
    if not svc.repo.save_challenge(challenge, sent):
        raise OtpRejected(RETRY)
    return {
        "challenge_id": challenge.id,
        "channel": challenge.channel,
        "expires_in": challenge.expires_in(now),
    }


# -- login -----------------------------------------------------------------------------


def login(svc: Services, cmd: Login) -> dict:
    """Check the password under the sign-in limits, then start the second factor.

    Unknown usernames go through the same steps (a dummy password check, limits keyed by the
    username) so neither the answer nor a refusal tells whether an account exists.
    """
    now = svc.clock.now()
    user = find_user(svc, cmd.username)
    audit = {"user_id": user["_id"] if user else None, "ip": cmd.ip}
    try:
        check = throttles.sign_in_password(
            svc, classify_username(cmd.username), cmd.password, cmd.ip, user
        )
    except TooManyAttempts:
        svc.repo.audit("login", "locked", now, **audit)
        raise
    if not check.accepted:
        outcome = "guarded_unknown_client" if check.refused_right_password else "bad_credentials"
        svc.repo.audit("login", outcome, now, **audit)
        raise AuthenticationFailed(BAD_CREDENTIALS)
    throttles.ensure_second_factor_open(svc, user["_id"])
    svc.repo.audit("login", "password_ok", now, **audit)
    return _start_second_factor(svc, user, check.client)


def _start_second_factor(svc: Services, user: dict, client: str) -> dict:
    """The login challenge remembers the client, which becomes known to the account once the
    second factor is proved (``throttles.sign_in_password``)."""
    now = svc.clock.now()
    if user.get("totp"):
        challenge, _ = OtpChallenge.issue(
            purpose="login",
            channel="totp",
            destination_hash="",
            now=now,
            hasher=svc.otp_hasher,
            policy=svc.otp_policy,
            subject_id=user["_id"],
            deliver=False,
            payload={"client": client},
        )
        svc.repo.insert_challenge(challenge, [])
        return {
            "challenge_id": challenge.id,
            "method": "totp",
            "expires_in": challenge.expires_in(now),
        }
    if user["role"] in ("officer", "admin"):
        return _start_totp_enrolment_login(svc, user, client)
    clear = svc.vault.open(user["pii"])
    channel = user.get("otp_channel") or svc.default_otp_channel
    if channel == "sms" and not clear.get("phone"):
        channel = "email"
    destination = clear["phone"] if channel == "sms" else clear["email"]
    challenge = issue_challenge(
        svc,
        purpose="login",
        channel=channel,
        destination=destination,
        subject_id=user["_id"],
        payload={"client": client},
    )
    return {
        "challenge_id": challenge.id,
        "method": channel,
        "expires_in": challenge.expires_in(now),
    }


def _start_totp_enrolment_login(svc: Services, user: dict, client: str) -> dict:
    """Officers and admins have no account without TOTP: the first login enrols it."""
    now = svc.clock.now()
    secret = new_secret()
    account = svc.vault.open(user["pii"]).get("email") or user["_id"]
    payload = {"totp_secret": svc.cipher.encrypt("totp", secret), "client": client}
    challenge, _ = OtpChallenge.issue(
        purpose="login",
        channel="totp_enrolment",
        destination_hash="",
        now=now,
        hasher=svc.otp_hasher,
        policy=svc.otp_policy,
        subject_id=user["_id"],
        deliver=False,
        payload=payload,
    )
    svc.repo.insert_challenge(challenge, [])
    uri = provisioning_uri(secret, account, svc.totp)
    return {
        "challenge_id": challenge.id,
        "method": "totp_enrolment",
        "expires_in": challenge.expires_in(now),
        "totp": {"secret": secret, "otpauth_uri": uri, "qr_png": qr_data_uri(uri)},
    }


def verify_login(svc: Services, cmd: VerifyLogin) -> dict:
    """The second factor, under the account's limit across challenges (``throttles``)."""
    now = svc.clock.now()
    challenge = load_challenge(svc, cmd.challenge_id, "login")
    user = svc.repo.get_user(challenge.subject_id or "")
    if user is None or user.get("status") != "active":
        raise OtpRejected(CHALLENGE_UNKNOWN, {"code": [CHALLENGE_UNKNOWN]})
    client = challenge.payload.get("client")
    guard = throttles.open_second_factor(svc, user["_id"])
    extra: dict[str, Any] = {}
    if challenge.channel == "totp":
        check, after = check_second_factor(svc, user)
        outcome = challenge.verify_with(check, cmd.code, now, svc.otp_policy)
        throttles.close_second_factor(svc, user["_id"], guard, outcome is OtpOutcome.WRONG)
        settle(svc, challenge, outcome)
        after()
    elif challenge.channel == "totp_enrolment":
        check, after = enrol_from_challenge(svc, user, challenge)
        outcome = challenge.verify_with(check, cmd.code, now, svc.otp_policy)
        throttles.close_second_factor(svc, user["_id"], guard, outcome is OtpOutcome.WRONG)
        if outcome is OtpOutcome.OK:
            challenge.payload = {}  # the secret now lives (sealed) on the user only
        settle(svc, challenge, outcome)
        extra["recovery_codes"] = after()
    else:
        outcome = challenge.verify(cmd.code, now, svc.otp_hasher, svc.otp_policy)
        throttles.close_second_factor(svc, user["_id"], guard, outcome is OtpOutcome.WRONG)
        settle(svc, challenge, outcome)
    throttles.remember_client(svc, user["_id"], client)
    svc.repo.audit("login", "success", now, user_id=user["_id"], method=challenge.channel)
    return {**sessions.issue_session(svc, user), **extra}


# Everything identity does, on one screen (HTTP routes and the CLI call these).
HANDLERS = {
    Register: register,
    VerifyRegistration: verify_registration,
    ResendCode: resend_code,
    Login: login,
    VerifyLogin: verify_login,
    recovery.ForgotPassword: recovery.forgot_password,
    recovery.ResetPassword: recovery.reset_password,
    sessions.RefreshTokens: sessions.refresh_tokens,
    sessions.Logout: sessions.logout,
    profile.UpdateProfile: profile.update_profile,
    profile.VerifyContactChange: profile.verify_contact_change,
    profile.DeleteAccount: profile.delete_account,
    profile.ChangePassword: profile.change_password,
    profile.CreateStaff: profile.create_staff,
    twofactor.StartTotp: twofactor.start_totp,
    twofactor.ConfirmTotp: twofactor.confirm_totp,
    twofactor.RemoveTotp: twofactor.remove_totp,
    twofactor.ResetStaffTotp: twofactor.reset_staff_totp,
}
# Reads (no state change): profile.get_profile, profile.export_profile, profile.consent_text.
