"""Issue 20, findings 6, 7, 8, 10 and identity's side of 16: identity's limits follow the
abuser (a username form from one client, an account, a token family, a destination), not the
address, and refusals tell nothing about whose phone is whose.

Calls go straight to identity's port, each "client" from its own loopback address (127.x.y.z),
so identity sees them as distinct ``request.remote_addr`` — as it does behind the gateway once
the gateway's forwarded address is trusted. OTP codes are read from notify's development
message list through the gateway, as a developer reads them.
"""
from __future__ import annotations

import random
import time
from typing import Any

import pyotp
import pytest
import requests
from attack_support import PASSWORD, error_shape
from pymongo import MongoClient
from requests.adapters import HTTPAdapter

from infra.local import journeys

NEW_PASSWORD = "Mat-Khau-Moi-2027!"
WRONG_PASSWORD = "Sai-Mat-Khau-2027!"
SECOND_FACTOR_LIMIT = 10  # IDENTITY_SECOND_FACTOR_MAX_FAILURES (default)
PASSWORD_LIMIT = 5  # IDENTITY_LOGIN_MAX_FAILURES: one username form from one client
ACCOUNT_LIMIT = 20  # IDENTITY_LOGIN_ACCOUNT_MAX_FAILURES: one account from every client
REFRESH_LIMIT = 30  # IDENTITY_REFRESH_MAX_PER_FAMILY


class _FromAddress(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Client:
    """One client address talking to identity directly."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.address = "127.{}.{}.{}".format(*(random.randint(1, 254) for _ in range(3)))
        self.session = requests.Session()
        self.session.mount("http://", _FromAddress(self.address))

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any
             ) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.session.request(method, self.base + path, headers=headers, timeout=30,
                                    **kwargs)

    def post(self, path: str, json: dict, token: str | None = None) -> requests.Response:
        return self.call("POST", path, token, json=json)


@pytest.fixture(scope="module")
def identity(stack):
    base = stack.url("IDENTITY_PORT")
    return lambda: Client(base)


@pytest.fixture(scope="module")
def identity_db(stack):
    client = MongoClient(stack.mongo_url)
    yield client["motcua_identity"]
    client.close()


def registered(actors) -> tuple[journeys.Person, str]:
    person = journeys.Person.random()
    return person, journeys.register(actors.api, person)


def sign_in(client: Client, api: journeys.Api, person: journeys.Person,
            password: str | None = None) -> dict:
    """Password, then the OTP that reached the phone → tokens."""
    asked = time.time()
    started = client.post("/login", json={"username": person.cccd,
                                          "password": password or person.password})
    assert started.status_code == 200, started.text
    code = journeys.read_otp(api, person.phone, asked)
    done = client.post("/login/verify", json={"challenge_id": started.json()["challenge_id"],
                                              "code": code})
    assert done.status_code == 200, done.text
    return done.json()


def decoy_registration(client: Client, phone: str) -> requests.Response:
    """A registration of a made-up person reusing someone else's phone."""
    decoy = journeys.Person.random()
    return client.post("/register", json={
        "cccd": decoy.cccd, "full_name": "Kẻ Mạo Danh", "date_of_birth": decoy.date_of_birth,
        "phone": phone, "email": decoy.email, "password": PASSWORD})


def refused(response: requests.Response, words: str) -> dict:
    """A 429 in the one error shape, with Retry-After and a Vietnamese message."""
    assert response.status_code == 429, response.text
    body = error_shape(response)
    assert int(response.headers["Retry-After"]) >= 1
    assert words in body["message"], body
    return body


def without_id(response: requests.Response) -> tuple[int, dict]:
    return response.status_code, {k: v for k, v in response.json().items()
                                  if k != "challenge_id"}


# -- 6: the OTP send quota ----------------------------------------------------------------


def fill_registration_quota(client: Client, phone: str) -> list[int]:
    """Decoy registrations with ``phone`` until one is refused (the phone's quota is full)."""
    answers = [decoy_registration(client, phone).status_code for _ in range(5)]
    assert answers[-1] == 429 and set(answers[:-1]) == {202}, answers
    return answers


def test_decoy_registrations_with_a_victims_phone_leave_her_sign_in_and_reset(actors, identity):
    victim, _ = registered(actors)
    fill_registration_quota(identity(), victim.phone)  # her own registration was the first
    owner = identity()
    sign_in(owner, actors.api, victim)  # the login code still reaches her phone
    asked = time.time()
    forgot = owner.post("/password/forgot", json={"username": victim.cccd})
    assert forgot.status_code == 202, forgot.text
    code = journeys.read_otp(actors.api, victim.phone, asked)
    reset = owner.post("/password/reset", json={
        "challenge_id": forgot.json()["challenge_id"], "code": code,
        "new_password": NEW_PASSWORD})
    assert reset.status_code == 204, reset.text


def test_forgot_answers_alike_for_the_owner_and_a_stranger_when_the_quota_is_full(
        actors, identity):
    victim, _ = registered(actors)
    attacker = identity()
    fill_registration_quota(attacker, victim.phone)
    for _ in range(6):  # more than the sends one client may cause to one account
        attacker.post("/password/forgot", json={"username": victim.cccd})
    owner_form = attacker.post("/password/forgot", json={"username": victim.cccd})
    stranger = attacker.post("/password/forgot",
                             json={"username": journeys.Person.random().cccd})
    assert owner_form.status_code == stranger.status_code == 202, (owner_form.text,
                                                                    stranger.text)
    assert without_id(owner_form) == without_id(stranger)
    assert "Retry-After" not in owner_form.headers and "Retry-After" not in stranger.headers
    # and the owner, from her own client, still gets her code
    owner = identity()
    asked = time.time()
    mine = owner.post("/password/forgot", json={"username": victim.cccd})
    assert mine.status_code == 202
    assert journeys.read_otp(actors.api, victim.phone, asked)


# -- 7: second-factor guessing ------------------------------------------------------------


def _province(api: journeys.Api, agency: str) -> str:
    found = api.json("GET", f"/api/catalog/agencies/{agency}")
    return str(found.get("province") or found.get("province_code"))


def enrolled_officer(actors, identity) -> tuple[str, str, str, str]:
    """An officer whose first sign-in enrolled TOTP: (user id, email, password, secret)."""
    email = f"canbo.2fa{random.randrange(10**8)}@example.vn"
    made = actors.admin.json("POST", "/api/identity/officers", json={
        "full_name": "Phạm Văn Thử", "email": email, "role": "officer", "agency": actors.agency,
        "province": _province(actors.api, actors.agency)}, expect=(201,))
    password = made["initial_password"]
    first = identity().post("/login", json={"username": email, "password": password})
    assert first.json()["method"] == "totp_enrolment", first.text
    secret = first.json()["totp"]["secret"]
    done = identity().post("/login/verify", json={
        "challenge_id": first.json()["challenge_id"], "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200, done.text
    return made["id"], email, password, secret


def wrong_totp(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    now = time.time()
    valid = {totp.at(now + shift) for shift in (-60, -30, 0, 30, 60)}
    while True:
        guess = f"{random.randrange(10**6):06d}"
        if guess not in valid:
            return guess


def test_password_correct_sign_ins_give_at_most_n_second_factor_guesses(
        actors, identity, identity_db):
    officer_id, email, password, secret = enrolled_officer(actors, identity)
    attacker = identity()  # knows the password, not the authenticator
    spare = attacker.post("/login", json={"username": email, "password": password})
    assert spare.json()["method"] == "totp"
    checked, refusal = 0, None
    for _ in range(4):  # four fresh challenges of five tries each: twenty chances on main
        started = attacker.post("/login", json={"username": email, "password": password})
        if started.status_code == 429:
            refusal = started
            break
        for _ in range(5):
            answer = attacker.post("/login/verify", json={
                "challenge_id": started.json()["challenge_id"], "code": wrong_totp(secret)})
            if answer.status_code == 429:
                refusal = answer
                break
            assert answer.status_code == 400, answer.text
            checked += 1
    assert checked == SECOND_FACTOR_LIMIT
    assert refusal is not None
    refused(refusal, "Xác thực hai lớp")
    # locked: even the right code on a challenge opened before is not checked
    right = attacker.post("/login/verify", json={
        "challenge_id": spare.json()["challenge_id"], "code": pyotp.TOTP(secret).now()})
    refused(right, "Xác thực hai lớp")
    # the owner is alerted (identity.security_alert through the outbox), admins see the audit
    assert identity_db.audit.find_one({"action": "security_alert", "user_id": officer_id,
                                       "outcome": "second_factor_locked"})
    assert identity_db.audit.find_one({"action": "second_factor", "outcome": "locked",
                                       "user_id": officer_id})


# -- 8: step-up password checks -----------------------------------------------------------


def test_step_up_password_checks_share_one_limit_per_account(actors, identity):
    person, _ = registered(actors)
    thief = identity()  # holds a stolen access token, not the password
    token = sign_in(identity(), actors.api, person)["access_token"]
    change = {"current_password": WRONG_PASSWORD, "new_password": NEW_PASSWORD}
    contact = {"phone": journeys.Person.random().phone, "current_password": WRONG_PASSWORD}
    tries = [("POST", "/me/password", change)] * 2 + [("PATCH", "/me", contact)] * 2 + [
        ("DELETE", "/me", {"password": WRONG_PASSWORD})]
    for method, path, body in tries:
        answer = thief.call(method, path, token, json=body)
        assert answer.status_code == 401, answer.text
    # past the limit, not even the right password is checked, on any of the three
    for method, path, body in [
            ("POST", "/me/password", {**change, "current_password": person.password}),
            ("PATCH", "/me", {**contact, "current_password": person.password}),
            ("DELETE", "/me", {"password": person.password})]:
        refused(thief.call(method, path, token, json=body), "sai mật khẩu nhiều lần")


# -- 10: password failures per (username form, client) ------------------------------------


def test_someone_elses_failures_with_her_cccd_do_not_lock_her_out(actors, identity):
    victim, _ = registered(actors)
    attacker = identity()
    for _ in range(PASSWORD_LIMIT):
        bad = attacker.post("/login", json={"username": victim.cccd, "password": WRONG_PASSWORD})
        assert bad.status_code == 401
    held = attacker.post("/login", json={"username": victim.cccd, "password": victim.password})
    body = refused(held, "tạm thời bị khoá")
    assert victim.phone[1:] not in body["message"] and "@" not in body["message"]
    sign_in(identity(), actors.api, victim)  # from her own client, with the same CCCD


def test_the_lock_of_one_username_form_tells_nothing_about_the_others(actors, identity):
    victim, _ = registered(actors)
    attacker = identity()
    for _ in range(PASSWORD_LIMIT + 1):
        attacker.post("/login", json={"username": victim.cccd, "password": WRONG_PASSWORD})
    hers = attacker.post("/login", json={"username": victim.phone, "password": WRONG_PASSWORD})
    nobody = attacker.post("/login", json={"username": journeys.Person.random().phone,
                                           "password": WRONG_PASSWORD})
    assert hers.status_code == nobody.status_code == 401
    assert hers.json() == nobody.json()
    email = attacker.post("/login", json={"username": victim.email, "password": WRONG_PASSWORD})
    assert email.status_code == 401 and email.json() == nobody.json()


def test_guessing_from_many_clients_alerts_her_and_she_still_gets_in(
        actors, identity, identity_db):
    victim, user_id = registered(actors)
    home = identity()
    sign_in(home, actors.api, victim)  # a client she signed in from before
    for _ in range(ACCOUNT_LIMIT // (PASSWORD_LIMIT - 1)):  # each client stays under its limit
        attacker = identity()
        for _ in range(PASSWORD_LIMIT - 1):
            bad = attacker.post("/login", json={"username": victim.cccd,
                                                "password": WRONG_PASSWORD})
            assert bad.status_code == 401, bad.text
    assert identity_db.audit.find_one({"action": "security_alert", "user_id": user_id,
                                       "outcome": "password_guessing"})
    # a client never seen: the right password gets exactly the wrong-password answer
    stranger = identity()
    right = stranger.post("/login", json={"username": victim.cccd, "password": victim.password})
    wrong = identity().post("/login", json={"username": victim.cccd,
                                            "password": WRONG_PASSWORD})
    assert right.status_code == wrong.status_code == 401 and right.json() == wrong.json()
    # her own client: in
    sign_in(home, actors.api, victim)
    # a new phone of hers: proving the contact channel (password reset) lets it in
    new_phone = identity()
    asked = time.time()
    forgot = new_phone.post("/password/forgot", json={"username": victim.cccd})
    code = journeys.read_otp(actors.api, victim.phone, asked)
    reset = new_phone.post("/password/reset", json={
        "challenge_id": forgot.json()["challenge_id"], "code": code,
        "new_password": NEW_PASSWORD})
    assert reset.status_code == 204, reset.text
    sign_in(new_phone, actors.api, victim, password=NEW_PASSWORD)


# -- 16: limits per token family ----------------------------------------------------------


def test_refresh_is_limited_per_token_family_not_per_address(actors, identity):
    person, _ = registered(actors)
    client = identity()
    first = sign_in(client, actors.api, person)
    second = sign_in(client, actors.api, person)  # another session, same person, same address
    refresh = first["refresh_token"]
    for _ in range(REFRESH_LIMIT):  # far more than normal use; all within a minute
        rotated = client.post("/token/refresh", json={"refresh_token": refresh})
        assert rotated.status_code == 200, rotated.text
        refresh = rotated.json()["refresh_token"]
    refused(client.post("/token/refresh", json={"refresh_token": refresh}),
            "làm mới quá nhiều lần")
    other = client.post("/token/refresh", json={"refresh_token": second["refresh_token"]})
    assert other.status_code == 200, other.text
