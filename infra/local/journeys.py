"""Scripted journeys over the public API (through the gateway): register with OTP, sign in,
start, fill and submit a dossier, act as an officer.

Used by the cross-service tests, the benchmarks and the demo seed of ``make run``. OTP codes
are read the way a developer reads them: from notify's development message list.
"""
from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import requests

from servicekit.testing.files import minimal_pdf

OTP = re.compile(r"\b(\d{6})\b")
BIRTH_REGISTRATION = "1.001193"  # Đăng ký khai sinh: the seeded procedure journeys use


class ApiError(AssertionError):
    def __init__(self, response: requests.Response, expected: tuple[int, ...]) -> None:
        super().__init__(f"{response.request.method} {response.url} → {response.status_code} "
                         f"(expected {expected}): {response.text[:800]}")
        self.response = response


@dataclass
class Api:
    base_url: str
    token: str | None = None
    session: requests.Session = field(default_factory=requests.Session)

    def call(self, method: str, path: str, *, expect: tuple[int, ...] = (200, 201, 202, 204),
             **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        response = self.session.request(method, self.base_url + path, headers=headers,
                                        timeout=kwargs.pop("timeout", 30), **kwargs)
        if expect and response.status_code not in expect:
            raise ApiError(response, expect)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        return response.json() if response.content else None

    def as_user(self, token: str) -> Api:
        return Api(self.base_url, token, self.session)


@dataclass(frozen=True)
class Person:
    cccd: str
    full_name: str
    date_of_birth: str
    phone: str
    email: str
    password: str = "Mk-Vn-2026!an-toan"

    @classmethod
    def random(cls, rng: random.Random | None = None, full_name: str = "Nguyễn Văn An"
               ) -> Person:
        rng = rng or random.Random()
        born = date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))
        century = 0 if born.year < 2000 else 2
        gender = rng.randint(0, 1)
        cccd = f"001{century + gender}{born.year % 100:02d}{rng.randint(0, 999999):06d}"
        phone = f"09{rng.randint(10_000_000, 99_999_999)}"
        return cls(cccd, full_name, born.isoformat(), phone,
                   f"cd{rng.randint(0, 10**9)}@example.vn")


DEV_MESSAGES = "/api/notify/dev/messages"


def read_otp(api: Api, to: str, after: float, timeout: float = 15.0,
             path: str = DEV_MESSAGES) -> str:
    """The newest 6-digit code sent to ``to`` since ``after`` (epoch seconds).

    ``api`` is the gateway by default; with ``path="/dev/messages"`` it may be notify's own
    address (load tests that must not spend the gateway's per-address budget on reading)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = api.json("GET", path, params={"to": to})["messages"]
        for message in messages:  # newest first
            sent = _epoch(message.get("sent_at"))
            found = OTP.search(message.get("body") or "")
            if found and (sent is None or sent >= after):
                return found.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no OTP reached {to} within {timeout}s")


def _epoch(value: Any) -> float | None:
    from datetime import datetime

    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def register(api: Api, person: Person) -> str:
    """Register ``person`` and confirm with the OTP; returns the user id."""
    asked = time.time()
    challenge = api.json("POST", "/api/identity/register", json={
        "cccd": person.cccd, "full_name": person.full_name,
        "date_of_birth": person.date_of_birth, "phone": person.phone, "email": person.email,
        "password": person.password}, expect=(202,))
    code = read_otp(api, person.phone, asked)
    done = api.json("POST", "/api/identity/register/verify",
                    json={"challenge_id": challenge["challenge_id"], "code": code},
                    expect=(201,))
    return done["user_id"]


def login(api: Api, username: str, password: str, otp_to: str | None = None,
          totp_code: str | None = None) -> dict[str, Any]:
    """Sign in with password + OTP (read from dev messages) or a TOTP code; returns tokens."""
    asked = time.time()
    challenge = api.json("POST", "/api/identity/login",
                         json={"username": username, "password": password})
    if challenge["method"] in ("totp", "totp_enrolment"):
        if totp_code is None:
            raise AssertionError(f"login needs a TOTP code ({challenge['method']})")
        code = totp_code
    else:
        code = read_otp(api, otp_to or username, asked)
    return api.json("POST", "/api/identity/login/verify",
                    json={"challenge_id": challenge["challenge_id"], "code": code})


def citizen(api: Api, person: Person | None = None) -> tuple[Person, Api]:
    """A registered, signed-in citizen and an API client carrying their token."""
    person = person or Person.random()
    register(api, person)
    tokens = login(api, person.cccd, person.password, otp_to=person.phone)
    return person, api.as_user(tokens["access_token"])


def fill_value(field_spec: dict[str, Any], person: Person) -> Any:
    """A valid value for one e-form field (used to fill any procedure's form)."""
    kind = field_spec.get("type", "text")
    options = field_spec.get("options") or []
    first = options[0]["value"] if options and isinstance(options[0], dict) else (
        options[0] if options else None)
    by_type = {
        "date": "2024-01-15", "email": person.email, "phone": person.phone,
        "cccd": person.cccd, "number": field_spec.get("min") or 1,
        "checkbox": True, "select": first, "radio": first,
        "address": "Số 1 Tràng Tiền, phường Hoàn Kiếm, Hà Nội",
    }
    if kind in by_type:
        return by_type[kind]
    if field_spec.get("prefill") == "full_name":
        return person.full_name
    minimum = int(field_spec.get("min_length") or field_spec.get("min") or 0)
    return ("Nội dung khai báo " * 4)[: max(minimum, 30)].strip()


PDF = minimal_pdf("giay to")  # a PDF that parses (uploads are checked by structure)


def submit_dossier(api: Api, person: Person, procedure_code: str, agency_code: str
                   ) -> dict[str, Any]:
    """Create a draft, fill every e-form field, attach every required document, submit."""
    dossier_id = prepare_draft(api, person, procedure_code, agency_code)
    return api.json("POST", f"/api/submission/dossiers/{dossier_id}/submit")


def prepare_draft(api: Api, person: Person, procedure_code: str, agency_code: str) -> str:
    """A draft ready to submit (form filled, documents attached); returns its id."""
    draft = api.json("POST", "/api/submission/dossiers",
                     json={"procedure_code": procedure_code, "agency_code": agency_code},
                     expect=(201,))
    fields = (draft.get("eform") or {}).get("fields") or []
    api.json("PATCH", f"/api/submission/dossiers/{draft['id']}",
             json={"form": {f["name"]: fill_value(f, person) for f in fields}})
    for component in draft.get("components") or []:
        if component.get("required"):
            api.call("POST", f"/api/submission/dossiers/{draft['id']}/attachments",
                     data={"document_type": component["code"]},
                     files={"file": ("giay-to.pdf", PDF, "application/pdf")}, expect=(201,))
    return draft["id"]


def wait_visible(base_url: str, code: str, timeout: float = 15.0,
                 token: str | None = None) -> dict[str, Any]:
    """Wait until tracking answers a lookup for ``code`` (as the holder of ``token``: staff
    lookups by code are not rate limited, anonymous ones are, per address)."""
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    while time.monotonic() < deadline:
        response = requests.get(f"{base_url}/api/tracking/lookup", params={"code": code},
                                headers=headers, timeout=5)
        if response.status_code == 200 and response.json().get("results"):
            return response.json()["results"][0]
        time.sleep(0.05)
    raise AssertionError(f"{code} not visible in tracking after {timeout}s")


def first_agency(api: Api, procedure_code: str = BIRTH_REGISTRATION) -> str:
    """The code of the first agency performing a published procedure."""
    first = api.json("GET", f"/api/catalog/procedures/{procedure_code}")["agencies"][0]
    return first["code"] if isinstance(first, dict) else first
