"""Lookup proofs on fakes: a code to the contact on record, the same answer for unknown
numbers, a proof that names only its CCCD, and a quota of its own."""

from datetime import date

import jwt
import pytest

from identity import handlers, lookup_proof
from identity.domain.errors import OtpRejected, TooManyAttempts
from servicekit import lookup_proof as proofs

CITIZEN = dict(cccd="001090012345", full_name="Nguyễn Thị Hoa", date_of_birth=date(1990, 5, 1),
               phone="0912345678", email="hoa@example.vn", password="Hoa-Sen-2026!")


def _register(svc):
    started = handlers.register(svc, handlers.Register(**CITIZEN))
    handlers.verify_registration(
        svc, handlers.VerifyRegistration(started["challenge_id"], _code(svc, started)))


def _code(svc, started):
    return next(e["data"]["code"] for e in reversed(svc.repo.events)
                if e["type"] == "identity.otp_requested"
                and e["data"]["challenge_id"] == started["challenge_id"])


def _claims(svc, token):
    key = svc.access_tokens.keys.active.public_key()
    # The fake clock is fixed in the past: expiry is checked by the verifier in tracking.
    return jwt.decode(token, key, algorithms=["EdDSA"], audience=proofs.AUDIENCE,
                      options={"verify_exp": False})


def test_the_code_goes_to_the_phone_on_record_and_buys_a_proof_for_that_cccd(svc):
    _register(svc)
    started = lookup_proof.start(svc, lookup_proof.StartLookupProof("001 090 012 345"))
    sent = svc.repo.events[-1]["data"]
    assert (sent["purpose"], sent["channel"], sent["destination"]) == (
        "lookup_proof", "sms", "+84912345678")
    proof = lookup_proof.verify(
        svc, lookup_proof.VerifyLookupProof(started["challenge_id"], _code(svc, started)))
    claims = _claims(svc, proof["proof_token"])
    assert proofs.proves(claims, "001090012345") and not proofs.proves(claims, "001090012346")
    assert claims["aud"] == proofs.AUDIENCE and claims["exp"] - claims["iat"] == 600
    assert "001090012345" not in proof["proof_token"]
    with pytest.raises(jwt.InvalidAudienceError):  # never an access token
        jwt.decode(proof["proof_token"], svc.access_tokens.keys.active.public_key(),
                   algorithms=["EdDSA"], audience="motcua", options={"verify_exp": False})
    with pytest.raises(OtpRejected):  # one proof per code
        lookup_proof.verify(
            svc, lookup_proof.VerifyLookupProof(started["challenge_id"], _code(svc, started)))


def test_an_unknown_cccd_gets_the_same_answer_and_nothing_is_sent(svc):
    _register(svc)
    events = len(svc.repo.events)
    known = lookup_proof.start(svc, lookup_proof.StartLookupProof("001090012345"))
    unknown = lookup_proof.start(svc, lookup_proof.StartLookupProof("079203009999"))
    assert set(known) == set(unknown) and known["message"] == unknown["message"]
    assert known["expires_in"] == unknown["expires_in"]
    assert len(svc.repo.events) == events + 1  # only the known number got a code
    for guess in ("000000", "123456"):
        with pytest.raises(OtpRejected):
            lookup_proof.verify(svc, lookup_proof.VerifyLookupProof(unknown["challenge_id"],
                                                                    guess))


def test_sends_have_their_own_quota_per_cccd_and_keep_the_login_quota(svc):
    _register(svc)
    for _ in range(5):
        lookup_proof.start(svc, lookup_proof.StartLookupProof("001090012345"))
    with pytest.raises(TooManyAttempts) as refused:
        lookup_proof.start(svc, lookup_proof.StartLookupProof("001090012345"))
    assert refused.value.retry_after
    for _ in range(5):
        lookup_proof.start(svc, lookup_proof.StartLookupProof("079203009999"))
    with pytest.raises(TooManyAttempts):  # a number without account: the same
        lookup_proof.start(svc, lookup_proof.StartLookupProof("079203009999"))
    started = handlers.login(svc, handlers.Login("0912345678", CITIZEN["password"]))
    assert started["method"] == "sms"  # the owner can still sign in


def test_requests_are_audited_without_the_number(svc):
    _register(svc)
    lookup_proof.start(svc, lookup_proof.StartLookupProof("001090012345"))
    lookup_proof.start(svc, lookup_proof.StartLookupProof("079203009999"))
    entries = [a for a in svc.repo.audits if a["action"] == "lookup_proof"]
    assert [a["outcome"] for a in entries] == ["sent", "unknown_cccd"]
    assert "001090012345" not in repr(entries) and "079203009999" not in repr(entries)


def test_a_resend_tells_nothing_either_even_for_an_account_preferring_email(svc, clock):
    _register(svc)
    user = next(iter(svc.repo.users.values()))
    user["otp_channel"] = "email"
    known = lookup_proof.start(svc, lookup_proof.StartLookupProof("001090012345"))
    assert svc.repo.events[-1]["data"]["channel"] == "sms"
    unknown = lookup_proof.start(svc, lookup_proof.StartLookupProof("079203009999"))
    clock.advance(seconds=61)
    again = [handlers.resend_code(svc, handlers.ResendCode(started["challenge_id"]))
             for started in (known, unknown)]
    assert [(a["channel"], a["expires_in"]) for a in again] == [("sms", 300), ("sms", 300)]
