from datetime import UTC, datetime, timedelta

import pytest

from identity.domain.otp import (
    OtpChallenge,
    OtpClosed,
    OtpCooldown,
    OtpHasher,
    OtpOutcome,
    OtpPolicy,
    generate_code,
)

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
POLICY = OtpPolicy()
HASHER = OtpHasher(b"k" * 32)


def issue(now=T0, deliver=True):
    return OtpChallenge.issue(
        purpose="register",
        channel="sms",
        destination_hash="d",
        now=now,
        hasher=HASHER,
        policy=POLICY,
        deliver=deliver,
    )


def wrong(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_code_is_six_digits():
    for _ in range(200):
        code = generate_code()
        assert len(code) == 6 and code.isdigit()


def test_only_a_keyed_hash_is_kept():
    challenge, code = issue()
    assert code not in challenge.code_hash
    assert challenge.code_hash == OtpHasher(b"k" * 32).hash(challenge.id, code)
    assert challenge.code_hash != OtpHasher(b"x" * 32).hash(challenge.id, code)


def test_right_code_verifies_once():
    challenge, code = issue()
    assert challenge.verify(code, T0 + timedelta(minutes=1), HASHER, POLICY) is OtpOutcome.OK
    assert challenge.verify(code, T0 + timedelta(minutes=1), HASHER, POLICY) is OtpOutcome.USED


def test_code_expires_after_five_minutes():
    challenge, code = issue()
    assert challenge.expires_in(T0) == 300
    late = T0 + timedelta(minutes=5)
    assert challenge.verify(code, late, HASHER, POLICY) is OtpOutcome.EXPIRED


def test_sixth_try_refused_even_with_right_code():
    challenge, code = issue()
    for _ in range(5):
        assert challenge.verify(wrong(code), T0, HASHER, POLICY) is OtpOutcome.WRONG
    assert challenge.verify(code, T0, HASHER, POLICY) is OtpOutcome.EXHAUSTED
    assert challenge.attempts == 5


def test_right_code_on_fifth_try_still_works():
    challenge, code = issue()
    for _ in range(4):
        challenge.verify(wrong(code), T0, HASHER, POLICY)
    assert challenge.verify(code, T0, HASHER, POLICY) is OtpOutcome.OK


def test_resend_inside_cooldown_refused_with_seconds_left():
    challenge, _ = issue()
    with pytest.raises(OtpCooldown) as info:
        challenge.resend(T0 + timedelta(seconds=20), HASHER, POLICY)
    assert info.value.retry_after == 40
    assert "40 giây" in info.value.message


def test_new_code_voids_old_one_and_restarts_expiry():
    challenge, old = issue()
    later = T0 + timedelta(seconds=61)
    new = challenge.resend(later, HASHER, POLICY)
    if new == old:  # one in a million: make the comparison meaningful
        new = challenge.resend(later + timedelta(seconds=61), HASHER, POLICY)
        later += timedelta(seconds=61)
    assert challenge.expires_at == later + timedelta(minutes=5)
    assert challenge.sends >= 2
    assert challenge.verify(old, later, HASHER, POLICY) is OtpOutcome.WRONG
    assert challenge.verify(new, later, HASHER, POLICY) is OtpOutcome.OK


def test_no_resend_after_exhaustion_or_use():
    challenge, code = issue()
    for _ in range(5):
        challenge.verify(wrong(code), T0, HASHER, POLICY)
    with pytest.raises(OtpClosed):
        challenge.resend(T0 + timedelta(minutes=2), HASHER, POLICY)
    used, code = issue()
    used.verify(code, T0, HASHER, POLICY)
    with pytest.raises(OtpClosed):
        used.resend(T0 + timedelta(minutes=2), HASHER, POLICY)


def test_a_voided_code_no_longer_verifies():
    challenge, code = issue()
    challenge.void_code()
    assert challenge.verify(code, T0, HASHER, POLICY) is OtpOutcome.WRONG


def test_decoy_challenge_never_verifies():
    challenge, code = issue(deliver=False)
    assert challenge.verify(code, T0, HASHER, POLICY) is OtpOutcome.WRONG
    resent = challenge.resend(T0 + timedelta(seconds=60), HASHER, POLICY)
    assert challenge.verify(resent, T0 + timedelta(seconds=60), HASHER, POLICY) is OtpOutcome.WRONG
