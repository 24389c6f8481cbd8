"""Finding 3: the gateway classified the path before normalising it.

``/api/<svc>/docs/%2e%2e/metrics`` matched the anonymous ``docs.*`` route and reached every
service's ``/metrics``; ``/api/identity/docs/%2e%2e/login`` was not a sign-in endpoint, so a
signed-in attacker guessed passwords on the per-user budget instead of the auth one. Now the
gateway decodes the path once, refuses what a service could read differently (400), classifies
and forwards that one path, never forwards ``/metrics``, and ``/metrics`` itself needs the
metrics token.
"""
from __future__ import annotations

import sys
import threading
import uuid
from pathlib import Path

import pytest
import requests
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from gateway.app import create_app
from gateway.config import GatewaySettings
from servicekit.local import free_port

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attack_support import error_shape  # noqa: E402
from gateway_support import (  # noqa: E402
    DEV_METRICS_TOKEN,
    SERVICES,
    has_metrics,
    raw_request,
)

# Ways of writing ".." or "/" that a service (or the proxy library) may read as path syntax.
AMBIGUOUS = {
    "encoded dots": "/api/identity/docs/%2e%2e/metrics",
    "encoded dots, upper case": "/api/identity/docs/%2E%2E/metrics",
    "one encoded dot": "/api/identity/docs/.%2e/metrics",
    "literal dots": "/api/identity/docs/../metrics",
    "single dot segment": "/api/identity/docs/./metrics",
    "double-encoded dots": "/api/identity/docs/%252e%252e/metrics",
    "encoded slash": "/api/identity/docs%2f..%2fmetrics",
    "encoded backslash": "/api/identity/docs%5c..%5cmetrics",
    "backslash": "/api/identity/docs/..\\metrics",
    "encoded NUL": "/api/identity/docs%00/../metrics",
    "encoded CR LF": "/api/identity/docs/%0d%0a/metrics",
    "invalid UTF-8": "/api/identity/docs/%ff/metrics",
}


def _refused(response, path: str) -> None:
    assert response.status_code == 400, (path, response.status_code, response.text[:300])
    assert not has_metrics(response.text), (path, response.text[:300])
    body = response.json()
    assert body["code"] == 400 and body["message"] == "Đường dẫn không hợp lệ.", body


@pytest.mark.parametrize("service", SERVICES)
def test_docs_dot_dot_metrics_is_refused_for_every_service(stack, service):
    path = f"/api/{service}/docs/%2e%2e/metrics"
    _refused(raw_request(stack.url(), "GET", path), path)


@pytest.mark.parametrize("kind", sorted(AMBIGUOUS))
def test_every_spelling_of_an_ambiguous_path_is_a_400(stack, kind):
    path = AMBIGUOUS[kind]
    _refused(raw_request(stack.url(), "GET", path), path)


@pytest.mark.parametrize("service", SERVICES)
def test_metrics_is_never_forwarded_even_with_a_valid_token(stack, actors, service):
    """A citizen's bearer token is not the metrics token, and the gateway does not even ask."""
    response = raw_request(stack.url(), "GET", f"/api/{service}/metrics",
                           headers={"Authorization": f"Bearer {actors.citizen_a.token}"})
    assert response.status_code == 404, (service, response.status_code, response.text[:200])
    assert not has_metrics(response.text)


def test_login_through_docs_dot_dot_is_refused_not_sent_to_identity(stack, actors):
    response = raw_request(
        stack.url(), "POST", "/api/identity/docs/%2e%2e/login",
        headers={"Authorization": f"Bearer {actors.citizen_a.token}",
                 "Content-Type": "application/json"},
        body=b'{"username": "%s", "password": "doan-mo-1"}' % actors.person_b.cccd.encode())
    _refused(response, "/api/identity/docs/%2e%2e/login")


@pytest.mark.parametrize("port", ["GATEWAY_PORT", "IDENTITY_PORT", "CATALOG_PORT",
                                  "SUBMISSION_PORT", "TRACKING_PORT", "NOTIFY_PORT"])
def test_metrics_on_the_process_itself_needs_the_metrics_token(stack, actors, port):
    url = f"{stack.url(port)}/metrics"
    for headers in ({}, {"Authorization": "Bearer wrong-token"},
                    {"Authorization": f"Bearer {actors.citizen_a.token}"},
                    {"Authorization": f"Basic {DEV_METRICS_TOKEN}"}):
        refused = requests.get(url, headers=headers, timeout=10)
        assert refused.status_code == 401, (port, headers, refused.status_code)
        assert not has_metrics(refused.text)
        error_shape(refused)
    scraped = requests.get(url, headers={"Authorization": f"Bearer {DEV_METRICS_TOKEN}"},
                           timeout=10)
    assert scraped.status_code == 200 and "http_requests_total" in scraped.text, port


# -- against a recording upstream: what is classified is what is forwarded ----------------------

@pytest.fixture(scope="module")
def upstream():
    """One small app standing for every service; records the paths it was sent."""
    app = Flask("recording-upstream")
    app.seen = []

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def record(path):
        app.seen.append(request.path)
        return jsonify(path=request.path)

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{port}"
    server.shutdown()


def _gateway(upstream_url: str, jwks_issuer, **overrides):
    settings = GatewaySettings.from_env({}, **{
        **{f"{name}_url": upstream_url for name in SERVICES},
        "jwks_url": jwks_issuer.url, "rate_limit_prefix": f"paths-{uuid.uuid4().hex}",
        **overrides})
    return create_app(settings).test_client()


def test_a_signed_in_caller_cannot_take_login_out_of_the_auth_limit(upstream, jwks_issuer):
    app, url = upstream
    client = _gateway(url, jwks_issuer, rate_limit_auth="2/minute")
    token = jwks_issuer.headers(role="citizen")
    attempt = {"username": "079203001234", "password": "doan-mo-1"}
    statuses = [client.post("/api/identity/login", json=attempt, headers=token).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]
    before = list(app.seen)
    for path in ("/api/identity/docs/%2e%2e/login", "/api/identity/docs/../login",
                 "/api/identity/me/%2e%2e/login", "/api/identity/docs/%252e%252e/login"):
        escaped = client.post(path, json=attempt, headers=token)
        assert escaped.status_code in (400, 429), (path, escaped.status_code, escaped.json)
        assert escaped.json["code"] == escaped.status_code
    assert app.seen == before, "nothing reached identity"


def test_the_forwarded_path_is_the_classified_path_decoded_once(upstream, jwks_issuer):
    app, url = upstream
    client = _gateway(url, jwks_issuer)
    for sent, received in (
            ("/api/catalog/procedures/1.001193", "/procedures/1.001193"),
            ("/api/catalog/procedures/%C4%90%C4%83ng%20k%C3%BD", "/procedures/Đăng ký"),
            ("/api/identity/.well-known/jwks.json", "/.well-known/jwks.json"),
            ("/api/catalog/procedures/a;b=c", "/procedures/a;b=c")):
        response = client.get(sent)
        assert response.status_code == 200, (sent, response.json)
        assert response.json["path"] == received
        assert app.seen[-1] == received


def test_an_ambiguous_path_never_reaches_the_service(upstream, jwks_issuer):
    app, url = upstream
    client = _gateway(url, jwks_issuer)
    before = list(app.seen)
    for path in AMBIGUOUS.values():
        response = client.get(path, headers=jwks_issuer.headers(role="admin"))
        assert response.status_code == 400, (path, response.status_code)
        assert response.json["message"] == "Đường dẫn không hợp lệ."
    assert app.seen == before
