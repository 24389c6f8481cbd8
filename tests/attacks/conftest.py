"""Fixtures for the attack tests (issue 9): ONE platform for the whole attacks session (start-up
costs ~10 s), with the actors every attack needs: citizens A and B, an officer of the agency
A's dossier went to, an officer of another province's agency, and an admin (identity's CLI).

Rate limits are opened wide for signed-in callers and for sign-in endpoints (the suite signs in
several accounts and schemathesis calls a lot); the anonymous tracking lookup keeps a low limit
so the enumeration test can prove it.
"""
from __future__ import annotations

import random
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infra.local import journeys
from infra.local.runner import RunningStack
from servicekit.local import ensure_rabbitmq

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from attack_support import LOOKUP_LIMIT, PASSWORD, Actors  # noqa: E402


def _rabbitmqctl(*args: str) -> None:
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    subprocess.run([ctl, "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def attack_amqp_url():
    """A RabbitMQ virtual host for the session's one platform (servicekit's is per test)."""
    ensure_rabbitmq()
    vhost = f"motcua-attacks-{uuid.uuid4().hex[:10]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    _rabbitmqctl("delete_vhost", vhost)


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    """identity's token signing key for this platform (so tests can mint expired tokens)."""
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, attack_amqp_url, signing_key):
    var = tmp_path_factory.mktemp("attacks") / "var"
    tag = uuid.uuid4().hex[:8]
    running = RunningStack(var, attack_amqp_url, extra_env={
        "LOG_LEVEL": "WARNING",
        "IDENTITY_JWT_PRIVATE_KEY": signing_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode(),
        "RATE_LIMIT_USER": "100000/minute", "RATE_LIMIT_AUTH": "100000/minute",
        "RATE_LIMIT_ANONYMOUS": "100000/minute", "RATE_LIMIT_LOOKUP": "100000/minute",
        "LOOKUP_RATE_LIMIT": f"{LOOKUP_LIMIT}/minute",
        "RATE_LIMIT_PREFIX": f"attacks-gateway-{tag}",
        "RATELIMIT_KEY_PREFIX": f"attacks-tracking-{tag}",
    })
    running.start()
    yield running
    running.stop()


def create_admin(stack: RunningStack) -> dict[str, str]:
    admin = {"email": f"quantri{random.randrange(10**8)}@example.vn", "password": PASSWORD}
    result = subprocess.run(
        [sys.executable, "-m", "identity.cli", "create-admin", "--email", admin["email"],
         "--full-name", "Trần Văn Quản Trị", "--password-stdin", "--another"],
        input=admin["password"] + "\n", env=stack.service_env(), capture_output=True,
        text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, f"identity CLI create-admin failed: {result.stderr}"
    return admin


def staff_sign_in(api: journeys.Api, email: str, password: str) -> journeys.Api:
    """First sign-in of a staff account: enrol TOTP with the returned secret, get tokens."""
    import pyotp

    challenge = api.json("POST", "/api/identity/login",
                         json={"username": email, "password": password})
    assert challenge["method"] == "totp_enrolment", challenge
    code = pyotp.TOTP(challenge["totp"]["secret"]).now()
    tokens = api.json("POST", "/api/identity/login/verify",
                      json={"challenge_id": challenge["challenge_id"], "code": code})
    return api.as_user(tokens["access_token"])


def create_officer(api: journeys.Api, admin: journeys.Api, agency: str, province: str
                   ) -> journeys.Api:
    email = f"canbo{random.randrange(10**8)}@example.vn"
    created = admin.json("POST", "/api/identity/officers", json={
        "full_name": "Lê Văn Cán Bộ", "email": email, "role": "officer",
        "agency": agency, "province": province}, expect=(201,))
    return staff_sign_in(api, email, created["initial_password"])


def _agency_province(api: journeys.Api, code: str) -> str:
    agency = api.json("GET", f"/api/catalog/agencies/{code}")
    return str(agency.get("province") or agency.get("province_code"))


def _other_province_agency(api: journeys.Api, province: str) -> tuple[str, str]:
    page = api.json("GET", "/api/catalog/agencies", params={"per_page": 100})
    for agency in page["items"]:
        other = str(agency.get("province") or agency.get("province_code"))
        if other != province:
            return agency["code"], other
    raise AssertionError("no agency of another province in the seed")


@pytest.fixture(scope="session")
def actors(stack) -> Actors:
    base = stack.url()
    api = journeys.Api(base)
    person_a, citizen_a = journeys.citizen(api)
    person_b, citizen_b = journeys.citizen(
        journeys.Api(base), journeys.Person.random(full_name="Trần Thị Bình"))
    admin_login = create_admin(stack)
    admin = staff_sign_in(journeys.Api(base), admin_login["email"], admin_login["password"])
    agency = journeys.first_agency(api)
    province = _agency_province(api, agency)
    other_agency, other_province = _other_province_agency(api, province)
    officer = create_officer(journeys.Api(base), admin, agency, province)
    other_officer = create_officer(journeys.Api(base), admin, other_agency, other_province)

    draft_id = journeys.prepare_draft(citizen_a, person_a, journeys.BIRTH_REGISTRATION, agency)
    dossier = citizen_a.json("POST", f"/api/submission/dossiers/{draft_id}/submit")
    full = citizen_a.json("GET", f"/api/submission/dossiers/{draft_id}")
    attachment_id = full["attachments"][0]["id"]
    journeys.wait_visible(base, dossier["code"])
    second_draft = journeys.prepare_draft(citizen_a, person_a, journeys.BIRTH_REGISTRATION,
                                          agency)
    return Actors(base, api, citizen_a, person_a, citizen_b, person_b, officer, other_officer,
                  admin, agency, other_agency, {**full, **dossier}, attachment_id, second_draft)
