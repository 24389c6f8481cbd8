"""Gateway mechanics against a real HTTP upstream on a free port (and the local Redis)."""
import threading
import time
import uuid

import pytest
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from gateway.app import create_app
from gateway.config import GatewaySettings
from servicekit.local import free_port


@pytest.fixture(scope="module")
def upstream():
    app = Flask("upstream")
    app.hits = []

    @app.route("/<path:path>", methods=["GET", "POST", "PATCH"])
    def echo(path):
        app.hits.append(path)
        if path.endswith("slow"):
            time.sleep(2)
        if path == "openapi.json":
            return jsonify(openapi="3.0.3", paths={"/procedures": {"get": {"responses": {
                "200": {"content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Procedure"}}}}}}}},
                components={"schemas": {"Procedure": {"type": "object"}}})
        return jsonify(path=request.path, args=request.args,
                       body=request.get_data(as_text=True),
                       request_id=request.headers.get("X-Request-ID"),
                       prefix=request.headers.get("X-Forwarded-Prefix"),
                       authorization=request.headers.get("Authorization"),
                       forwarded_for=request.headers.get("X-Forwarded-For"))

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{port}"
    server.shutdown()


def settings_for(upstream_url, jwks_issuer, **overrides):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    values = dict(
        identity_url=upstream_url, catalog_url=upstream_url, submission_url=upstream_url,
        tracking_url=upstream_url, notify_url=dead, read_timeout=0.5, max_body_bytes=1024,
        jwks_url=jwks_issuer.url, rate_limit_prefix=f"test-{uuid.uuid4().hex}",
        cors_origins="https://portal.example.vn")
    return GatewaySettings.from_env({}, **{**values, **overrides})


@pytest.fixture
def client(upstream, jwks_issuer):
    return create_app(settings_for(upstream[1], jwks_issuer)).test_client()


def test_mounts_service_under_api_prefix_with_query_and_body(client, jwks_issuer):
    response = client.post("/api/submission/echo?q=dang+ky", data="xin chào".encode(),
                           headers=jwks_issuer.headers())
    assert response.status_code == 200
    assert response.json["path"] == "/echo"
    assert response.json["args"] == {"q": "dang ky"}
    assert response.json["body"] == "xin chào"
    assert response.json["prefix"] == "/api/submission"


def test_request_id_is_passed_through_or_generated(client):
    passed = client.get("/api/catalog/procedures", headers={"X-Request-ID": "abc-123"})
    assert passed.json["request_id"] == "abc-123"
    assert passed.headers["X-Request-ID"] == "abc-123"
    generated = client.get("/api/catalog/procedures", headers={"X-Request-ID": "bad id;drop"})
    assert generated.json["request_id"] == generated.headers["X-Request-ID"] != "bad id;drop"
    assert len(generated.headers["X-Request-ID"]) == 32


def test_down_upstream_is_503_in_error_shape(client, jwks_issuer):
    response = client.get("/api/notify/inbox", headers=jwks_issuer.headers())
    assert response.status_code == 503
    assert set(response.json) >= {"code", "status", "message"}
    assert response.json["code"] == 503 and response.headers["Retry-After"]


def test_slow_upstream_is_504(client):
    response = client.get("/api/catalog/procedures/slow")
    assert response.status_code == 504
    assert response.json["code"] == 504


def test_body_over_limit_is_413_and_never_forwarded(client, upstream, jwks_issuer):
    before = len(upstream[0].hits)
    response = client.post("/api/submission/echo", data=b"x" * 2048,
                           headers=jwks_issuer.headers())
    assert response.status_code == 413 and response.json["code"] == 413
    assert len(upstream[0].hits) == before


def test_unknown_service_is_404(client, jwks_issuer):
    assert client.get("/api/nosuch/echo", headers=jwks_issuer.headers()).status_code == 404


def test_platform_health_lists_every_upstream(client):
    response = client.get("/api/healthz")
    assert response.status_code == 503  # notify is down
    services = response.json["services"]
    assert set(services) == {"identity", "catalog", "submission", "tracking", "notify"}
    assert services["catalog"]["ready"] is True
    assert services["notify"]["ready"] is False


def test_protected_route_needs_a_token_and_anonymous_routes_do_not(client, upstream):
    before = len(upstream[0].hits)
    refused = client.get("/api/submission/dossiers")
    assert refused.status_code == 401 and refused.json["code"] == 401
    assert len(upstream[0].hits) == before, "refused before reaching the service"
    assert client.get("/api/catalog/procedures?q=khai+sinh").status_code == 200
    assert client.get("/api/tracking/lookup?code=X").status_code == 200
    assert client.post("/api/identity/login", json={}).status_code == 200
    assert client.post("/api/catalog/procedures", json={}).status_code == 401


def test_tampered_token_is_refused_before_reaching_a_service(client, upstream, jwks_issuer):
    token = jwks_issuer.token(role="citizen")
    header, payload, signature = token.split(".")
    tampered = ".".join([header, payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB"),
                         signature])
    before = len(upstream[0].hits)
    response = client.get("/api/submission/dossiers",
                          headers={"Authorization": f"Bearer {tampered}"})
    assert response.status_code == 401
    assert len(upstream[0].hits) == before
    ok = client.get("/api/submission/dossiers", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json["authorization"] == f"Bearer {token}"


def test_security_headers_and_cors(client):
    response = client.get("/api/catalog/procedures",
                          headers={"Origin": "https://portal.example.vn"})
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Access-Control-Allow-Origin"] == "https://portal.example.vn"
    preflight = client.options("/api/submission/dossiers", headers={
        "Origin": "https://portal.example.vn", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    other = client.get("/api/catalog/procedures", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_rate_limit_answers_429_in_error_shape_with_retry_after(upstream, jwks_issuer):
    client = create_app(settings_for(upstream[1], jwks_issuer,
                                     rate_limit_lookup="3/minute")).test_client()
    statuses = [client.get("/api/tracking/lookup?code=X").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/tracking/lookup?code=X")
    assert limited.json["code"] == 429
    wait = int(limited.headers["Retry-After"])
    assert 0 < wait <= 60
    assert limited.json["message"] == (
        f"Bạn đã thao tác quá nhiều lần. Vui lòng thử lại sau {wait} giây.")
    # A signed-in user is limited per user, not by the anonymous lookup budget.
    assert client.get("/api/tracking/lookup?code=X",
                      headers=jwks_issuer.headers()).status_code == 200


def test_one_openapi_document_aggregates_the_services(client):
    spec = client.get("/api/openapi.json").json
    assert "/api/catalog/procedures" in spec["paths"]
    ref = spec["paths"]["/api/catalog/procedures"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/catalog_Procedure"
    assert "catalog_Procedure" in spec["components"]["schemas"]
    assert spec["x-missing-services"] == ["notify"]
    assert client.get("/api/docs").status_code == 200


def test_requests_spread_over_replicas_and_skip_one_that_is_down(jwks_issuer):
    servers, seen = [], []
    for name in ("a", "b"):
        app = Flask(name)
        app.add_url_rule("/procedures", "p", lambda name=name: (seen.append(name), "{}")[1])
        app.add_url_rule("/readyz", "r", lambda: jsonify(status="ready"))
        port = free_port()
        server = make_server("127.0.0.1", port, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append((server, f"http://127.0.0.1:{port}"))
    dead = f"http://127.0.0.1:{free_port()}"
    replicas = ",".join([servers[0][1], dead, servers[1][1]])
    client = create_app(settings_for(servers[0][1], jwks_issuer, catalog_url=replicas)
                        ).test_client()
    try:
        statuses = [client.get("/api/catalog/procedures").status_code for _ in range(9)]
        # A refused connection sent nothing, so even a POST moves on to the next replica.
        posted = [client.post("/api/catalog/procedures", json={},
                              headers=jwks_issuer.headers(role="admin")).status_code
                  for _ in range(3)]
        health = client.get("/api/healthz").json["services"]["catalog"]
    finally:
        for server, _url in servers:
            server.shutdown()
    assert statuses == [200] * 9, "the dead replica never surfaced"
    assert posted == [405] * 3, "answered by a live replica (the route is GET only)"
    assert seen.count("a") >= 3 and seen.count("b") >= 3
    assert health["ready"] is True and len(health["replicas"]) == 3
    assert health["replicas"][dead]["ready"] is False


def test_services_get_the_client_address_not_what_the_caller_wrote(upstream, jwks_issuer):
    spoofed = {"X-Forwarded-For": "6.6.6.6"}
    direct = create_app(settings_for(upstream[1], jwks_issuer)).test_client()
    assert direct.get("/api/catalog/procedures", headers=spoofed).json[
        "forwarded_for"] == "127.0.0.1"
    # Behind a TLS proxy the gateway trusts, the address that proxy saw is passed on.
    behind = create_app(settings_for(upstream[1], jwks_issuer, trusted_proxies="127.0.0.1")
                        ).test_client()
    assert behind.get("/api/catalog/procedures", headers=spoofed).json[
        "forwarded_for"] == "6.6.6.6"


def test_sign_in_endpoints_share_one_high_per_address_bound_by_default(upstream, jwks_issuer):
    settings = GatewaySettings.from_env({})
    count, _, unit = settings.rate_limit_auth.partition("/")
    assert unit == "minute" and int(count) >= 1000, "hundreds of people behind one address"
    client = create_app(settings_for(upstream[1], jwks_issuer)).test_client()
    statuses = {client.post(path, json={}).status_code
                for path in ("/api/identity/register", "/api/identity/register/verify",
                             "/api/identity/login", "/api/identity/login/verify",
                             "/api/identity/token/refresh") for _ in range(10)}
    assert statuses == {200}
