"""Lookup proofs: prove you are the person before listing dossiers by your CCCD (finding 11).

``start`` sends a one-time code by SMS to the phone on record for the CCCD (to the email only
for an account without a phone) and answers the same whether or not the CCCD has an account (a
decoy challenge that sends nothing stands in for unknown numbers). ``verify`` takes the code
back and signs a *lookup proof* (:mod:`servicekit.lookup_proof`): identity's keys, the proof
audience, valid :data:`PROOF_TTL`, naming the CCCD only as a salted digest. tracking accepts it
for that CCCD only.

Sends are charged per CCCD and per client (``domain.throttling.send_buckets``) and never spend
the phone's login or password-reset quota: asking for proofs cannot lock the owner out.
Every request and verification is audited without the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import jwt

from identity.bootstrap import Services
from identity.challenges import load_challenge, otp_event, settle
from identity.domain.cccd import normalise_cccd
from identity.domain.errors import TooManyAttempts
from identity.domain.otp import OtpChallenge
from identity.keys import ALGORITHM
from identity.throttles import charge_send
from servicekit import lookup_proof

PURPOSE = "lookup_proof"
PROOF_TTL = timedelta(minutes=10)
QUOTA_HOUR = 3600
SENT = ("Nếu số định danh này đã có tài khoản, mã xác minh vừa được gửi tới số điện thoại "
        "(hoặc email) đã đăng ký. Mã có hiệu lực 5 phút.")


@dataclass(frozen=True)
class StartLookupProof:
    cccd: str
    ip: str | None = None


@dataclass(frozen=True)
class VerifyLookupProof:
    challenge_id: str
    code: str


def _destination(svc: Services, user: dict) -> tuple[str, str]:
    """The phone on record (every citizen registers one), else the email. Not the account's
    OTP channel preference: the channel is in the answer to ``/otp/resend``, and a decoy's is
    SMS, so an email would tell that the number has an account."""
    clear = svc.vault.open(user["pii"])
    if clear.get("phone"):
        return "sms", clear["phone"]
    return "email", clear["email"]


def start(svc: Services, cmd: StartLookupProof) -> dict:
    now = svc.clock.now()
    cccd = normalise_cccd(cmd.cccd)
    user = svc.repo.find_user_by_hashes({"cccd": svc.vault.lookup("cccd", cccd)})
    if user is not None and user.get("role") != "citizen":
        user = None  # staff look dossiers up signed in
    channel, destination = _destination(svc, user) if user else ("sms", cccd)
    # The quota follows the CCCD, known or not, so a full quota reveals nothing either.
    quota_key = svc.vault.index.hash("lookup_proof_cccd", cccd)
    try:
        charge_send(svc, PURPOSE, destination_hash=quota_key, account=None, ip=cmd.ip)
    except TooManyAttempts as exc:
        raise TooManyAttempts(exc.message, retry_after=exc.retry_after or QUOTA_HOUR) from exc
    payload = {"to": svc.cipher.encrypt("otp_to", destination),
               "cccd": svc.cipher.encrypt("lookup_cccd", cccd)}
    challenge, code = OtpChallenge.issue(
        purpose=PURPOSE, channel=channel, destination_hash=quota_key, now=now,
        hasher=svc.otp_hasher, policy=svc.otp_policy, subject_id=user["_id"] if user else None,
        deliver=user is not None, payload=payload)
    sent = [otp_event(svc, challenge, destination, code)] if user else []
    svc.repo.insert_challenge(challenge, sent)
    svc.repo.audit(PURPOSE, "sent" if user else "unknown_cccd", now,
                   user_id=user["_id"] if user else None)
    return {"challenge_id": challenge.id, "expires_in": challenge.expires_in(now),
            "message": SENT}


def verify(svc: Services, cmd: VerifyLookupProof) -> dict:
    now = svc.clock.now()
    challenge = load_challenge(svc, cmd.challenge_id, PURPOSE)
    outcome = challenge.verify(cmd.code, now, svc.otp_hasher, svc.otp_policy)
    settle(svc, challenge, outcome)  # raises for a wrong, expired, used or exhausted code
    cccd = svc.cipher.decrypt("lookup_cccd", challenge.payload["cccd"])
    issuer = svc.access_tokens
    claims = lookup_proof.proof_claims(cccd=cccd, issuer=issuer.issuer, now=now,
                                       ttl=PROOF_TTL, challenge_id=challenge.id)
    token = jwt.encode(claims, issuer.keys.active, algorithm=ALGORITHM,
                       headers={"kid": issuer.keys.active_kid, "typ": "JWT"})
    svc.repo.audit(PURPOSE, "verified", now, user_id=challenge.subject_id)
    return {"proof_token": token, "token_type": "lookup_proof",
            "expires_in": int(PROOF_TTL.total_seconds()), "header": lookup_proof.HEADER}
