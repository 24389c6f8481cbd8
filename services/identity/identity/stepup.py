"""Step-up before a change that could take the account over (its second factor), and the
security notice written with such a change.

A signed-in session is not enough to change what signs the account in: a stolen access token
would let its holder lock the owner out. The change needs the current password *and* a fresh
code sent to the account's own phone or email (the same contact login codes go to), inside the
request flow: the first request checks the password and sends the code (an OTP challenge
bound to the user and to the change), the second gives the code back. On success the owner's
contacts are told (``identity.security_alert``), written in the same update as the change.
"""

from __future__ import annotations

from identity import throttles
from identity.bootstrap import SOURCE, Services
from identity.challenges import CHALLENGE_UNKNOWN, issue_challenge, load_challenge, settle
from identity.domain import events
from identity.domain.consent import iso
from identity.domain.email import mask_email
from identity.domain.errors import AuthenticationFailed, OtpRejected
from identity.domain.otp import OtpChallenge, OtpOutcome
from identity.domain.phone import mask_phone
from servicekit.events import new_event

WRONG_PASSWORD = "Mật khẩu không đúng."
CODE_SENT = {
    "sms": "Mã xác thực đã được gửi tới số điện thoại {to} của tài khoản. Nhập mã để {action}.",
    "email": "Mã xác thực đã được gửi tới email {to} của tài khoản. Nhập mã để {action}.",
}


def check_password(svc: Services, user: dict, password: str | None, field: str) -> None:
    """The current password, or 401 with the error on ``field``; failures share the account's
    step-up limit with /me/password, contact change and deletion (429 past it)."""
    if not throttles.step_up_password(svc, user, password or ""):
        raise AuthenticationFailed(WRONG_PASSWORD, {field: [WRONG_PASSWORD]})


def own_contact(svc: Services, user: dict) -> tuple[str, str]:
    """(channel, destination) of the account's verified contact for codes: the one login
    codes go to (its chosen channel, else whichever of phone and email it has)."""
    clear = svc.vault.open(user.get("pii") or {})
    channel = user.get("otp_channel") or svc.default_otp_channel
    if channel == "sms" and not clear.get("phone"):
        channel = "email"
    elif channel == "email" and not clear.get("email"):
        channel = "sms"
    return channel, clear["phone"] if channel == "sms" else clear["email"]


def send_code(
    svc: Services, user: dict, purpose: str, action: str, payload: dict | None = None
) -> dict:
    """A code to the account's own contact for ``purpose``; the answer the client shows."""
    now = svc.clock.now()
    channel, destination = own_contact(svc, user)
    challenge = issue_challenge(
        svc,
        purpose=purpose,
        channel=channel,
        destination=destination,
        subject_id=user["_id"],
        payload=payload,
    )
    svc.repo.audit("step_up", "code_sent", now, user_id=user["_id"], purpose=purpose)
    masked = mask_phone(destination) if channel == "sms" else mask_email(destination)
    return {
        "challenge_id": challenge.id,
        "channel": channel,
        "destination": masked,
        "expires_in": challenge.expires_in(now),
        "message": CODE_SENT[channel].format(to=masked, action=action),
    }


def pending(svc: Services, user_id: str, challenge_id: str, purpose: str) -> OtpChallenge:
    """The caller's own open challenge for ``purpose`` (another user's is as if unknown)."""
    challenge = load_challenge(svc, challenge_id, purpose)
    if challenge.subject_id != user_id:
        raise OtpRejected(CHALLENGE_UNKNOWN, {"otp": [CHALLENGE_UNKNOWN]})
    return challenge


def prove(svc: Services, challenge: OtpChallenge, code: str) -> dict:
    """Check the code sent (tries, expiry as for every code); returns the challenge's payload
    and leaves none on the used challenge."""
    payload = dict(challenge.payload)
    outcome = challenge.verify(code, svc.clock.now(), svc.otp_hasher, svc.otp_policy)
    if outcome is OtpOutcome.OK:
        challenge.payload = {}
    try:
        settle(svc, challenge, outcome)
    except OtpRejected as exc:  # the code field of these requests is ``otp``
        raise OtpRejected(exc.message, {"otp": [exc.message]} if exc.errors else None) from exc
    return payload


def alert(svc: Services, user: dict, kind: str) -> dict:
    """``identity.security_alert`` for an update of ``user`` (its next aggregate version)."""
    data = events.security_alert(user_id=user["_id"], kind=kind, at=iso(svc.clock.now()))
    return new_event(
        events.SECURITY_ALERT,
        data,
        source=SOURCE,
        aggregate_id=user["_id"],
        aggregate_version=user["version"] + 1,
        tenant=svc.tenant,
    )
