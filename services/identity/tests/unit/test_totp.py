import base64
from datetime import UTC, datetime, timedelta

import pytest

from identity.domain import totp
from identity.domain.totp import TotpParams, verify_totp

# RFC 6238 Appendix B: the seeds are ASCII strings, 20/32/64 bytes for SHA1/256/512.
SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [
    (59, {"sha1": "94287082", "sha256": "46119246", "sha512": "90693936"}),
    (1111111109, {"sha1": "07081804", "sha256": "68084774", "sha512": "25091201"}),
    (1111111111, {"sha1": "14050471", "sha256": "67062674", "sha512": "99943326"}),
    (1234567890, {"sha1": "89005924", "sha256": "91819424", "sha512": "93441116"}),
    (2000000000, {"sha1": "69279037", "sha256": "90698825", "sha512": "38618901"}),
    (20000000000, {"sha1": "65353130", "sha256": "77737706", "sha512": "47863826"}),
]
CASES = [(t, digest, codes[digest]) for t, codes in VECTORS for digest in SEEDS]


@pytest.mark.parametrize(("unix_time", "digest", "expected"), CASES)
def test_rfc6238_vectors_verify(unix_time, digest, expected):
    secret = base64.b32encode(SEEDS[digest]).decode()
    params = TotpParams(digits=8, digest=digest, valid_window=0)
    when = datetime.fromtimestamp(unix_time, UTC)
    assert totp.code_at(secret, when, params) == expected
    assert verify_totp(secret, expected, when, params) == unix_time // 30


@pytest.mark.parametrize(("unix_time", "digest", "expected"), CASES[:6])
def test_rfc6238_vector_rejected_at_another_time(unix_time, digest, expected):
    secret = base64.b32encode(SEEDS[digest]).decode()
    params = TotpParams(digits=8, digest=digest, valid_window=0)
    when = datetime.fromtimestamp(unix_time + 3600, UTC)
    assert verify_totp(secret, expected, when, params) is None


NOW = datetime(2026, 11, 28, 8, 0, 10, tzinfo=UTC)


def test_one_step_of_drift_accepted_two_refused():
    secret = totp.new_secret()
    previous = totp.code_at(secret, NOW - timedelta(seconds=30))
    assert verify_totp(secret, previous, NOW) is not None
    too_old = totp.code_at(secret, NOW - timedelta(seconds=90))
    assert verify_totp(secret, too_old, NOW) is None


def test_code_cannot_be_replayed():
    secret = totp.new_secret()
    code = totp.code_at(secret, NOW)
    step = verify_totp(secret, code, NOW)
    assert step is not None
    assert verify_totp(secret, code, NOW, last_used_step=step) is None


def test_malformed_codes_refused():
    secret = totp.new_secret()
    for code in ("", "12345", "1234567", "abcdef"):
        assert verify_totp(secret, code, NOW) is None


def test_provisioning_uri():
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, "a@b.vn")
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    assert "issuer=" in uri


def keyed(value):
    import hashlib
    import hmac

    return hmac.new(b"k" * 32, value.encode(), hashlib.sha256).hexdigest()


def test_recovery_codes_are_single_use():
    codes = totp.new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = totp.hash_recovery_codes(codes, keyed)
    assert not any(code in h for code in codes for h in stored)
    remaining = totp.use_recovery_code(codes[3].upper(), stored, keyed)
    assert remaining is not None and len(remaining) == 9
    assert totp.use_recovery_code(codes[3], remaining, keyed) is None
    assert totp.use_recovery_code("zzzzz-zzzzz", stored, keyed) is None
