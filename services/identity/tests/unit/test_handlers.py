"""Use cases on fakes (no database, no broker): the rules the HTTP tests also check end to end."""

from datetime import date

import pytest

from identity import handlers, profile, sessions
from identity.domain.errors import (
    AuthenticationFailed,
    OtpRejected,
    TooManyAttempts,
    ValidationFailed,
)

CITIZEN = dict(
    cccd="001090012345",
    full_name="Nguyễn Thị Hoa",
    date_of_birth=date(1990, 5, 1),
    phone="0912345678",
    email="hoa@example.vn",
    password="Hoa-Sen-2026!",
)


def sent_code(svc, challenge_id):
    event = next(
        e
        for e in reversed(svc.repo.events)
        if e["type"] == "identity.otp_requested" and e["data"]["challenge_id"] == challenge_id
    )
    return event["data"]["code"]


def register(svc, **changes):
    started = handlers.register(svc, handlers.Register(**{**CITIZEN, **changes}))
    code = sent_code(svc, started["challenge_id"])
    return handlers.verify_registration(
        svc, handlers.VerifyRegistration(started["challenge_id"], code)
    )["user_id"]


def login(svc, username="0912345678", password=CITIZEN["password"]):
    started = handlers.login(svc, handlers.Login(username, password))
    code = sent_code(svc, started["challenge_id"])
    return handlers.verify_login(svc, handlers.VerifyLogin(started["challenge_id"], code))


def test_registration_stores_only_sealed_personal_data(svc):
    user_id = register(svc)
    stored = repr(svc.repo.users[user_id])
    for clear in ("001090012345", "912345678", "hoa@example.vn", "1990-05-01", "Nguyễn"):
        assert clear not in stored
    assert profile.get_profile(svc, user_id)["cccd"] == "001090012345"


def test_invalid_registration_collects_field_errors(svc):
    with pytest.raises(ValidationFailed) as info:
        handlers.register(
            svc,
            handlers.Register(
                **{**CITIZEN, "cccd": "003090012345", "phone": "123", "password": "short"}
            ),
        )
    assert set(info.value.errors) == {"cccd", "phone", "password"}
    assert svc.repo.events == []


def test_duplicate_registration_is_a_silent_decoy(svc):
    register(svc)
    before = len(svc.repo.events)
    answer = handlers.register(
        svc, handlers.Register(**{**CITIZEN, "phone": "0987654321", "email": "x@example.vn"})
    )
    assert set(answer) == {"challenge_id", "channel", "expires_in"}
    assert len(svc.repo.events) == before  # nothing sent
    with pytest.raises(OtpRejected):
        handlers.verify_registration(
            svc, handlers.VerifyRegistration(answer["challenge_id"], "123456")
        )


def test_login_then_refresh_rotation_and_reuse(svc, clock):
    register(svc)
    tokens = login(svc)
    clock.advance(minutes=1)
    rotated = sessions.refresh_tokens(svc, sessions.RefreshTokens(tokens["refresh_token"]))
    with pytest.raises(AuthenticationFailed):
        sessions.refresh_tokens(svc, sessions.RefreshTokens(tokens["refresh_token"]))
    with pytest.raises(AuthenticationFailed):
        sessions.refresh_tokens(svc, sessions.RefreshTokens(rotated["refresh_token"]))
    family = next(iter(svc.repo.families.values()))
    assert family.revoke_reason == "reuse_detected"


def test_unknown_username_locks_like_a_real_account(svc):
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            handlers.login(svc, handlers.Login("0987654321", "Khong-Dung-1"))
    with pytest.raises(TooManyAttempts):
        handlers.login(svc, handlers.Login("0987654321", "Khong-Dung-1"))


def test_lock_lifts_after_fifteen_minutes(svc, clock):
    register(svc)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            handlers.login(svc, handlers.Login(CITIZEN["cccd"], "Khong-Dung-1"))
    with pytest.raises(TooManyAttempts):
        handlers.login(svc, handlers.Login(CITIZEN["cccd"], CITIZEN["password"]))
    clock.advance(minutes=15)
    assert login(svc, CITIZEN["cccd"])["access_token"]


def test_resend_respects_cooldown_then_voids_old_code(svc, clock):
    started = handlers.register(svc, handlers.Register(**CITIZEN))
    old = sent_code(svc, started["challenge_id"])
    with pytest.raises(TooManyAttempts) as info:
        handlers.resend_code(svc, handlers.ResendCode(started["challenge_id"]))
    assert info.value.retry_after == 60
    clock.advance(seconds=60)
    handlers.resend_code(svc, handlers.ResendCode(started["challenge_id"]))
    new = sent_code(svc, started["challenge_id"])
    if new != old:
        with pytest.raises(OtpRejected):
            handlers.verify_registration(
                svc, handlers.VerifyRegistration(started["challenge_id"], old)
            )
    assert handlers.verify_registration(
        svc, handlers.VerifyRegistration(started["challenge_id"], new)
    )["user_id"]


def test_pending_registration_leaves_the_challenge_once_verified(svc):
    started = handlers.register(svc, handlers.Register(**CITIZEN))
    assert svc.repo.challenges[started["challenge_id"]].payload["pii"]
    code = sent_code(svc, started["challenge_id"])
    handlers.verify_registration(svc, handlers.VerifyRegistration(started["challenge_id"], code))
    assert svc.repo.challenges[started["challenge_id"]].payload == {}


def test_expired_code_refused(svc, clock):
    started = handlers.register(svc, handlers.Register(**CITIZEN))
    code = sent_code(svc, started["challenge_id"])
    clock.advance(minutes=5)
    with pytest.raises(OtpRejected, match="hết hạn"):
        handlers.verify_registration(
            svc, handlers.VerifyRegistration(started["challenge_id"], code)
        )
