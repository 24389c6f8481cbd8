"""TOTP enrolment and login, officers created by an admin, the first-admin CLI."""

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import jwt
import pyotp
import pytest


def next_code(secret: str) -> str:
    """A code for the next time step: accepted (one step of drift) and never a replay."""
    return pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))


def test_citizen_enrols_totp_then_logs_in_with_it(client, flows, auth, citizen, events):
    flows.register()
    tokens = flows.login()
    setup = client.post("/me/totp", headers=auth(tokens), json={})
    assert setup.status_code == 200
    secret = setup.json["secret"]
    assert setup.json["otpauth_uri"].startswith("otpauth://totp/")
    assert setup.json["qr_png"].startswith("data:image/png;base64,")

    wrong = client.post("/me/totp/confirm", headers=auth(tokens), json={"code": "000000"})
    assert wrong.status_code == 422 and "code" in wrong.json["errors"]
    confirmed = client.post(
        "/me/totp/confirm", headers=auth(tokens), json={"code": pyotp.TOTP(secret).now()}
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
