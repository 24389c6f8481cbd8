"""Wiring: everything a handler needs, built once from settings (or fakes in tests)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import timedelta

from argon2 import PasswordHasher
from pymongo.database import Database

from identity.domain.clock import Clock, SystemClock
from identity.domain.lockout import LockoutPolicy
from identity.domain.otp import OtpHasher, OtpPolicy
from identity.domain.passwords import PasswordHashing
from identity.domain.pii import BlindIndex, PersonalDataVault, PiiCipher, parse_keyring
from identity.domain.tokens import RefreshPolicy
from identity.domain.totp import TotpParams
from identity.keys import AccessTokenIssuer, SigningKeys
from identity.repository import Repository
from servicekit.revocation import MemoryRevocations, RedisRevocations

SOURCE = "identity"


@dataclass
class Services:
    repo: Repository
    vault: PersonalDataVault
    passwords: PasswordHashing
    otp_hasher: OtpHasher
    access_tokens: AccessTokenIssuer
    clock: Clock = field(default_factory=SystemClock)
    otp_policy: OtpPolicy = field(default_factory=OtpPolicy)
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    refresh: RefreshPolicy = field(default_factory=RefreshPolicy)
    totp: TotpParams = field(default_factory=TotpParams)
    # the shared deny-list of ended sessions (written here, read by every verifier)
    revocations: RedisRevocations | MemoryRevocations = field(default_factory=MemoryRevocations)
    consent_text_version: str = "2026-11-01"
    default_otp_channel: str = "sms"
    tenant: str | None = None

    @property
    def cipher(self) -> PiiCipher:
        return self.vault.cipher


def _b64key(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def build_services(settings, db: Database, keys: SigningKeys) -> Services:
    """Real adapters from :class:`identity.config.IdentitySettings`."""
    cipher = PiiCipher(parse_keyring(settings.pii_keys), settings.pii_active_key)
    index = BlindIndex(parse_keyring(settings.lookup_keys), settings.lookup_active_key)
    hasher = PasswordHasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
    )
    return Services(
        repo=Repository(db, cipher),
        vault=PersonalDataVault(cipher, index),
        passwords=PasswordHashing(hasher),
        otp_hasher=OtpHasher(_b64key(settings.otp_hash_key)),
        access_tokens=AccessTokenIssuer(
            keys,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        ),
        otp_policy=OtpPolicy(
            ttl=timedelta(seconds=settings.otp_ttl_seconds),
            max_attempts=settings.otp_max_attempts,
            resend_cooldown=timedelta(seconds=settings.otp_resend_cooldown_seconds),
            max_sends_per_window=settings.otp_max_sends_per_hour,
        ),
        lockout=LockoutPolicy(
            max_failures=settings.login_max_failures,
            window=timedelta(seconds=settings.login_failure_window_seconds),
            lock_for=timedelta(seconds=settings.login_lock_seconds),
        ),
        refresh=RefreshPolicy(
            token_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
            family_ttl=timedelta(seconds=settings.session_max_seconds),
        ),
        revocations=RedisRevocations.from_settings(settings),
        consent_text_version=settings.consent_text_version,
        default_otp_channel=settings.default_otp_channel,
    )
