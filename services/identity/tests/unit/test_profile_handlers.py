"""Profile use cases on fakes."""

from datetime import date

import pytest

from identity import handlers, profile, recovery
from identity.domain.errors import AuthenticationFailed, Conflict, OtpRejected, ValidationFailed

CITIZEN = dict(
    cccd="001090012345",
    full_name="Nguyễn Thị Hoa",
    date_of_birth=date(1990, 5, 1),
    phone="0912345678",
    email="hoa@example.vn",
    password="Hoa-Sen-2026!",
)


def last_code(svc, challenge_id):
    return next(
        e["data"]["code"]
        for e in reversed(svc.repo.events)
        if e["data"].get("challenge_id") == challenge_id
    )


@pytest.fixture
def user_id(svc):
    started = handlers.register(svc, handlers.Register(**CITIZEN))
    code = last_code(svc, started["challenge_id"])
    return handlers.verify_registration(
        svc, handlers.VerifyRegistration(started["challenge_id"], code)
    )["user_id"]


def consent(svc, user_id, **change):
    return profile.update_profile(svc, profile.UpdateProfile(user_id, {"autofill_consent": change}))


def test_consent_needs_the_current_text_version(svc, user_id):
    with pytest.raises(ValidationFailed) as info:
        consent(svc, user_id, granted=True, text_version="old")
    assert "autofill_consent" in info.value.errors


def test_consent_grant_then_revoke_keeps_history_and_shares_identifiers_only_meanwhile(
    svc, user_id
):
    granted = consent(svc, user_id, granted=True, text_version=svc.consent_text_version)
    assert granted["autofill_consent"] is True
    shared = svc.repo.events[-1]["data"]
    assert shared["cccd"] == "001090012345" and shared["date_of_birth"] == "1990-05-01"
    # granting again does not pile up records
    consent(svc, user_id, granted=True, text_version=svc.consent_text_version)
    revoked = consent(svc, user_id, granted=False)
    assert revoked["autofill_consent"] is False
    assert len(revoked["consents"]) == 1 and revoked["consents"][0]["revoked_at"]
    assert "cccd" not in svc.repo.events[-1]["data"]


def test_delete_needs_the_password_and_erases(svc, user_id):
    with pytest.raises(AuthenticationFailed):
        profile.delete_account(svc, profile.DeleteAccount(user_id, "wrong"))
    profile.delete_account(svc, profile.DeleteAccount(user_id, CITIZEN["password"]))
    stored = svc.repo.users[user_id]
    assert stored["status"] == "deleted" and "pii" not in stored and "cccd_hash" not in stored
    assert svc.repo.events[-1]["type"] == "identity.user_deleted"


def test_change_password_refuses_the_same_one(svc, user_id):
    with pytest.raises(ValidationFailed):
        profile.change_password(
            svc, profile.ChangePassword(user_id, CITIZEN["password"], CITIZEN["password"])
        )


def test_staff_needs_agency_and_province_codes(svc):
    with pytest.raises(ValidationFailed) as info:
        profile.create_staff(
            svc,
            profile.CreateStaff(full_name="Trần Bình", email="b@x.vn", agency="H29", province="63"),
        )
    assert {"agency", "province"} <= set(info.value.errors)
    made = profile.create_staff(
        svc,
        profile.CreateStaff(
            full_name="Trần Bình", email="b@x.vn", agency="000.00.31.H29", province="79"
        ),
    )
    assert made["initial_password"] and made["role"] == "officer"
    with pytest.raises(Conflict):
        profile.create_staff(
            svc,
            profile.CreateStaff(
                full_name="Trần Bình", email="B@x.vn", agency="000.00.31.H29", province="79"
            ),
        )


def test_password_reset_lifts_lockout_and_ends_sessions(svc, user_id):
    started = handlers.login(svc, handlers.Login(CITIZEN["email"], CITIZEN["password"]))
    code = last_code(svc, started["challenge_id"])
    handlers.verify_login(svc, handlers.VerifyLogin(started["challenge_id"], code))
    assert len(svc.repo.families) == 1
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            handlers.login(svc, handlers.Login(CITIZEN["cccd"], "Khong-Dung-1"))
    started = recovery.forgot_password(svc, recovery.ForgotPassword("0912 345 678"))
    code = last_code(svc, started["challenge_id"])
    with pytest.raises(OtpRejected):
        recovery.reset_password(
            svc,
            recovery.ResetPassword(
                started["challenge_id"], f"{(int(code) + 1) % 10**6:06d}", "Mat-Khau-Moi-2027"
            ),
        )
    recovery.reset_password(
        svc, recovery.ResetPassword(started["challenge_id"], code, "Mat-Khau-Moi-2027")
    )
    assert handlers.login(svc, handlers.Login(CITIZEN["cccd"], "Mat-Khau-Moi-2027"))
    assert [f.revoke_reason for f in svc.repo.families.values()] == ["password_reset"]
