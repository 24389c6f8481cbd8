"""Forgotten password: a code to the account's phone or email, then a new password.

The answer to "send me a code" is the same whether or not the username exists (a decoy
challenge stands in for unknown ones) and whether or not the send quota is full (then nothing
is sent: a 429 would say which CCCD owns which phone), and the channel follows the username's
form: an email username gets the code by email, a phone or CCCD username by SMS.

A verified reset gives the account back to whoever holds its phone or email: every session
ends (access tokens included) and the owner is told (``identity.security_alert``). For a
citizen it also removes an authenticator app (TOTP) that was set — whoever took the session
over may have enrolled it — so the next sign-in uses a code sent to the phone or email again
(kind ``account_recovered``); the citizen may enrol a new one afterwards. A staff member's
TOTP is mandatory and stays: a reset through the email proves the email, not the second
factor; a staff member who lost the app asks an admin to reset the enrolment
(``twofactor.reset_staff_totp``), then enrols again at the next sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass

from identity import sessions, stepup, throttles
from identity.bootstrap import Services
from identity.challenges import (
    classify_username,
    find_user,
    issue_challenge,
    load_challenge,
    settle,
)
from identity.domain import events
from identity.domain.consent import iso
from identity.domain.errors import Conflict, ValidationFailed
from identity.domain.passwords import password_problems

PURPOSE = "reset_password"
RETRY = "Yêu cầu đang được xử lý đồng thời, vui lòng thử lại."


@dataclass(frozen=True)
class ForgotPassword:
    username: str
    ip: str | None = None


@dataclass(frozen=True)
class ResetPassword:
    challenge_id: str
    code: str
    new_password: str
    ip: str | None = None


def forgot_password(svc: Services, cmd: ForgotPassword) -> dict:
    now = svc.clock.now()
    kind, value = classify_username(cmd.username)
    channel = "email" if kind == "email" else "sms"
    user = find_user(svc, cmd.username)
    destination = value
    if user is not None:
        clear = svc.vault.open(user["pii"])
        destination = clear.get("phone") if channel == "sms" else clear.get("email")
        if not destination:  # e.g. a staff account without a phone
            destination = clear.get("email") or clear.get("phone")
    challenge = issue_challenge(
        svc,
        purpose=PURPOSE,
        channel=channel,
        destination=destination,
        subject_id=user["_id"] if user else None,
        deliver=user is not None,
        ip=cmd.ip,
    )
    svc.repo.audit(
        "password_forgot",
        "sent" if user else "unknown_user",
        now,
        user_id=user["_id"] if user else None,
    )
    return {
        "challenge_id": challenge.id,
        "channel": channel,
        "expires_in": challenge.expires_in(now),
    }


def reset_password(svc: Services, cmd: ResetPassword) -> None:
    """Check the new password first (a weak one does not use up a try), then the code."""
    now = svc.clock.now()
    challenge = load_challenge(svc, cmd.challenge_id, PURPOSE)
    user = svc.repo.get_user(challenge.subject_id) if challenge.subject_id else None
    personal: tuple[str, ...] = ()
    clear: dict[str, str] = {}
    if user is not None and user.get("status") == "active":
        clear = svc.vault.open(user["pii"])
        personal = (
            clear.get("cccd", ""),
            clear.get("phone", "")[3:],
            clear.get("email", "").split("@")[0],
        )
    problems = password_problems(cmd.new_password, personal)
    if problems:
        raise ValidationFailed("Mật khẩu mới chưa đạt yêu cầu.", {"new_password": problems})
    outcome = challenge.verify(cmd.code, now, svc.otp_hasher, svc.otp_policy)
    settle(svc, challenge, outcome)
    update: dict = {
        "$set": {
            "password_hash": svc.passwords.hash(cmd.new_password),
            "password_changed_at": iso(now),
            "updated_at": iso(now),
        }
    }
    kind = events.PASSWORD_CHANGED
    if user["role"] == "citizen" and (user.get("totp") or user.get("totp_pending")):
        update["$unset"] = {"totp": "", "totp_pending": ""}
        kind = events.ACCOUNT_RECOVERED
    notice = stepup.alert(svc, user, kind)
    if not svc.repo.update_user(user["_id"], user["version"], update, [notice]):
        raise Conflict(RETRY)
    sessions.end_all_sessions(svc, user["_id"], "password_reset")
    # Whoever proved the code may sign in again at once, from this client even while the
    # account is guarded against password guessing.
    forms = [(kind, clear[kind]) for kind in ("cccd", "phone", "email") if clear.get(kind)]
    throttles.lift_password_limits(svc, user["_id"], forms)
    throttles.remember_client(svc, user["_id"], throttles.client_key(svc, cmd.ip))
    svc.repo.audit("password_reset", "success", now, user_id=user["_id"])
