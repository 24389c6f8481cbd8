"""Wiring: everything a handler needs, built once from settings (or fakes in tests)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import timedelta

from argon2 import PasswordHasher
from pymongo.database import Database

from identity.domain.clock import Clock, SystemClock
from identity.domain.otp import OtpHasher, OtpPolicy
from identity.domain.passwords import PasswordHashing
from identity.domain.pii import BlindIndex, PersonalDataVault, PiiCipher, parse_keyring
from identity.domain.throttling import Limit, ThrottlePolicy
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
    throttling: ThrottlePolicy = field(default_factory=ThrottlePolicy)
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
        ),
        throttling=throttle_policy(settings),
        refresh=RefreshPolicy(
            token_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
            family_ttl=timedelta(seconds=settings.session_max_seconds),
        ),
        revocations=RedisRevocations.from_settings(settings),
        consent_text_version=settings.consent_text_version,
        default_otp_channel=settings.default_otp_channel,
    )


def throttle_policy(settings) -> ThrottlePolicy:
    """The limits of ``domain.throttling`` from the settings (README, "Limits")."""
    login_window = timedelta(seconds=settings.login_failure_window_seconds)
    hour = timedelta(hours=1)
    return ThrottlePolicy(
        password=Limit(settings.login_max_failures, login_window),
        password_account=Limit(settings.login_account_max_failures, login_window),
        step_up=Limit(settings.step_up_max_failures, login_window),
        second_factor=Limit(
            settings.second_factor_max_failures,
            timedelta(seconds=settings.second_factor_window_seconds),
        ),
        refresh=Limit(
            settings.refresh_max_per_family, timedelta(seconds=settings.refresh_window_seconds)
        ),
        sends=Limit(settings.otp_max_sends_per_hour, hour),
        reset_sends_per_account=Limit(settings.otp_reset_sends_per_account_per_hour, hour),
        register_sends_per_client=Limit(settings.otp_register_sends_per_client_per_hour, hour),
        known_client_for=timedelta(days=settings.known_client_days),
    )
