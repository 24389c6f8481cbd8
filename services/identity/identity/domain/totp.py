"""TOTP (RFC 6238) through pyotp, with replay protection, and one-time recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pyotp

DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}
ISSUER = "Một cửa"


@dataclass(frozen=True)
class TotpParams:
    digits: int = 6
    digest: str = "sha1"  # what authenticator apps support everywhere
    interval: int = 30
    valid_window: int = 1  # accept one step of clock drift either side


def new_secret() -> str:
    return pyotp.random_base32(length=32)  # 160 bits, as RFC 4226 recommends


def _totp(secret: str, params: TotpParams, name: str | None = None) -> pyotp.TOTP:
    return pyotp.TOTP(
        secret,
        digits=params.digits,
        digest=DIGESTS[params.digest],
        interval=params.interval,
        name=name,
        issuer=ISSUER if name else None,
    )


def provisioning_uri(secret: str, account_name: str, params: TotpParams = TotpParams()) -> str:
    return _totp(secret, params, name=account_name).provisioning_uri()


def code_at(secret: str, when: datetime, params: TotpParams = TotpParams()) -> str:
    return _totp(secret, params).at(when)


def verify_totp(
    secret: str,
    code: str,
    when: datetime,
    params: TotpParams = TotpParams(),
    last_used_step: int | None = None,
) -> int | None:
    """Return the time step the code matched, or None.

    A step at or before ``last_used_step`` is refused so a code cannot be replayed.
    """
    code = code.strip()
    if len(code) != params.digits or not code.isdigit():
        return None
    totp = _totp(secret, params)
    current = totp.timecode(when)
    matched = None
    for step in range(current - params.valid_window, current + params.valid_window + 1):
        # Compare every candidate so timing does not reveal which one matched.
        if hmac.compare_digest(totp.generate_otp(step), code) and matched is None:
            matched = step
    if matched is None or (last_used_step is not None and matched <= last_used_step):
        return None
    return matched


# Recovery codes: 10 groups of base32 without look-alike characters (~50 bits each).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_COUNT = 10


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Clear codes shown once to the user, formatted ``xxxxx-xxxxx``."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def hash_recovery_codes(codes: list[str], keyed_hash: Callable[[str], str]) -> list[str]:
    return [keyed_hash(_normalise_recovery(code)) for code in codes]


def use_recovery_code(
    code: str, stored_hashes: list[str], keyed_hash: Callable[[str], str]
) -> list[str] | None:
    """The remaining hashes once ``code`` is spent, or None when it matches none."""
    candidate = keyed_hash(_normalise_recovery(code))
    remaining = []
    found = False
    for stored in stored_hashes:
        if not found and hmac.compare_digest(stored, candidate):
            found = True
            continue
        remaining.append(stored)
    return remaining if found else None
