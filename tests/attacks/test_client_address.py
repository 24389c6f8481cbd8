"""Findings 15 and 16 (the client address): ``X-Forwarded-For`` is believed only from a
trusted proxy.

Tracking trusted one hop of ``X-Forwarded-For`` from any peer, so anyone reaching its port chose
a fresh address per request and its anonymous lookup limit never held; identity ignored the
header even from the gateway, so behind it every citizen had the gateway's address. Now every
service reads the client address one way (``servicekit.client_address``): from the header only
when the socket's peer is in ``TRUSTED_PROXIES``.
"""
from __future__ import annotations

import random
import sys
import uuid
from pathlib import Path

import pytest
import requests
from pymongo import MongoClient

from infra.local import journeys
from servicekit.testing import ServiceProcess

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attack_support import error_shape  # noqa: E402

NOT_THE_CALLER = "10.255.255.0/24"  # a proxy range this test never calls from
UNKNOWN_CODE = "000.00.31.H29-261128-9999"


def _spoofed() -> dict[str, str]:
    return {"X-Forwarded-For": f"{random.randrange(1, 224)}.{random.randrange(256)}."
                               f"{random.randrange(256)}.{random.randrange(1, 255)}"}


def _join(stack, app: str, tmp_path: Path, name: str, **env: str) -> ServiceProcess:
    """One more web process of a service, on its own port, sharing the stack's data."""
    return ServiceProcess.gunicorn(app, {**stack.service_env(), "LOG_LEVEL": "WARNING", **env},
                                   log_path=tmp_path / f"{name}.log")


def test_tracking_ignores_a_spoofed_forwarded_for_from_an_untrusted_peer(stack, tmp_path):
    tracking = _join(stack, "tracking.app:create_app()", tmp_path, "tracking",
                     TRUSTED_PROXIES=NOT_THE_CALLER, LOOKUP_RATE_LIMIT="3/minute",
                     RATELIMIT_KEY_PREFIX=f"spoof-tracking-{uuid.uuid4().hex[:8]}")
    with tracking:
        answers = [requests.get(f"{tracking.url}/lookup", params={"code": UNKNOWN_CODE},
                                headers=_spoofed(), timeout=10) for _ in range(6)]
    statuses = [answer.status_code for answer in answers]
    assert statuses == [404, 404, 404, 429, 429, 429], statuses
    refused = answers[-1]
    assert int(refused.headers["Retry-After"]) > 0
    assert error_shape(refused)["message"].startswith("Bạn đã")


def test_tracking_believes_forwarded_for_from_a_trusted_proxy(stack, tmp_path):
    """The other half: behind the gateway (a trusted peer) each citizen has their own budget."""
    tracking = _join(stack, "tracking.app:create_app()", tmp_path, "tracking-trusted",
                     TRUSTED_PROXIES="127.0.0.0/8", LOOKUP_RATE_LIMIT="2/minute",
                     RATELIMIT_KEY_PREFIX=f"trusted-tracking-{uuid.uuid4().hex[:8]}")
    with tracking:
        def lookup(address: str) -> int:
            return requests.get(f"{tracking.url}/lookup", params={"code": UNKNOWN_CODE},
                                headers={"X-Forwarded-For": address}, timeout=10).status_code
        first = [lookup("198.51.100.1") for _ in range(3)]
        second = [lookup("198.51.100.2") for _ in range(3)]
    assert first == [404, 404, 429] and second == [404, 404, 429], (first, second)


@pytest.fixture
def victim(stack) -> tuple[journeys.Person, str]:
    person = journeys.Person.random(full_name="Phạm Thị Nạn Nhân")
    user_id = journeys.register(journeys.Api(stack.url()), person)
    return person, user_id


def _login_audit(stack, user_id: str) -> list[dict]:
    with MongoClient(stack.mongo_url, tz_aware=True) as client:
        return list(client["motcua_identity"]["audit"].find({"user_id": user_id,
                                                             "action": "login"}))


def test_identity_ignores_a_spoofed_forwarded_for_from_an_untrusted_peer(stack, tmp_path,
                                                                         victim):
    person, user_id = victim
    identity = _join(stack, "identity.app:create_app()", tmp_path, "identity",
                     TRUSTED_PROXIES=NOT_THE_CALLER)
    spoofed = [_spoofed() for _ in range(12)]
    with identity:
        answers = [requests.post(f"{identity.url}/login", headers=headers, timeout=30,
                                 json={"username": person.cccd, "password": "doan-mo-1"})
                   for headers in spoofed]
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {401, 429} and statuses.count(429) >= 6, statuses
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers if a.status_code == 429)
    audit = repr(_login_audit(stack, user_id))
    assert "127.0.0.1" in audit
    assert not any(h["X-Forwarded-For"] in audit for h in spoofed), "a spoofed address counted"


def test_identity_sees_the_client_address_the_gateway_forwards(stack, tmp_path, victim):
    """Identity behind the gateway (its trusted peer) keys its throttles on the citizen's own
    address, not on the gateway's one that every citizen shares."""
    person, user_id = victim
    identity = _join(stack, "identity.app:create_app()", tmp_path, "identity-trusted",
                     TRUSTED_PROXIES="127.0.0.0/8")
    with identity:
        answer = requests.post(f"{identity.url}/login", timeout=30,
                               headers={"X-Forwarded-For": "203.0.113.77"},
                               json={"username": person.cccd, "password": "doan-mo-1"})
    assert answer.status_code == 401, answer.text
    assert "203.0.113.77" in repr(_login_audit(stack, user_id))


def test_the_gateway_does_not_pass_a_spoofed_forwarded_for_on(stack, victim):
    """Through the gateway (which trusts nobody in front of it) the services see the caller's
    real address, whatever the caller wrote in the header."""
    person, user_id = victim
    spoofed = _spoofed()
    answer = requests.post(f"{stack.url()}/api/identity/login", headers=spoofed, timeout=30,
                           json={"username": person.cccd, "password": "doan-mo-1"})
    assert answer.status_code == 401, answer.text
    audit = repr(_login_audit(stack, user_id))
    assert spoofed["X-Forwarded-For"] not in audit and "127.0.0.1" in audit
