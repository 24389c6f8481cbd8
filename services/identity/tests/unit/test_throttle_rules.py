"""Limits that follow the abuser, on the identity fake (issue 20: findings 6, 7, 8, 10, 16)."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from prometheus_client import REGISTRY

from identity import handlers, profile, recovery, sessions
from identity.domain.errors import AuthenticationFailed, OtpRejected, TooManyAttempts
from identity.domain.throttling import Limit
from identity.domain.totp import code_at

CITIZEN = dict(
    cccd="001090012345",
    full_name="Nguyễn Thị Hoa",
    date_of_birth=date(1990, 5, 1),
    phone="0912345678",
    email="hoa@example.vn",
    password="Hoa-Sen-2026!",
)
WRONG = "Khong-Dung-1"
HOME, ATTACKER = "198.51.100.20", "203.0.113.7"


def sent(svc, challenge_id):
    """The code sent for a challenge (None when nothing was sent)."""
    return next(
        (
            e["data"]["code"]
            for e in reversed(svc.repo.events)
            if e["type"] == "identity.otp_requested" and e["data"]["challenge_id"] == challenge_id
        ),
        None,
    )


def alerts(svc, kind):
    return [
        e
        for e in svc.repo.events
        if e["type"] == "identity.security_alert" and e["data"]["kind"] == kind
    ]


def register(svc, ip=HOME, **changes):
    started = handlers.register(svc, handlers.Register(**{**CITIZEN, **changes}, ip=ip))
    code = sent(svc, started["challenge_id"])
    return handlers.verify_registration(
        svc, handlers.VerifyRegistration(started["challenge_id"], code)
    )["user_id"]


def login(svc, username=CITIZEN["cccd"], password=CITIZEN["password"], ip=HOME):
    return handlers.login(svc, handlers.Login(username, password, ip=ip))


def sign_in(svc, ip=HOME, password=CITIZEN["password"]):
    started = login(svc, password=password, ip=ip)
    return handlers.verify_login(
        svc, handlers.VerifyLogin(started["challenge_id"], sent(svc, started["challenge_id"]))
    )


def decoy(svc, n, phone=CITIZEN["phone"], ip=ATTACKER):
    """A registration of someone else reusing ``phone``."""
    cccd = f"0010900{n:05d}"
    return handlers.register(
        svc,
        handlers.Register(
            **{**CITIZEN, "cccd": cccd, "phone": phone, "email": f"d{n}@example.vn"}, ip=ip
        ),
    )


# -- 6: sends ---------------------------------------------------------------------------------


def test_decoys_reusing_her_phone_do_not_spend_her_sign_in_or_reset_sends(svc):
    register(svc)
    refused = 0
    for n in range(6):
        try:
            decoy(svc, n)
        except TooManyAttempts as exc:
            refused += 1
            assert exc.retry_after and exc.retry_after > 3000
    assert refused == 2  # her registration and four decoys filled the phone's registrations
    started = login(svc)
    assert sent(svc, started["challenge_id"])
    forgot = recovery.forgot_password(svc, recovery.ForgotPassword(CITIZEN["cccd"], ip=HOME))
    assert sent(svc, forgot["challenge_id"])


def test_registrations_are_also_charged_per_client_address(svc):
    svc.throttling = replace(
        svc.throttling, register_sends_per_client=Limit(3, timedelta(hours=1))
    )
    for n in range(3):
        decoy(svc, n, phone=f"09123456{n:02d}")
    with pytest.raises(TooManyAttempts):
        decoy(svc, 3, phone="0912345699")
    assert decoy(svc, 4, phone="0912345698", ip=HOME)["challenge_id"]


def test_forgot_answers_the_same_for_owner_and_stranger_with_the_quota_full(svc):
    register(svc)
    for _ in range(5):
        recovery.forgot_password(svc, recovery.ForgotPassword(CITIZEN["cccd"], ip=ATTACKER))
    before = len(svc.repo.events)
    owner = recovery.forgot_password(svc, recovery.ForgotPassword(CITIZEN["cccd"], ip=ATTACKER))
    stranger = recovery.forgot_password(
        svc, recovery.ForgotPassword("079301123456", ip=ATTACKER)
    )
    assert {k: v for k, v in owner.items() if k != "challenge_id"} == {
        k: v for k, v in stranger.items() if k != "challenge_id"
    }
    assert len(svc.repo.events) == before  # the refused send sent nothing
    assert any(a["outcome"] == "refused_quietly" for a in svc.repo.audits)
    # her own client still gets a code
    mine = recovery.forgot_password(svc, recovery.ForgotPassword(CITIZEN["cccd"], ip=HOME))
    assert sent(svc, mine["challenge_id"])


def test_a_quietly_refused_reset_resend_answers_as_usual_and_voids_the_old_code(svc, clock):
    register(svc)
    svc.otp_policy = replace(svc.otp_policy, resend_cooldown=timedelta(0))
    started = recovery.forgot_password(svc, recovery.ForgotPassword(CITIZEN["cccd"], ip=ATTACKER))
    old = sent(svc, started["challenge_id"])
    for _ in range(4):
        handlers.resend_code(svc, handlers.ResendCode(started["challenge_id"], ip=ATTACKER))
    old = sent(svc, started["challenge_id"])
    quiet = handlers.resend_code(svc, handlers.ResendCode(started["challenge_id"], ip=ATTACKER))
    assert set(quiet) == {"challenge_id", "channel", "expires_in"}
    assert sent(svc, started["challenge_id"]) == old  # nothing new was sent
    with pytest.raises(OtpRejected, match="không đúng"):
        recovery.reset_password(
            svc, recovery.ResetPassword(started["challenge_id"], old, "Mat-Khau-Moi-2027")
        )


def test_a_refused_registration_send_says_when_to_come_back(svc, clock):
    for n in range(5):
        decoy(svc, n)
        clock.advance(minutes=10)
    with pytest.raises(TooManyAttempts) as info:
        decoy(svc, 9)
    assert info.value.retry_after == 10 * 60  # when the first of the five is an hour old
    assert "một giờ" in info.value.message


# -- 7: second factor -------------------------------------------------------------------------


@pytest.fixture
def staff(svc, clock):
    """An admin who enrolled TOTP at the first sign-in: (user id, secret)."""
    made = profile.create_staff(
        svc,
        profile.CreateStaff(
            full_name="Trần Quản Trị", email="qt@example.vn", role="admin", password="Qt-2026-an!"
        ),
    )
    first = handlers.login(svc, handlers.Login("qt@example.vn", "Qt-2026-an!", ip=HOME))
    secret = first["totp"]["secret"]
    handlers.verify_login(
        svc, handlers.VerifyLogin(first["challenge_id"], code_at(secret, clock.now()))
    )
    clock.advance(minutes=1)
    return made["id"], secret


def wrong_totp(secret, clock):
    valid = {code_at(secret, clock.now() + timedelta(seconds=s)) for s in (-30, 0, 30)}
    return next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in valid)


def staff_login(svc):
    return handlers.login(svc, handlers.Login("qt@example.vn", "Qt-2026-an!", ip=ATTACKER))


def test_second_factor_failures_count_per_account_across_challenges(svc, clock, staff):
    user_id, secret = staff
    counted = REGISTRY.get_sample_value(
        "identity_security_alerts_total", {"kind": "second_factor_locked"}
    ) or 0
    checked = 0
    with pytest.raises(TooManyAttempts) as info:
        for _ in range(5):
            started = staff_login(svc)
            for _ in range(5):
                guess = handlers.VerifyLogin(started["challenge_id"], wrong_totp(secret, clock))
                with pytest.raises(OtpRejected, match="không đúng"):
                    handlers.verify_login(svc, guess)
                checked += 1
                if checked == 10:
                    break
            if checked == 10:
                staff_login(svc)  # the password is right, but the second factor is locked
    assert checked == 10
    assert "Xác thực hai lớp" in info.value.message and info.value.retry_after > 3000
    assert [a["data"]["user_id"] for a in alerts(svc, "second_factor_locked")] == [user_id]
    assert {"action": "second_factor", "outcome": "locked"}.items() <= next(
        a for a in svc.repo.audits if a["action"] == "second_factor"
    ).items()
    assert REGISTRY.get_sample_value(
        "identity_security_alerts_total", {"kind": "second_factor_locked"}
    ) == counted + 1
    clock.advance(hours=1)
    again = staff_login(svc)
    assert handlers.verify_login(
        svc, handlers.VerifyLogin(again["challenge_id"], code_at(secret, clock.now()))
    )["access_token"]


def test_a_challenge_opened_before_the_lock_checks_no_code_during_it(svc, clock, staff):
    _, secret = staff
    spare = staff_login(svc)
    for _ in range(2):
        started = staff_login(svc)
        for _ in range(5):
            with pytest.raises(OtpRejected, match="không đúng"):
                handlers.verify_login(
                    svc, handlers.VerifyLogin(started["challenge_id"], wrong_totp(secret, clock))
                )
    with pytest.raises(TooManyAttempts):
        handlers.verify_login(
            svc, handlers.VerifyLogin(spare["challenge_id"], code_at(secret, clock.now()))
        )
    assert svc.repo.challenges[spare["challenge_id"]].attempts == 0


def test_sms_code_failures_count_too_and_right_codes_do_not(svc, clock):
    register(svc)
    for _ in range(3):
        started = login(svc)
        for _ in range(3):
            with pytest.raises(OtpRejected, match="không đúng"):
                handlers.verify_login(svc, handlers.VerifyLogin(started["challenge_id"], "x"))
        handlers.verify_login(
            svc, handlers.VerifyLogin(started["challenge_id"], sent(svc, started["challenge_id"]))
        )
        clock.advance(minutes=1)
    started = login(svc)  # nine failures: one left
    with pytest.raises(OtpRejected, match="không đúng"):
        handlers.verify_login(svc, handlers.VerifyLogin(started["challenge_id"], "x"))
    with pytest.raises(TooManyAttempts):
        login(svc)
    assert len(alerts(svc, "second_factor_locked")) == 1


# -- 8: step-up passwords ---------------------------------------------------------------------


def test_step_up_checks_share_one_limit_per_account(svc, clock):
    user_id = register(svc)
    new = "Mat-Khau-Moi-2027"
    tries = [
        lambda p: profile.change_password(svc, profile.ChangePassword(user_id, p, new)),
        lambda p: profile.update_profile(
            svc, profile.UpdateProfile(user_id, {"phone": "0987654321", "current_password": p})
        ),
        lambda p: profile.delete_account(svc, profile.DeleteAccount(user_id, p)),
    ]
    for attempt in [*tries, *tries[:2]]:
        with pytest.raises(AuthenticationFailed):
            attempt(WRONG)
    for attempt in tries:  # not even the right password is checked now
        with pytest.raises(TooManyAttempts) as info:
            attempt(CITIZEN["password"])
        assert info.value.retry_after >= 899
    clock.advance(minutes=15)
    profile.change_password(svc, profile.ChangePassword(user_id, CITIZEN["password"], new))


def test_sign_in_failures_from_outside_do_not_block_the_owners_step_up(svc):
    user_id = register(svc)
    for n in range(10):
        with pytest.raises((AuthenticationFailed, TooManyAttempts)):
            login(svc, password=WRONG, ip=f"203.0.113.{n // 4}")
    profile.change_password(
        svc, profile.ChangePassword(user_id, CITIZEN["password"], "Mat-Khau-Moi-2027")
    )


# -- 10: sign-in passwords --------------------------------------------------------------------


def test_failures_hold_one_username_form_from_one_client_only(svc, clock):
    register(svc)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            login(svc, password=WRONG, ip=ATTACKER)
    with pytest.raises(TooManyAttempts) as info:
        login(svc, ip=ATTACKER)
    assert info.value.retry_after == 900
    assert "0912" not in info.value.message and "@" not in info.value.message
    with pytest.raises(AuthenticationFailed):  # her phone from the same client: not held
        login(svc, username=CITIZEN["phone"], password=WRONG, ip=ATTACKER)
    assert login(svc, ip=HOME)["challenge_id"]  # her own client, the same CCCD
    clock.advance(minutes=15)
    assert login(svc, ip=ATTACKER)["challenge_id"]


def test_a_success_wipes_that_forms_failures_from_that_client(svc):
    register(svc)
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            login(svc, password=WRONG)
    login(svc)
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            login(svc, password=WRONG)
    assert login(svc)["challenge_id"]


def test_guessing_from_many_clients_guards_the_account_and_alerts_once(svc, clock):
    user_id = register(svc)
    sign_in(svc, ip=HOME)
    for n in range(25):
        with pytest.raises(AuthenticationFailed):
            login(svc, password=WRONG, ip=f"203.0.113.{n // 4}")
    assert [a["data"]["user_id"] for a in alerts(svc, "password_guessing")] == [user_id]
    # from a client never seen, the right password gets the wrong-password answer
    with pytest.raises(AuthenticationFailed):
        login(svc, ip="192.0.2.1")
    assert svc.repo.audits[-1]["outcome"] == "guarded_unknown_client"
    assert login(svc, ip=HOME)["challenge_id"]  # where she signed in before: in
    # proving the contact channel (a reset) from a new client lets that client in
    forgot = recovery.forgot_password(svc, recovery.ForgotPassword(CITIZEN["cccd"], ip="192.0.2.9"))
    recovery.reset_password(
        svc,
        recovery.ResetPassword(
            forgot["challenge_id"], sent(svc, forgot["challenge_id"]), "Mat-Khau-Moi-2027",
            ip="192.0.2.9",
        ),
    )
    for n in range(25):  # and the guessing goes on
        with pytest.raises((AuthenticationFailed, TooManyAttempts)):
            login(svc, password=WRONG, ip=f"203.0.114.{n // 4}")
    assert sign_in(svc, ip="192.0.2.9", password="Mat-Khau-Moi-2027")["access_token"]
    assert len(alerts(svc, "password_guessing")) == 1  # one notice per window


def test_unknown_usernames_take_the_same_steps(svc):
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            login(svc, username="0987654321", password=WRONG, ip=ATTACKER)
    with pytest.raises(TooManyAttempts):
        login(svc, username="0987654321", password=WRONG, ip=ATTACKER)
    with pytest.raises(AuthenticationFailed):
        login(svc, username="0987654321", password=WRONG, ip=HOME)


# -- 16: refresh per family, and normal use ---------------------------------------------------


def test_refresh_is_limited_per_family_and_reuse_still_revokes(svc, clock):
    register(svc)
    first, second = sign_in(svc), sign_in(svc)
    token = first["refresh_token"]
    spent = token
    for _ in range(30):
        token = sessions.refresh_tokens(svc, sessions.RefreshTokens(token))["refresh_token"]
    with pytest.raises(TooManyAttempts) as info:
        sessions.refresh_tokens(svc, sessions.RefreshTokens(token))
    assert info.value.retry_after == 900 and "làm mới" in info.value.message
    assert sessions.refresh_tokens(svc, sessions.RefreshTokens(second["refresh_token"]))
    with pytest.raises(AuthenticationFailed):  # a spent token is a reuse, limit or not
        sessions.refresh_tokens(svc, sessions.RefreshTokens(spent))
    with pytest.raises(AuthenticationFailed):
        sessions.refresh_tokens(svc, sessions.RefreshTokens(token))


def test_a_citizen_using_the_service_normally_is_never_refused(svc, clock):
    register(svc)
    for _ in range(3):  # three sign-ins in the hour, a typo each time
        with pytest.raises(AuthenticationFailed):
            login(svc, password=WRONG)
        tokens = sign_in(svc)
        for _ in range(8):  # the portal refreshes shortly before each 15-minute token expires
            clock.advance(minutes=14)
            tokens = sessions.refresh_tokens(svc, sessions.RefreshTokens(tokens["refresh_token"]))
        clock.advance(minutes=5)
    forgot = recovery.forgot_password(svc, recovery.ForgotPassword(CITIZEN["cccd"], ip=HOME))
    assert sent(svc, forgot["challenge_id"])
