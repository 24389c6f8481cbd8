"""The app factory: health, readiness, metrics, OpenAPI, the error shape, request ids."""
import json
import logging

import pytest
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from servicekit.auth import TokenVerifier, init_auth, require_auth
from servicekit.config import ServiceSettings
from servicekit.events import new_event
from servicekit.logging import JsonFormatter
from servicekit.web import create_service_app


class ItemSchema(Schema):
    name = fields.String(required=True)
    quantity = fields.Integer(required=True)


@pytest.fixture
def app(jwks_issuer):
    settings = ServiceSettings.from_env({}, service_name="sample", jwks_url=jwks_issuer.url,
                                        max_body_bytes=2048)

    def broken():
        raise ConnectionError("down")

    app, api = create_service_app(settings, title="sample",
                                  readiness={"ok": lambda: None, "broken": broken},
                                  informational={"broker": broken})
    init_auth(app, TokenVerifier.from_settings(settings))
    blp = Blueprint("items", __name__)

    @blp.route("/items")
    class Items(MethodView):
        @blp.arguments(ItemSchema)
        @blp.response(201, ItemSchema)
        def post(self, item):
            event = new_event("item.created", item, source="sample", aggregate_id="1")
            return {**item, "name": event["correlation_id"]}

    @blp.route("/officer-only")
    class OfficerOnly(MethodView):
        @require_auth("officer")
        def get(self):
            return {"ok": True}

    @blp.route("/boom")
    class Boom(MethodView):
        def get(self):
            raise RuntimeError("unexpected")

    api.register_blueprint(blp)
    return app


def test_health_readiness_metrics_and_openapi(app):
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok", "service": "sample"}
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"] == {"ok": "ok", "broken": "error: ConnectionError",
                                    "broker": "error: ConnectionError"}
    client.get("/healthz")
    token = app.extensions["settings"].metrics_token
    scraped = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert b"http_requests_total" in scraped.data
    spec = client.get("/openapi.json").json
    assert "/items" in spec["paths"] and "/readyz" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_validation_error_uses_the_one_shape_with_flat_field_errors_in_vietnamese(app):
    response = app.test_client().post("/items", json={"quantity": "nhiều"})
    assert response.status_code == 422
    body = response.json
    assert body["code"] == 422 and body["status"] == "Unprocessable Entity"
    assert body["message"]
    assert body["errors"]["name"] == ["Trường này là bắt buộc."]
    assert body["errors"]["quantity"] == ["Phải là số nguyên."]


def test_malformed_json_not_found_too_large_and_crash_use_the_shape(app):
    client = app.test_client()
    malformed = client.post("/items", data="{oops", content_type="application/json")
    assert malformed.status_code in (400, 422) and malformed.json["code"] == malformed.status_code
    assert client.get("/nowhere").json["code"] == 404
    assert client.post("/items", data="x" * 4096).json["code"] == 413
    crash = client.get("/boom")
    assert crash.status_code == 500 and crash.json["message"] and "unexpected" not in crash.text


def test_request_id_is_echoed_and_becomes_the_events_correlation_id(app, caplog):
    client = app.test_client()
    response = client.post("/items", json={"name": "x", "quantity": 1},
                           headers={"X-Request-ID": "req-42"})
    assert response.headers["X-Request-ID"] == "req-42"
    assert response.json["name"] == "req-42"  # new_event() picked it up
    fresh = client.post("/items", json={"name": "x", "quantity": 1})
    assert fresh.json["name"] == fresh.headers["X-Request-ID"]


def test_json_log_line_carries_the_correlation_id(app, caplog):
    caplog.set_level(logging.INFO)
    app.test_client().post("/items", json={"name": "x", "quantity": 1},
                           headers={"X-Request-ID": "req-44"})
    record = next(r for r in caplog.records if r.getMessage() == "request")
    line = json.loads(JsonFormatter("sample").format(record))
    assert line["correlation_id"] == "req-44"
    assert line["service"] == "sample" and line["status"] == 201


def test_roles_are_enforced(app, jwks_issuer):
    client = app.test_client()
    assert client.get("/officer-only").status_code == 401
    citizen = client.get("/officer-only", headers=jwks_issuer.headers(role="citizen"))
    assert citizen.status_code == 403 and citizen.json["code"] == 403
    officer = client.get("/officer-only", headers=jwks_issuer.headers(role="officer"))
    assert officer.status_code == 200


def test_informational_checks_are_reported_but_do_not_fail_readiness():
    settings = ServiceSettings.from_env({}, service_name="degraded")

    def broken():
        raise ConnectionError("broker down")

    app, _api = create_service_app(settings, title="t", readiness={"mongo": lambda: None},
                                   informational={"rabbitmq": broken})
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"]["rabbitmq"] == "error: ConnectionError"


def test_database_down_is_a_retryable_503_in_the_error_shape():
    from pymongo.errors import ServerSelectionTimeoutError

    settings = ServiceSettings.from_env({}, service_name="db-down")
    app, _api = create_service_app(settings, title="t")

    @app.get("/needs-db")
    def needs_db():
        raise ServerSelectionTimeoutError("nx-27017 is restarting")

    response = app.test_client().get("/needs-db")
    assert response.status_code == 503
    assert response.json["code"] == 503 and response.headers["Retry-After"] == "5"


def test_a_body_that_is_not_json_is_refused_with_415(app):
    client = app.test_client()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = client.post("/items", data="name=x&quantity=1", content_type=content_type)
        assert response.status_code == 415 and response.json["code"] == 415


def test_text_the_database_cannot_store_is_a_400(app):
    settings = ServiceSettings.from_env({}, service_name="surrogates")
    app, _api = create_service_app(settings, title="t")

    @app.post("/store")
    def store():
        "\ud800".encode()  # what BSON encoding does with a lone surrogate
        return {}

    response = app.test_client().post("/store", json={})
    assert response.status_code == 400 and response.json["code"] == 400


def test_page_numbers_are_bounded():
    from servicekit.schemas import PageQuerySchema

    assert PageQuerySchema().validate({"page": "10000"}) == {}
    assert "page" in PageQuerySchema().validate({"page": "461168601842738792"})


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic dev-only-metrics-token",
                                           "Bearer "])
def test_metrics_without_the_metrics_token_is_a_401_with_nothing_in_it(app, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = app.test_client().get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == 401 and "METRICS_TOKEN" in response.json["message"]
    assert b"http_requests_total" not in response.data
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_production_refuses_the_default_metrics_token():
    from servicekit.config import ConfigError

    secrets = {"MOTCUA_ENV": "production", "AMQP_URL": "amqp://u:p@mq//",
               "MONGO_URL": "mongodb://u:p@db/", "REDIS_URL": "redis://:p@redis:6379/0"}
    with pytest.raises(ConfigError, match="METRICS_TOKEN"):
        ServiceSettings.from_env(secrets)
    assert ServiceSettings.from_env({**secrets, "METRICS_TOKEN": "a-real-one"}).is_production
