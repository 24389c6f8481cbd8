"""Finding 15 (the portal): pages full of personal data were cacheable, a CR/LF in a ``next``
field answered 500, and the session cookie was Secure only if production remembered to say so.

Now every signed-in page, and every anonymous one that shows or collects personal data, is
``Cache-Control: no-store``; a ``next`` with a control character (raw or percent-encoded in the
request) or a backslash is no target (a clean redirect home); production refuses to start
without ``PORTAL_COOKIE_SECURE=true``; ``HSTS_MAX_AGE`` sends Strict-Transport-Security.
"""
from __future__ import annotations

import html
import re
import time

import pytest
import requests

from gateway.app import create_app
from gateway.config import GatewaySettings
from infra.local import journeys
from servicekit.config import ConfigError

INJECTED = "Set-Cookie: injected=1"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _no_store(response: requests.Response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def _clean_redirect(response: requests.Response) -> None:
    """A redirect (or a 400) whose headers nobody could add to."""
    assert response.status_code in (301, 302, 303, 400), (response.status_code,
                                                           response.text[:300])
    assert "injected" not in response.headers.get("Set-Cookie", "")
    location = response.headers.get("Location", "")
    assert "\r" not in location and "\n" not in location, location
    if response.status_code != 400:
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location


@pytest.fixture(scope="module")
def person(stack) -> journeys.Person:
    person = journeys.Person.random(full_name="Võ Thị Riêng Tư")
    journeys.register(journeys.Api(stack.url()), person)
    return person


def portal_sign_in(base: str, person: journeys.Person, next_value: str | None = None
                   ) -> tuple[requests.Session, requests.Response]:
    """Sign in through the portal's forms; returns the session and the final answer."""
    browser = requests.Session()
    page = browser.get(f"{base}/dang-nhap", timeout=30)
    form = {"csrf_token": csrf_of(page.text), "username": person.cccd,
            "password": person.password}
    if next_value is not None:
        form["next"] = next_value
    asked = time.time()
    started = browser.post(f"{base}/dang-nhap", data=form, allow_redirects=False, timeout=30)
    assert started.status_code in (302, 303), started.text[:500]
    code = journeys.read_otp(journeys.Api(base), person.phone, asked)
    page = browser.get(f"{base}/dang-nhap/xac-thuc", timeout=30)
    done = browser.post(f"{base}/dang-nhap/xac-thuc", allow_redirects=False, timeout=30,
                        data={"csrf_token": csrf_of(page.text), "code": code})
    return browser, done


def test_signed_in_pages_are_never_stored(stack, person):
    browser, done = portal_sign_in(stack.url(), person)
    assert done.status_code in (302, 303), done.text[:300]
    assert _no_store(done)
    for path in ("/", "/ho-so", "/tai-khoan", "/thong-bao", "/tai-khoan/mat-khau",
                 "/tai-khoan/du-lieu.json", "/thu-tuc"):
        page = browser.get(f"{stack.url()}{path}", timeout=30)
        assert page.status_code == 200, (path, page.status_code)
        assert _no_store(page), (path, page.headers.get("Cache-Control"))


def test_anonymous_pages_with_personal_data_are_never_stored(stack, actors):
    for path in ("/dang-nhap", "/dang-ky", f"/tra-cuu?code={actors.dossier['code']}"):
        page = requests.get(f"{stack.url()}{path}", timeout=30)
        assert page.status_code == 200, (path, page.status_code)
        assert _no_store(page), (path, page.headers.get("Cache-Control"))
    # The public catalogue stays cacheable for anonymous visitors.
    catalogue = requests.get(f"{stack.url()}/thu-tuc", timeout=30)
    assert catalogue.status_code == 200 and not _no_store(catalogue)


@pytest.mark.parametrize("next_value", [
    f"/ho-so\r\n{INJECTED}",            # raw CR/LF in the field
    f"/ho-so\n{INJECTED}",
    "/ho-so\r",
    "/\\evil.example/",                  # browsers read /\ as //
    "/ho-so%0d%0aSet-Cookie:%20injected=1",  # encoded: stays inside the path
])
def test_cr_lf_in_the_next_field_of_a_form_is_a_clean_redirect(stack, next_value):
    browser = requests.Session()
    page = browser.get(f"{stack.url()}/thu-tuc", timeout=30)
    answer = browser.post(f"{stack.url()}/co-chu", allow_redirects=False, timeout=30,
                          data={"csrf_token": csrf_of(page.text), "size": "large",
                                "next": next_value})
    _clean_redirect(answer)


def test_cr_lf_in_a_page_address_reaches_the_text_size_form_harmlessly(stack):
    """The text-size form on every page carries the page's own address as ``next``: one
    with an encoded CR/LF comes back as a redirect that keeps it encoded."""
    browser = requests.Session()
    page = browser.get(f"{stack.url()}/thu-tuc?q=a%0d%0aSet-Cookie:%20injected=1", timeout=30)
    assert page.status_code == 200
    field = html.unescape(re.search(r'name="next" value="([^"]*)"', page.text).group(1))
    assert "%0D%0A" in field.upper()
    answer = browser.post(f"{stack.url()}/co-chu", allow_redirects=False, timeout=30,
                          data={"csrf_token": csrf_of(page.text), "size": "large",
                                "next": field})
    _clean_redirect(answer)


def test_cr_lf_in_next_through_sign_in_is_a_clean_redirect(stack, person):
    _browser, done = portal_sign_in(stack.url(), person, next_value=f"/ho-so\r\n{INJECTED}")
    _clean_redirect(done)
    _browser, done = portal_sign_in(stack.url(), person, next_value="/ho-so")
    assert done.headers["Location"] == "/ho-so", "a clean next still works"


# -- the cookie and HSTS: configuration --------------------------------------------------------

PRODUCTION = {"MOTCUA_ENV": "production", "MONGO_URL": "mongodb://u:p@db/",
              "AMQP_URL": "amqp://u:p@mq//", "REDIS_URL": "redis://:p@redis:6379/0",
              "PORTAL_SECRET_KEY": "a-real-portal-secret", "METRICS_TOKEN": "a-real-token"}


@pytest.mark.parametrize("secure", [None, "false", "0"])
def test_production_refuses_to_start_without_a_secure_portal_cookie(secure):
    env = dict(PRODUCTION) if secure is None else {**PRODUCTION, "PORTAL_COOKIE_SECURE": secure}
    with pytest.raises(ConfigError, match="PORTAL_COOKIE_SECURE"):
        GatewaySettings.from_env(env)


def test_production_portal_cookie_is_secure_httponly_samesite(jwks_issuer):
    settings = GatewaySettings.from_env({**PRODUCTION, "PORTAL_COOKIE_SECURE": "true",
                                         "JWKS_URL": jwks_issuer.url})
    page = create_app(settings).test_client().get("/dang-nhap",
                                                  base_url="https://dichvucong.example.gov.vn")
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("motcua_portal=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_hsts_is_sent_when_the_gateway_serves_https(jwks_issuer):
    on = create_app(GatewaySettings.from_env({}, jwks_url=jwks_issuer.url,
                                             hsts_max_age=31536000)).test_client()
    for path in ("/", "/api/healthz", "/dang-nhap"):
        assert on.get(path).headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"), path
    off = create_app(GatewaySettings.from_env({}, jwks_url=jwks_issuer.url)).test_client()
    assert "Strict-Transport-Security" not in off.get("/dang-nhap").headers
