"""One-time-code challenges shared by registration, login, password reset and contact
changes: issue, load, settle; users looked up by any username form."""

from __future__ import annotations

from identity.bootstrap import SOURCE, Services
from identity.domain import events
from identity.domain.cccd import normalise_cccd
from identity.domain.email import InvalidEmail, normalise_email
from identity.domain.errors import OtpRejected, TooManyAttempts
from identity.domain.otp import OUTCOME_MESSAGES, OtpChallenge, OtpOutcome
from identity.domain.phone import InvalidPhone, normalise_phone
from identity.throttles import charge_send
from servicekit.events import new_event

CHALLENGE_UNKNOWN = "Mã xác thực không đúng hoặc đã hết hạn."
RETRY = "Yêu cầu đang được xử lý đồng thời, vui lòng thử lại."


def make_event(svc: Services, type_: str, data: dict, aggregate_id: str, version: int) -> dict:
    return new_event(
        type_,
        data,
        source=SOURCE,
        aggregate_id=aggregate_id,
        aggregate_version=version,
        tenant=svc.tenant,
    )


def otp_event(svc: Services, challenge: OtpChallenge, to: str, code: str) -> dict:
    data = events.otp_requested(
        challenge_id=challenge.id,
        purpose=challenge.purpose,
        channel=challenge.channel,
        destination=to,
        code=code,
        expires_in=challenge.expires_in(svc.clock.now()),
        user_id=challenge.subject_id,
    )
    return make_event(svc, events.OTP_REQUESTED, data, challenge.id, challenge.sends)


def issue_challenge(
    svc: Services,
    *,
    purpose: str,
    channel: str,
    destination: str,
    subject_id: str | None = None,
    payload: dict | None = None,
    deliver: bool = True,
    ip: str | None = None,
) -> OtpChallenge:
    """Create a challenge and (unless a decoy) the event that sends its code.

    The send is charged to its purpose's buckets (``throttles.charge_send``, from client
    ``ip``): a refusal is a 429, or for a reset a challenge that sends nothing (same answer).
    """
    destination_hash = svc.vault.index.hash("otp_destination", destination)
    if not charge_send(
        svc, purpose, destination_hash=destination_hash, account=subject_id, ip=ip
    ):
        deliver = False
    payload = {**(payload or {}), "to": svc.cipher.encrypt("otp_to", destination)}
    challenge, code = OtpChallenge.issue(
        purpose=purpose,
        channel=channel,
        destination_hash=destination_hash,
        now=svc.clock.now(),
        hasher=svc.otp_hasher,
        policy=svc.otp_policy,
        subject_id=subject_id,
        deliver=deliver,
        payload=payload,
    )
    sent = [otp_event(svc, challenge, destination, code)] if deliver else []
    svc.repo.insert_challenge(challenge, sent)
    return challenge


def load_challenge(svc: Services, challenge_id: str, purpose: str) -> OtpChallenge:
    challenge = svc.repo.get_challenge(challenge_id)
    if challenge is None or challenge.purpose != purpose:
        raise OtpRejected(CHALLENGE_UNKNOWN, {"code": [CHALLENGE_UNKNOWN]})
    return challenge


def settle(svc: Services, challenge: OtpChallenge, outcome: OtpOutcome) -> None:
    """Persist the try; only a saved success counts (a racing verify loses)."""
    if not svc.repo.save_challenge(challenge):
        raise OtpRejected(RETRY)
    if outcome is OtpOutcome.OK:
        return
    message = OUTCOME_MESSAGES[outcome]
    if outcome is OtpOutcome.EXHAUSTED:  # start again (a new challenge) at once
        raise TooManyAttempts(message, retry_after=1)
    raise OtpRejected(message, {"code": [message]})


def find_user(svc: Services, username: str) -> dict | None:
    """The live user a username (CCCD, phone or email in any usual form) designates."""
    kind, value = classify_username(username)
    if kind is None:
        return None
    return svc.repo.find_user_by_hashes({kind: svc.vault.lookup(kind, value)})


def classify_username(username: str) -> tuple[str | None, str]:
    raw = username.strip()
    if "@" in raw:
        try:
            return "email", normalise_email(raw)
        except InvalidEmail:
            return None, raw.lower()
    digits = normalise_cccd(raw)
    if len(digits) == 12 and digits.isdigit() and digits.isascii():
        return "cccd", digits
    try:
        return "phone", normalise_phone(raw)
    except InvalidPhone:
        return None, raw
