"""Sessions and second factors (issue 20, findings 2, 12 and 13), on the running platform.

- 12: a token whose header claims RS256 or ES256 with identity's real ``kid`` is a 401
  "invalid token" (never a 500) at the gateway and on every service's own port.
- 13: sign-out, password change, password reset and account deletion end every session at
  once: the access tokens already issued are refused by the gateway and by each service (they
  consult the revocation deny-list, also for tokens they had verified and remembered), and a
  portal cookie replayed after sign-out no longer opens account pages.
- 2: a stolen access token alone cannot enrol (or remove) an authenticator app: that needs the
  password and a fresh code sent to the account's phone; the owner is told and the other
  sessions end; a password reset through the phone gives a citizen's account back (the
  authenticator someone else enrolled is removed, every session ends, the owner is told).

Every test uses citizens of its own: the shared actors' sessions must survive this module.
"""
from __future__ import annotations

import base64
import json
import re
import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import requests
from attack_support import error_shape

from infra.local import journeys
from servicekit.testing import wait_until

NEW_PASSWORD = "Mat-Khau-Moi-2026!an-toan"

# One operation per service that reads the caller's token: (port variable, method, path,
# what a valid citizen token gets there). Through the gateway the same path is under /api/.
PROTECTED = {
    "identity": ("IDENTITY_PORT", "GET", "/me", 200),
    "catalog": ("CATALOG_PORT", "GET", "/admin/procedures/1.001193", 403),
    "submission": ("SUBMISSION_PORT", "GET", "/dossiers", 200),
    "tracking": ("TRACKING_PORT", "GET", "/stats", 403),
    "notify": ("NOTIFY_PORT", "GET", "/inbox", 200),
}


# -- helpers ----------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _with_header(token: str, **changes: str) -> str:
    header, payload, signature = token.split(".")
    fields = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    return ".".join([_b64(json.dumps({**fields, **changes}).encode()), payload, signature])


def _targets(stack) -> list[tuple[str, str, str, int]]:
    """(label, method, url, status for a valid citizen token): gateway and service ports."""
    targets = []
    for service, (port, method, path, ok) in PROTECTED.items():
        targets.append((f"gateway → {service}", method, f"{stack.url()}/api/{service}{path}", ok))
        targets.append((f"{service} port", method, f"{stack.url(port)}{path}", ok))
    return targets


def _call(method: str, url: str, token: str) -> requests.Response:
    return requests.request(method, url, headers={"Authorization": f"Bearer {token}"},
                            timeout=15)


def _answers(stack, token: str) -> dict[str, int]:
    return {label: _call(method, url, token).status_code
            for label, method, url, _ok in _targets(stack)}


def _accepted_everywhere(stack) -> dict[str, int]:
    return {label: ok for label, _method, _url, ok in _targets(stack)}


def _refused_everywhere(stack, token: str) -> None:
    """Every verifier answers 401 "invalid token" in the error shape."""
    for label, method, url, _ok in _targets(stack):
        response = _call(method, url, token)
        assert response.status_code == 401, (label, response.status_code, response.text[:300])
        assert "invalid_token" in response.headers.get("WWW-Authenticate", ""), label
        error_shape(response)


def _sign_in(api: journeys.Api, person: journeys.Person, password: str | None = None) -> dict:
    return journeys.login(api, person.cccd, password or person.password, otp_to=person.phone)


def _messages(api: journeys.Api, to: str) -> list[dict]:
    return api.json("GET", "/api/notify/dev/messages", params={"to": to})["messages"]


def _notice_reached(api: journeys.Api, to: str, text: str) -> dict:
    """The security notice containing ``text`` that notify delivered to ``to``."""
    return wait_until(
        lambda: next((m for m in _messages(api, to)
                      if text.lower() in (m.get("body") or "").lower()), None),
        timeout=20, message=f"a notice with {text!r} to {to}")


def _next_totp(secret: str) -> str:
    """The code of the next time step: accepted (one step of drift), never a replay."""
    return pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))


def _login_method(api: journeys.Api, person: journeys.Person, password: str) -> str:
    started = api.json("POST", "/api/identity/login",
                       json={"username": person.cccd, "password": password})
    return started["method"]


def _enrol_totp(client: journeys.Api, person: journeys.Person) -> str:
    """The owner's enrolment: password, the code sent to the phone, a code from the app."""
    asked = time.time()
    setup = client.json("POST", "/api/identity/me/totp", json={"password": person.password})
    otp = journeys.read_otp(client, person.phone, asked)
    client.json("POST", "/api/identity/me/totp/confirm", json={
        "challenge_id": setup["challenge_id"], "otp": otp,
        "code": pyotp.TOTP(setup["secret"]).now()})
    return setup["secret"]


# -- finding 12: the algorithm follows the key ----------------------------------------------------

@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_a_token_claiming_rs256_or_es256_with_the_real_kid_is_401_everywhere(stack, alg):
    api = journeys.Api(stack.url())
    _person, citizen = journeys.citizen(api)
    assert _answers(stack, citizen.token) == _accepted_everywhere(stack)  # the real one works
    _refused_everywhere(stack, _with_header(citizen.token, alg=alg))


# -- finding 13: sign-out, password change, deletion end every session ----------------------------

def test_after_sign_out_the_old_access_token_is_refused_by_the_gateway_and_every_service(stack):
    api = journeys.Api(stack.url())
    person, _ = journeys.citizen(api)
    tokens = _sign_in(api, person)
    # verified (and remembered) by the gateway and every service before the sign-out
    assert _answers(stack, tokens["access_token"]) == _accepted_everywhere(stack)
    api.as_user(tokens["access_token"]).call(
        "POST", "/api/identity/logout", json={"refresh_token": tokens["refresh_token"]})
    _refused_everywhere(stack, tokens["access_token"])
    refresh = api.call("POST", "/api/identity/token/refresh",
                       json={"refresh_token": tokens["refresh_token"]}, expect=(401,))
    error_shape(refresh)


def test_a_password_change_ends_every_session_at_once(stack):
    api = journeys.Api(stack.url())
    person, first = journeys.citizen(api)
    second = _sign_in(api, person)
    assert _answers(stack, second["access_token"]) == _accepted_everywhere(stack)
    first.call("POST", "/api/identity/me/password", json={
        "current_password": person.password, "new_password": NEW_PASSWORD}, expect=(204,))
    _refused_everywhere(stack, first.token)
    _refused_everywhere(stack, second["access_token"])
    fresh = _sign_in(api, person, NEW_PASSWORD)  # the new password opens a new session
    assert _answers(stack, fresh["access_token"]) == _accepted_everywhere(stack)


def test_deleting_the_account_ends_its_sessions_everywhere(stack):
    api = journeys.Api(stack.url())
    person, client = journeys.citizen(api)
    other = _sign_in(api, person)
    client.call("DELETE", "/api/identity/me", json={"password": person.password},
                expect=(204,))
    _refused_everywhere(stack, client.token)
    _refused_everywhere(stack, other["access_token"])


# -- finding 13: the portal's cookie --------------------------------------------------------------

COOKIE = "motcua_portal"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(session: requests.Session, base: str, path: str) -> str:
    page = session.get(base + path, timeout=15)
    assert page.status_code == 200, (path, page.status_code)
    return CSRF.search(page.text).group(1)


def _portal_sign_in(base: str, person: journeys.Person, password: str | None = None
                    ) -> requests.Session:
    browser = requests.Session()
    asked = time.time()
    started = browser.post(f"{base}/dang-nhap", data={
        "csrf_token": _csrf(browser, base, "/dang-nhap"), "username": person.cccd,
        "password": password or person.password}, allow_redirects=False, timeout=15)
    assert started.status_code == 302, started.text[:500]
    code = journeys.read_otp(journeys.Api(base), person.phone, asked)
    done = browser.post(f"{base}/dang-nhap/xac-thuc", data={
        "csrf_token": _csrf(browser, base, "/dang-nhap/xac-thuc"), "code": code},
        allow_redirects=False, timeout=15)
    assert done.status_code == 302, done.text[:500]
    return browser


def _replayed(base: str, cookie: str, path: str) -> requests.Response:
    """``path`` opened by someone else holding a copy of the cookie."""
    thief = requests.Session()
    thief.cookies.set(COOKIE, cookie)
    return thief.get(base + path, allow_redirects=False, timeout=15)


ACCOUNT_PAGES = ("/tai-khoan", "/tai-khoan/mat-khau", "/ho-so", "/thong-bao")


def _sent_to_sign_in(response: requests.Response) -> bool:
    return response.status_code == 302 and "/dang-nhap" in response.headers.get("Location", "")


def test_a_portal_cookie_replayed_after_sign_out_no_longer_opens_account_pages(stack):
    base = stack.url()
    person, _ = journeys.citizen(journeys.Api(base))
    browser = _portal_sign_in(base, person)
    cookie = browser.cookies.get(COOKIE)
    for path in ACCOUNT_PAGES:
        assert _replayed(base, cookie, path).status_code == 200, path  # a copy works, for now
    signed_out = browser.post(f"{base}/dang-xuat", data={
        "csrf_token": _csrf(browser, base, "/tai-khoan")}, allow_redirects=False, timeout=15)
    assert signed_out.status_code == 302
    for path in ACCOUNT_PAGES:
        replay = _replayed(base, cookie, path)
        assert _sent_to_sign_in(replay), (path, replay.status_code)
        assert person.full_name not in replay.text


def test_a_portal_cookie_stops_working_when_the_password_is_changed_elsewhere(stack):
    base = stack.url()
    api = journeys.Api(base)
    person, client = journeys.citizen(api)
    cookie = _portal_sign_in(base, person).cookies.get(COOKIE)
    assert _replayed(base, cookie, "/tai-khoan").status_code == 200
    client.call("POST", "/api/identity/me/password", json={
        "current_password": person.password, "new_password": NEW_PASSWORD}, expect=(204,))
    for path in ACCOUNT_PAGES:
        assert _sent_to_sign_in(_replayed(base, cookie, path)), path


# -- finding 2: step-up for the second factor, and recovery ---------------------------------------

def test_a_stolen_access_token_alone_cannot_enrol_an_authenticator(stack):
    api = journeys.Api(stack.url())
    person, victim = journeys.citizen(api)
    stolen = api.as_user(victim.token)  # all the attacker has
    no_password = stolen.call("POST", "/api/identity/me/totp", json={}, expect=())
    assert no_password.status_code == 422, no_password.text
    assert "password" in error_shape(no_password)["errors"]
    guessed = stolen.call("POST", "/api/identity/me/totp",
                          json={"password": "doan-mat-khau-2026"}, expect=())
    assert guessed.status_code == 401 and "password" in error_shape(guessed)["errors"]
    # even with a phished password the code goes to the owner's phone, not to the attacker
    asked = time.time()
    setup = stolen.json("POST", "/api/identity/me/totp", json={"password": person.password})
    assert setup["channel"] == "sms" and "***" in setup["destination"]
    real_otp = journeys.read_otp(api, person.phone, asked)
    for otp in ("000000" if real_otp != "000000" else "111111", None):
        body = {"challenge_id": setup["challenge_id"], "code": pyotp.TOTP(setup["secret"]).now()}
        if otp:
            body["otp"] = otp
        refused = stolen.call("POST", "/api/identity/me/totp/confirm", json=body, expect=())
        assert refused.status_code in (400, 422), refused.text
        error_shape(refused)
    assert stolen.json("GET", "/api/identity/me")["totp_enabled"] is False
    assert _login_method(api, person, person.password) == "sms"
    # and the removal path needs the same proof
    removal = stolen.call("DELETE", "/api/identity/me/totp", json={}, expect=())
    assert removal.status_code == 422


def test_the_owner_enrols_with_password_and_phone_code_is_told_and_other_sessions_end(stack):
    api = journeys.Api(stack.url())
    person, owner = journeys.citizen(api)
    elsewhere = _sign_in(api, person)  # e.g. a forgotten session on a shared computer
    secret = _enrol_totp(owner, person)
    assert owner.json("GET", "/api/identity/me")["totp_enabled"] is True
    _refused_everywhere(stack, elsewhere["access_token"])
    assert _answers(stack, owner.token) == _accepted_everywhere(stack)  # this session stays
    for to in (person.phone, person.email):
        _notice_reached(api, to, "ứng dụng xác thực")
    assert _login_method(api, person, person.password) == "totp"

    # removing it: password, then the phone code; the owner is told again
    asked = time.time()
    challenge = owner.json("DELETE", "/api/identity/me/totp", json={"password": person.password})
    assert challenge["channel"] == "sms"
    otp = journeys.read_otp(api, person.phone, asked)
    owner.call("DELETE", "/api/identity/me/totp",
               json={"challenge_id": challenge["challenge_id"], "otp": otp}, expect=(204,))
    assert owner.json("GET", "/api/identity/me")["totp_enabled"] is False
    _notice_reached(api, person.email, "được gỡ")
    assert secret  # (the phone had its hourly quota of codes: no further sign-in here)


def test_a_password_reset_through_the_phone_recovers_a_taken_over_account(stack):
    api = journeys.Api(stack.url())
    person, taken = journeys.citizen(api)
    # someone else enrolled an authenticator on the account and holds the only secret
    attacker_secret = _enrol_totp(taken, person)
    assert _login_method(api, person, person.password) == "totp"
    # the owner resets the password with a code sent to the phone (the 4th code this hour)
    asked = time.time()
    forgot = api.json("POST", "/api/identity/password/forgot", json={"username": person.phone})
    code = journeys.read_otp(api, person.phone, asked)
    api.call("POST", "/api/identity/password/reset", json={
        "challenge_id": forgot["challenge_id"], "code": code, "new_password": NEW_PASSWORD},
        expect=(204,))
    _refused_everywhere(stack, taken.token)  # the attacker's session is over
    asked = time.time()
    started = api.json("POST", "/api/identity/login",
                       json={"username": person.cccd, "password": NEW_PASSWORD})
    assert started["method"] == "sms"  # the attacker's authenticator is gone
    refused = api.call("POST", "/api/identity/login/verify", json={
        "challenge_id": started["challenge_id"], "code": _next_totp(attacker_secret)},
        expect=())
    assert refused.status_code == 400
    back = api.json("POST", "/api/identity/login/verify", json={
        "challenge_id": started["challenge_id"],
        "code": journeys.read_otp(api, person.phone, asked)})
    owner = api.as_user(back["access_token"])
    assert owner.json("GET", "/api/identity/me")["totp_enabled"] is False
    for to in (person.phone, person.email):
        _notice_reached(api, to, "đặt lại")
