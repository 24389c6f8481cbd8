"""Gateway mechanics against a real HTTP upstream on a free port."""
import threading
import time

import pytest
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from gateway.app import create_app
from gateway.config import GatewaySettings
from servicekit.local import free_port


@pytest.fixture(scope="module")
def upstream():
    app = Flask("upstream")

    @app.route("/echo", methods=["GET", "POST"])
    def echo():
        return jsonify(path=request.path, args=request.args, body=request.get_data(as_text=True),
                       request_id=request.headers.get("X-Request-ID"),
                       prefix=request.headers.get("X-Forwarded-Prefix"))

    @app.route("/slow")
    def slow():
        time.sleep(2)
        return "late"

    @app.route("/readyz")
    def ready():
        return jsonify(status="ready", checks={"mongo": "ok"})

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def client(upstream):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings = GatewaySettings.from_env(
        {}, identity_url=upstream, catalog_url=upstream, submission_url=upstream,
        tracking_url=upstream, notify_url=dead, read_timeout=0.5, max_body_bytes=1024)
    return create_app(settings).test_client()


def test_mounts_service_under_api_prefix_with_query_and_body(client):
    response = client.post("/api/catalog/echo?q=dang+ky", data="xin chào".encode())
    assert response.status_code == 200
    assert response.json["path"] == "/echo"
    assert response.json["args"] == {"q": "dang ky"}
    assert response.json["body"] == "xin chào"
    assert response.json["prefix"] == "/api/catalog"


def test_request_id_is_passed_through_or_generated(client):
    passed = client.get("/api/catalog/echo", headers={"X-Request-ID": "abc-123"})
    assert passed.json["request_id"] == "abc-123"
    assert passed.headers["X-Request-ID"] == "abc-123"
    generated = client.get("/api/catalog/echo", headers={"X-Request-ID": "bad id;drop"})
    assert generated.json["request_id"] == generated.headers["X-Request-ID"] != "bad id;drop"
    assert len(generated.headers["X-Request-ID"]) == 32


def test_unreachable_upstream_is_502_in_error_shape(client):
    response = client.get("/api/notify/inbox")
    assert response.status_code == 502
    assert set(response.json) >= {"code", "status", "message"}
    assert response.json["code"] == 502


def test_slow_upstream_is_504(client):
    response = client.get("/api/catalog/slow")
    assert response.status_code == 504
    assert response.json["code"] == 504


def test_body_over_limit_is_413_and_never_forwarded(client):
    response = client.post("/api/catalog/echo", data=b"x" * 2048)
    assert response.status_code == 413
    assert response.json["code"] == 413


def test_unknown_service_is_404(client):
    assert client.get("/api/nosuch/echo").status_code == 404


def test_platform_health_lists_every_upstream(client):
    response = client.get("/api/healthz")
    assert response.status_code == 503  # notify is down
    services = response.json["services"]
    assert set(services) == {"identity", "catalog", "submission", "tracking", "notify"}
    assert services["catalog"]["ready"] is True
    assert services["notify"]["ready"] is False
