"""TOTP enrolment and login, officers created by an admin, the first-admin CLI."""

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import jwt
import pyotp
import pytest


@pytest.fixture
def settings_overrides() -> dict:
    return {"otp_max_sends_per_hour": 50}  # these journeys send more codes than a person would


def next_code(secret: str) -> str:
    """A code for the next time step: accepted (one step of drift) and never a replay."""
    return pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))


def enrol(client, flows, tokens, auth, password) -> tuple[str, list[str]]:
    """The profile's enrolment: password → secret and a code sent to the phone → confirm."""
    setup = client.post("/me/totp", headers=auth(tokens), json={"password": password})
    assert setup.status_code == 200, setup.json
    otp = flows.otp(setup.json["challenge_id"])
    confirmed = client.post(
        "/me/totp/confirm",
        headers=auth(tokens),
        json={
            "challenge_id": setup.json["challenge_id"],
            "otp": otp,
            "code": pyotp.TOTP(setup.json["secret"]).now(),
        },
    )
    assert confirmed.status_code == 200, confirmed.json
    return setup.json["secret"], confirmed.json["recovery_codes"]


def test_citizen_enrols_totp_then_logs_in_with_it(client, flows, auth, citizen, events):
    flows.register()
    tokens = flows.login()
    setup = client.post("/me/totp", headers=auth(tokens), json={"password": citizen["password"]})
    assert setup.status_code == 200
    secret = setup.json["secret"]
    assert setup.json["otpauth_uri"].startswith("otpauth://totp/")
    assert setup.json["qr_png"].startswith("data:image/png;base64,")
    assert setup.json["channel"] == "sms" and setup.json["destination"] == "+8491****678"
    sent = flows.otp(setup.json["challenge_id"])
    challenge = {"challenge_id": setup.json["challenge_id"], "otp": sent}

    wrong = client.post(
        "/me/totp/confirm", headers=auth(tokens), json={**challenge, "code": "000000"}
    )
    assert wrong.status_code == 422 and "code" in wrong.json["errors"]
    confirmed = client.post(
        "/me/totp/confirm",
        headers=auth(tokens),
        json={**challenge, "code": pyotp.TOTP(secret).now()},
    )
    assert confirmed.status_code == 200
    recovery = confirmed.json["recovery_codes"]
    assert len(recovery) == 10

    started = client.post(
        "/login", json={"username": citizen["cccd"], "password": citizen["password"]}
    )
    assert started.json["method"] == "totp"
    sent = [
        e for e in events.events if e["data"].get("challenge_id") == started.json["challenge_id"]
    ]
    assert sent == []  # nothing is sent for an authenticator-app login
    done = client.post(
        "/login/verify",
        json={"challenge_id": started.json["challenge_id"], "code": next_code(secret)},
    )
    assert done.status_code == 200 and done.json["access_token"]

    # a recovery code works once
    for expected in (200, 400):
        started = client.post(
            "/login", json={"username": citizen["cccd"], "password": citizen["password"]}
        )
        used = client.post(
            "/login/verify",
            json={"challenge_id": started.json["challenge_id"], "code": recovery[0]},
        )
        assert used.status_code == expected


def test_enrolment_needs_the_password_and_the_code_sent_to_the_phone(
    client, flows, auth, citizen, mongo_db
):
    flows.register()
    tokens = flows.login()
    missing = client.post("/me/totp", headers=auth(tokens), json={})
    assert missing.status_code == 422 and "password" in missing.json["errors"]
    wrong = client.post("/me/totp", headers=auth(tokens), json={"password": "Khong-Dung-1"})
    assert wrong.status_code == 401 and "password" in wrong.json["errors"]
    setup = client.post("/me/totp", headers=auth(tokens), json={"password": citizen["password"]})
    sent = flows.otp(setup.json["challenge_id"])
    app_code = pyotp.TOTP(setup.json["secret"]).now()
    body = {"challenge_id": setup.json["challenge_id"], "code": app_code}
    no_otp = client.post("/me/totp/confirm", headers=auth(tokens), json=body)
    assert no_otp.status_code == 422 and "otp" in no_otp.json["errors"]
    bad = client.post(
        "/me/totp/confirm", headers=auth(tokens), json={**body, "otp": wrong_otp(sent)}
    )
    assert bad.status_code == 400 and "otp" in bad.json["errors"]
    user = mongo_db.users.find_one({})
    assert "totp" not in user and not client.get("/me", headers=auth(tokens)).json[
        "totp_enabled"
    ]
    # another citizen cannot confirm with this challenge, even holding its code
    flows.register(
        cccd="001090054321", phone="0987654321", email="lan@example.vn", full_name="Lê Thị Lan"
    )
    other = flows.login(username="0987654321")
    stolen = client.post(
        "/me/totp/confirm", headers=auth(other), json={**body, "otp": sent}
    )
    assert stolen.status_code == 400
    assert client.post(
        "/me/totp/confirm", headers=auth(tokens), json={**body, "otp": sent}
    ).status_code == 200


def wrong_otp(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_second_factor_change_tells_the_owner_and_ends_the_other_sessions(
    client, flows, auth, citizen, events
):
    flows.register()
    mine, elsewhere = flows.login(), flows.login()
    enrol(client, flows, mine, auth, citizen["password"])
    alert = events.wait(lambda e: e["type"] == "identity.security_alert")
    assert alert["data"]["kind"] == "totp_enabled" and set(alert["data"]) == {
        "user_id",
        "kind",
        "at",
    }
    assert client.get("/me", headers=auth(mine)).status_code == 200  # the caller's goes on
    assert client.get("/me", headers=auth(elsewhere)).status_code == 401
    refresh = client.post("/token/refresh", json={"refresh_token": elsewhere["refresh_token"]})
    assert refresh.status_code == 401

    # removal: the password sends a code, the code removes it
    assert client.delete("/me/totp", headers=auth(mine), json={}).status_code == 422
    bad = client.delete("/me/totp", headers=auth(mine), json={"password": "Khong-Dung-1"})
    assert bad.status_code == 401
    started = client.delete("/me/totp", headers=auth(mine), json={"password": citizen["password"]})
    assert started.status_code == 202 and started.json["channel"] == "sms"
    code = flows.otp(started.json["challenge_id"])
    removed = client.delete(
        "/me/totp",
        headers=auth(mine),
        json={"challenge_id": started.json["challenge_id"], "otp": code},
    )
    assert removed.status_code == 204
    assert client.get("/me", headers=auth(mine)).json["totp_enabled"] is False
    gone = events.wait(
        lambda e: e["type"] == "identity.security_alert" and e["data"]["kind"] == "totp_removed"
    )
    assert gone["data"]["user_id"] == alert["data"]["user_id"]
    login = client.post(
        "/login", json={"username": citizen["cccd"], "password": citizen["password"]}
    )
    assert login.json["method"] == "sms"


def reset(client, flows, username: str, new_password: str) -> None:
    started = client.post("/password/forgot", json={"username": username})
    code = flows.otp(started.json["challenge_id"])
    done = client.post(
        "/password/reset",
        json={
            "challenge_id": started.json["challenge_id"],
            "code": code,
            "new_password": new_password,
        },
    )
    assert done.status_code == 204, done.json


def test_a_citizens_password_reset_removes_the_totp_and_ends_every_session(
    client, flows, auth, citizen, events, mongo_db
):
    flows.register()
    session = flows.login()
    enrol(client, flows, session, auth, citizen["password"])
    reset(client, flows, citizen["phone"], "Lay-Lai-Tai-Khoan-2027")
    assert client.get("/me", headers=auth(session)).status_code == 401
    assert "totp" not in mongo_db.users.find_one({})
    recovered = events.wait(
        lambda e: e["type"] == "identity.security_alert"
        and e["data"]["kind"] == "account_recovered"
    )
    assert recovered["data"]["user_id"] == mongo_db.users.find_one({})["_id"]
    started = client.post(
        "/login", json={"username": citizen["cccd"], "password": "Lay-Lai-Tai-Khoan-2027"}
    )
    assert started.json["method"] == "sms"


@pytest.fixture
def admin(settings, mongo_url, mongo_db, tmp_path):
    """The first admin, created with the CLI as an operator would."""
    env = {
        "MOTCUA_ENV": "test",
        "MONGO_URL": mongo_url,
        "MONGO_DB": mongo_db.name,
        "IDENTITY_JWT_DEV_KEY_FILE": settings.jwt_dev_key_file,
        "IDENTITY_ARGON2_TIME_COST": "1",
        "IDENTITY_ARGON2_MEMORY_KIB": "8192",
    }
    password = "Quan-Tri-Vien-2026!"
    args = [
        sys.executable,
        "-m",
        "identity.cli",
        "create-admin",
        "--email",
        "admin@motcua.vn",
        "--full-name",
        "Quản Trị Viên",
        "--password-stdin",
    ]
    created = subprocess.run(
        args,
        input=password + "\n",
        env={**env, "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    again = subprocess.run(
        args,
        input=password + "\n",
        env={**env, "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 1  # the first admin exists already
    return {
        "id": json.loads(created.stdout)["id"],
        "email": "admin@motcua.vn",
        "password": password,
    }


def first_login(client, email: str, password: str) -> dict:
    """Staff without TOTP: the login itself walks through enrolment."""
    started = client.post("/login", json={"username": email, "password": password})
    assert started.status_code == 200, started.json
    assert started.json["method"] == "totp_enrolment"
    secret = started.json["totp"]["secret"]
    done = client.post(
        "/login/verify",
        json={"challenge_id": started.json["challenge_id"], "code": pyotp.TOTP(secret).now()},
    )
    assert done.status_code == 200, done.json
    assert len(done.json["recovery_codes"]) == 10
    return {**done.json, "secret": secret}


def test_admin_creates_officer_who_enrols_totp_at_first_login(client, worker, admin, auth, events):
    admin_tokens = first_login(client, admin["email"], admin["password"])
    assert (
        jwt.decode(admin_tokens["access_token"], options={"verify_signature": False})["role"]
        == "admin"
    )

    officer = {
        "full_name": "Trần Văn Bình",
        "email": "binh@hcm.gov.vn",
        "phone": "0903123456",
        "agency": "000.00.31.H29",
        "province": "79",
    }
    bad = client.post(
        "/officers", headers=auth(admin_tokens), json={**officer, "agency": "H29", "province": "63"}
    )
    assert bad.status_code == 422 and {"agency", "province"} <= set(bad.json["errors"])
    created = client.post("/officers", headers=auth(admin_tokens), json=officer)
    assert created.status_code == 201
    initial = created.json["initial_password"]
    registered = events.wait(
        lambda e: e["type"] == "identity.user_registered" and e["data"]["role"] == "officer"
    )
    assert registered["data"]["role"] == "officer" and registered["tenant"] == "79"

    officer_tokens = first_login(client, officer["email"], initial)
    claims = jwt.decode(officer_tokens["access_token"], options={"verify_signature": False})
    assert claims["role"] == "officer"
    assert claims["agency"] == "000.00.31.H29" and claims["province"] == "79"

    # an officer may not create officers
    refused = client.post("/officers", headers=auth(officer_tokens), json=officer)
    assert refused.status_code == 403
    # next login asks for the app code, not a new enrolment
    started = client.post("/login", json={"username": officer["email"], "password": initial})
    assert started.json["method"] == "totp"
    done = client.post(
        "/login/verify",
        json={
            "challenge_id": started.json["challenge_id"],
            "code": next_code(officer_tokens["secret"]),
        },
    )
    assert done.status_code == 200


def test_citizens_cannot_create_officers(client, flows, auth):
    flows.register()
    tokens = flows.login()
    response = client.post(
        "/officers",
        headers=auth(tokens),
        json={"full_name": "Ai Đó", "email": "x@y.vn", "agency": "000.00.31.H29", "province": "79"},
    )
    assert response.status_code == 403


def staff_with_totp(client, worker, admin, auth) -> tuple[dict, dict, dict]:
    """The admin and an officer, both signed in once (so both enrolled an authenticator)."""
    admin_tokens = first_login(client, admin["email"], admin["password"])
    officer = {
        "full_name": "Trần Văn Bình",
        "email": "binh@hcm.gov.vn",
        "agency": "000.00.31.H29",
        "province": "79",
    }
    created = client.post("/officers", headers=auth(admin_tokens), json=officer)
    assert created.status_code == 201
    officer["password"] = created.json["initial_password"]
    officer["id"] = created.json["id"]
    officer_tokens = first_login(client, officer["email"], officer["password"])
    return admin_tokens, officer, officer_tokens


def test_staff_keep_their_totp_through_a_password_reset_and_cannot_remove_it(
    client, worker, admin, auth, flows, events
):
    _admin_tokens, officer, officer_tokens = staff_with_totp(client, worker, admin, auth)
    refused = client.delete(
        "/me/totp", headers=auth(officer_tokens), json={"password": officer["password"]}
    )
    assert refused.status_code == 403 and "quản trị viên" in refused.json["message"]
    reset(client, flows, officer["email"], "Can-Bo-Mat-Khau-Moi-2027")
    assert client.get("/me", headers=auth(officer_tokens)).status_code == 401
    started = client.post(
        "/login", json={"username": officer["email"], "password": "Can-Bo-Mat-Khau-Moi-2027"}
    )
    assert started.json["method"] == "totp"  # the email proved the email, not the app
    changed = events.wait(
        lambda e: e["type"] == "identity.security_alert"
        and e["data"]["user_id"] == officer["id"]
    )
    assert changed["data"]["kind"] == "password_changed"


def test_an_admin_resets_a_staff_members_totp_who_then_enrols_again(
    client, worker, admin, auth, flows, events
):
    admin_tokens, officer, officer_tokens = staff_with_totp(client, worker, admin, auth)
    url = f"/officers/{officer['id']}/totp"
    admin_code = next_code(admin_tokens["secret"])
    assert (
        client.delete(url, headers=auth(officer_tokens), json={"password": "x", "code": "123456"})
    ).status_code == 403
    wrong = client.delete(
        url, headers=auth(admin_tokens), json={"password": admin["password"], "code": "000000"}
    )
    assert wrong.status_code == 401 and "code" in wrong.json["errors"]
    self_reset = client.delete(
        f"/officers/{admin['id']}/totp",
        headers=auth(admin_tokens),
        json={"password": admin["password"], "code": admin_code},
    )
    assert self_reset.status_code == 403
    done = client.delete(
        url, headers=auth(admin_tokens), json={"password": admin["password"], "code": admin_code}
    )
    assert done.status_code == 204, done.json
    assert client.get("/me", headers=auth(officer_tokens)).status_code == 401
    removed = events.wait(
        lambda e: e["type"] == "identity.security_alert"
        and e["data"]["user_id"] == officer["id"]
    )
    assert removed["data"]["kind"] == "totp_removed"
    again = first_login(client, officer["email"], officer["password"])  # enrols a new one
    assert again["secret"] != officer_tokens["secret"]
    unknown = client.delete(
        "/officers/nobody/totp",
        headers=auth(admin_tokens),
        json={"password": admin["password"], "code": next_code(admin_tokens["secret"])},
    )
    assert unknown.status_code in (401, 404)  # the code of this step was used already
