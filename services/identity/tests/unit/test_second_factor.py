"""Step-up for the second factor, session ends and security notices, on fakes."""

from datetime import date

import pyotp
import pytest

from identity import handlers, recovery, sessions, twofactor
from identity.domain.errors import AuthenticationFailed, Forbidden, OtpRejected, ValidationFailed
from identity.domain.totp import code_at

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


def alerts(svc):
    return [e["data"] for e in svc.repo.events if e["type"] == "identity.security_alert"]


@pytest.fixture
def user_id(svc):
    started = handlers.register(svc, handlers.Register(**CITIZEN))
    code = last_code(svc, started["challenge_id"])
    return handlers.verify_registration(
        svc, handlers.VerifyRegistration(started["challenge_id"], code)
    )["user_id"]


def sign_in(svc, user_id) -> str:
    """A new session's id (what its access tokens carry as ``sid``)."""
    sessions.issue_session(svc, svc.repo.get_user(user_id))
    return list(svc.repo.families)[-1]  # the fixed clock: the newest is the last added


def enrol(svc, user_id, session_id) -> str:
    setup = twofactor.start_totp(svc, twofactor.StartTotp(user_id, CITIZEN["password"]))
    otp = last_code(svc, setup["challenge_id"])
    code = code_at(setup["secret"], svc.clock.now())
    twofactor.confirm_totp(
        svc, twofactor.ConfirmTotp(user_id, setup["challenge_id"], otp, code, session_id)
    )
    return setup["secret"]


def test_enrolment_refuses_a_wrong_password_before_sending_anything(svc, user_id):
    sent = len(svc.repo.events)
    with pytest.raises(AuthenticationFailed) as info:
        twofactor.start_totp(svc, twofactor.StartTotp(user_id, "Khong-Dung-1"))
    assert "password" in info.value.errors and len(svc.repo.events) == sent


def test_the_code_goes_to_the_accounts_own_phone_and_a_wrong_one_enables_nothing(svc, user_id):
    setup = twofactor.start_totp(svc, twofactor.StartTotp(user_id, CITIZEN["password"]))
    sent = next(
        e for e in svc.repo.events if e["data"].get("challenge_id") == setup["challenge_id"]
    )
    assert (
        sent["data"]["destination"] == "+84912345678" and sent["data"]["purpose"] == "totp_enable"
    )
    code = code_at(setup["secret"], svc.clock.now())
    otp = last_code(svc, setup["challenge_id"])
    wrong = f"{(int(otp) + 1) % 10**6:06d}"
    with pytest.raises(OtpRejected) as info:
        twofactor.confirm_totp(
            svc, twofactor.ConfirmTotp(user_id, setup["challenge_id"], wrong, code)
        )
    assert "otp" in info.value.errors
    with pytest.raises(ValidationFailed):  # a wrong app code costs no try of the sent code
        twofactor.confirm_totp(
            svc, twofactor.ConfirmTotp(user_id, setup["challenge_id"], otp, "000000")
        )
    assert "totp" not in svc.repo.users[user_id] and alerts(svc) == []


def test_enrolling_ends_the_other_sessions_keeps_the_callers_and_tells_the_owner(svc, user_id):
    mine, other = sign_in(svc, user_id), sign_in(svc, user_id)
    enrol(svc, user_id, mine)
    assert svc.revocations.is_revoked(other) and not svc.revocations.is_revoked(mine)
    assert svc.revocations.revoked[other] == 960  # the access-token lifetime and a margin
    assert alerts(svc) == [{"user_id": user_id, "kind": "totp_enabled", "at": alerts(svc)[0]["at"]}]


def test_removal_is_password_then_code_and_tells_the_owner(svc, user_id):
    mine = sign_in(svc, user_id)
    enrol(svc, user_id, mine)
    sent = twofactor.remove_totp(svc, twofactor.RemoveTotp(user_id, password=CITIZEN["password"]))
    assert "totp" in svc.repo.users[user_id] and sent["channel"] == "sms"
    code = last_code(svc, sent["challenge_id"])
    twofactor.remove_totp(
        svc, twofactor.RemoveTotp(user_id, challenge_id=sent["challenge_id"], otp=code)
    )
    assert "totp" not in svc.repo.users[user_id]
    assert [a["kind"] for a in alerts(svc)] == ["totp_enabled", "totp_removed"]


def test_a_citizens_reset_removes_the_totp_and_ends_every_session(svc, user_id):
    mine = sign_in(svc, user_id)
    enrol(svc, user_id, mine)
    started = recovery.forgot_password(svc, recovery.ForgotPassword(CITIZEN["phone"]))
    code = last_code(svc, started["challenge_id"])
    recovery.reset_password(
        svc, recovery.ResetPassword(started["challenge_id"], code, "Lay-Lai-Tai-Khoan-2027")
    )
    assert "totp" not in svc.repo.users[user_id] and svc.revocations.is_revoked(mine)
    assert alerts(svc)[-1]["kind"] == "account_recovered"


@pytest.fixture
def staff(svc):
    from identity.profile import CreateStaff, create_staff

    def make(email, role="officer"):
        made = create_staff(
            svc,
            CreateStaff(
                full_name="Trần Văn Bình",
                email=email,
                role=role,
                agency="000.00.31.H29" if role == "officer" else None,
                province="79" if role == "officer" else None,
            ),
        )
        secret = pyotp.random_base32()
        user = svc.repo.users[made["id"]]
        user["totp"] = twofactor._totp_record(svc, secret)[0]
        return made["id"], made["initial_password"], secret

    return make


def test_a_staff_reset_keeps_the_totp_and_removal_is_refused(svc, staff):
    officer_id, password, _ = staff("binh@hcm.gov.vn")
    with pytest.raises(Forbidden):
        twofactor.remove_totp(svc, twofactor.RemoveTotp(officer_id, password=password))
    started = recovery.forgot_password(svc, recovery.ForgotPassword("binh@hcm.gov.vn"))
    code = last_code(svc, started["challenge_id"])
    recovery.reset_password(
        svc, recovery.ResetPassword(started["challenge_id"], code, "Moi-Hon-2027!x")
    )
    assert "totp" in svc.repo.users[officer_id]
    assert alerts(svc)[-1] == {**alerts(svc)[-1], "user_id": officer_id, "kind": "password_changed"}


def test_an_admin_clears_a_staff_enrolment_with_their_own_password_and_code(svc, staff):
    officer_id, _, _ = staff("binh@hcm.gov.vn")
    admin_id, admin_password, admin_secret = staff("qt@motcua.vn", role="admin")
    session = sign_in(svc, officer_id)
    now_code = code_at(admin_secret, svc.clock.now())
    with pytest.raises(AuthenticationFailed):
        twofactor.reset_staff_totp(
            svc, twofactor.ResetStaffTotp(admin_id, officer_id, "sai", now_code)
        )
    with pytest.raises(Forbidden):
        twofactor.reset_staff_totp(
            svc, twofactor.ResetStaffTotp(admin_id, admin_id, admin_password, now_code)
        )
    twofactor.reset_staff_totp(
        svc, twofactor.ResetStaffTotp(admin_id, officer_id, admin_password, now_code)
    )
    assert "totp" not in svc.repo.users[officer_id] and svc.revocations.is_revoked(session)
    with pytest.raises(AuthenticationFailed):  # the admin's code is not good twice
        twofactor.reset_staff_totp(
            svc, twofactor.ResetStaffTotp(admin_id, officer_id, admin_password, now_code)
        )
