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


def change(svc, user_id, **changes):
    if {"phone", "email"} & set(changes):  # a new contact needs the password (step-up)
        changes.setdefault("current_password", CITIZEN["password"])
    return profile.update_profile(svc, profile.UpdateProfile(user_id, changes))


def confirm(svc, user_id, challenge_id, code):
    return profile.verify_contact_change(
        svc, profile.VerifyContactChange(user_id, challenge_id, code)
    )


def test_a_new_phone_is_applied_only_with_the_code_sent_to_it(svc, user_id):
    started = change(svc, user_id, phone="0383 456 789")
    assert started["channel"] == "sms" and started["destination"] == "+8438****789"
    assert profile.get_profile(svc, user_id)["phone"] == "+84912345678"
    sent = svc.repo.events[-1]
    assert sent["type"] == "identity.otp_requested"
    assert sent["data"]["destination"] == "+84383456789"
    assert sent["data"]["purpose"] == "contact_change"
    code = last_code(svc, started["challenge_id"])
    with pytest.raises(OtpRejected):
        confirm(svc, user_id, started["challenge_id"], f"{(int(code) + 1) % 10**6:06d}")
    assert profile.get_profile(svc, user_id)["phone"] == "+84912345678"
    assert confirm(svc, user_id, started["challenge_id"], code)["phone"] == "+84383456789"
    updated, notice = svc.repo.events[-2:]
    assert updated["type"] == "identity.profile_updated" and updated["data"]["changed"] == ["phone"]
    assert notice["type"] == "identity.contact_changed"
    assert svc.repo.challenges[started["challenge_id"]].payload == {}  # new contact not kept there
    assert [a["outcome"] for a in svc.repo.audits if a["action"] == "contact_change"] == [
        "started",
        "completed",
    ]


def test_the_old_contact_is_told_in_the_write_that_replaces_it(svc, user_id):
    started = change(svc, user_id, email="Moi@Example.vn")
    before = len(svc.repo.events)
    confirm(svc, user_id, started["challenge_id"], last_code(svc, started["challenge_id"]))
    written = svc.repo.events[before:]  # the one update_user call of the change
    assert [e["type"] for e in written] == ["identity.profile_updated", "identity.contact_changed"]
    notice = written[1]
    assert notice["data"] == {
        "user_id": user_id,
        "field": "email",
        "old_destination": "hoa@example.vn",
        "new_destination_masked": "m***@example.vn",
        "changed_at": notice["data"]["changed_at"],
    }
    assert notice["data"]["changed_at"].endswith("Z")
    assert notice["aggregate_id"] == user_id
    assert notice["aggregate_version"] == written[0]["aggregate_version"]


def test_a_first_phone_has_no_old_contact_to_tell(svc):
    made = profile.create_staff(
        svc, profile.CreateStaff(full_name="Trần Bình", email="b@x.vn", role="admin")
    )
    started = change(svc, made["id"], phone="0383456789", current_password=made["initial_password"])
    confirm(svc, made["id"], started["challenge_id"], last_code(svc, started["challenge_id"]))
    assert svc.repo.events[-1]["type"] == "identity.profile_updated"
    assert "identity.contact_changed" not in [e["type"] for e in svc.repo.events]


def test_one_contact_at_a_time_and_an_unchanged_value_is_no_change(svc, user_id):
    with pytest.raises(ValidationFailed) as info:
        change(svc, user_id, phone="0383456789", email="moi@example.vn")
    assert set(info.value.errors) == {"email"}
    same = change(
        svc, user_id, phone="+84 912 345 678", email="HOA@example.vn", otp_channel="email"
    )
    assert same["otp_channel"] == "email" and "challenge_id" not in same


def test_only_the_user_who_asked_can_confirm(svc, user_id):
    started = change(svc, user_id, email="moi@example.vn")
    code = last_code(svc, started["challenge_id"])
    with pytest.raises(OtpRejected):
        confirm(svc, "someone-else", started["challenge_id"], code)
    assert svc.repo.challenges[started["challenge_id"]].attempts == 0
    assert confirm(svc, user_id, started["challenge_id"], code)["email"] == "moi@example.vn"


def test_a_contact_taken_meanwhile_is_refused(svc, user_id):
    started = change(svc, user_id, email="moi@example.vn")
    code = last_code(svc, started["challenge_id"])
    register_other(svc, email="moi@example.vn")  # someone registers it in the meantime
    with pytest.raises(Conflict) as info:
        confirm(svc, user_id, started["challenge_id"], code)
    assert "email" in info.value.errors
    assert profile.get_profile(svc, user_id)["email"] == "hoa@example.vn"


def test_staff_change_contacts_the_same_way(svc):
    made = profile.create_staff(
        svc, profile.CreateStaff(full_name="Trần Bình", email="b@x.vn", role="admin")
    )
    started = change(svc, made["id"], phone="0383456789", current_password=made["initial_password"])
    assert started["channel"] == "sms"
    assert profile.get_profile(svc, made["id"])["phone"] is None


def register_other(svc, **changes):
    other = dict(cccd="079301123456", date_of_birth=date(2001, 1, 31), phone="0977654321")
    started = handlers.register(svc, handlers.Register(**{**CITIZEN, **other, **changes}))
    code = last_code(svc, started["challenge_id"])
    handlers.verify_registration(svc, handlers.VerifyRegistration(started["challenge_id"], code))


def test_the_verified_identity_travels_for_submission_whatever_the_consent(svc, user_id):
    """Issue 20, finding 1: submission binds a citizen's own dossiers to the account's
    identity, a legal necessity of filing, so it is not gated by the autofill consent; the
    autofill copy (top-level ``cccd``, ``date_of_birth``) still is."""
    identity = {"cccd": "001090012345", "full_name": "Nguyễn Thị Hoa",
                "date_of_birth": "1990-05-01"}
    registered = next(e for e in svc.repo.events if e["type"] == "identity.user_registered")
    assert registered["data"]["verified_identity"] == identity
    renamed = profile.update_profile(
        svc, profile.UpdateProfile(user_id, {"full_name": "Nguyễn Thị Hoà"}))
    assert renamed["full_name"] == "Nguyễn Thị Hoà"
    updated = svc.repo.events[-1]["data"]
    assert updated["autofill_consent"] is False and "cccd" not in updated
    assert updated["verified_identity"] == {**identity, "full_name": "Nguyễn Thị Hoà"}


def test_staff_events_carry_no_verified_identity(svc):
    profile.create_staff(svc, profile.CreateStaff(
        full_name="Lê Văn Cán Bộ", email="canbo@example.vn", phone=None, role="officer",
        password="Can-Bo-2026!x", created_by="admin-1", agency="000.00.31.H29", province="79"))
    staff = [e for e in svc.repo.events if e["type"] == "identity.user_registered"]
    assert staff and all("verified_identity" not in e["data"] for e in staff)


def test_accounts_registered_before_can_be_republished_once(svc, user_id):
    """``motcua-identity republish-identities``: one no-change profile_updated per citizen,
    with the verified identity and the consent as it stands (nothing else moves)."""
    from identity.backfill import republish_verified_identities

    consent(svc, user_id, granted=True, text_version=svc.consent_text_version)
    before = len(svc.repo.events)
    assert republish_verified_identities(svc) == 1
    [event] = svc.repo.events[before:]
    assert event["type"] == "identity.profile_updated" and event["data"]["changed"] == []
    assert event["data"]["autofill_consent"] is True
    assert event["data"]["verified_identity"]["cccd"] == "001090012345"
    assert profile.get_profile(svc, user_id)["autofill_consent"] is True
