"""The app factory every service starts from.

``create_service_app`` returns a Flask app with flask-smorest's ``Api`` already wired:
the one error shape, JSON logs with ``X-Request-ID``, ``/healthz``, ``/readyz`` (running the
readiness checks the service passes), ``/metrics`` (behind ``METRICS_TOKEN``), ``/openapi.json``
and a docs UI at ``/docs``, and the client address from ``X-Forwarded-For`` only when the peer
is one of ``TRUSTED_PROXIES``. A service then registers its own blueprints on the returned
``Api``.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

from flask import Flask, g, request
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields
from prometheus_client import Counter, Histogram

from servicekit.client_address import TrustedProxies
from servicekit.config import ServiceSettings
from servicekit.errors import ErrorSchema, error_response, register_error_handlers
from servicekit.logging import (
    accept_request_id,
    configure_logging,
    log_fields,
    reset_correlation_id,
    set_correlation_id,
)
from servicekit.metrics import metrics_view
from servicekit.schemas import use_vietnamese_messages

log = logging.getLogger("servicekit.http")

ReadinessCheck = Callable[[], None]  # raises when the dependency is not reachable

REQUESTS = Counter(
    "http_requests_total", "HTTP requests handled", ["service", "method", "endpoint", "status"]
)
LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "endpoint"]
)


class HealthSchema(Schema):
    status = fields.String(required=True)
    service = fields.String(required=True)


class ReadinessSchema(HealthSchema):
    checks = fields.Dict(keys=fields.String(), values=fields.String())


class ServiceApi(Api):
    """flask-smorest's Api documenting errors with servicekit's one error shape, so that a
    service using ``ErrorSchema`` in ``alt_response`` refers to the same ``Error`` component."""

    ERROR_SCHEMA = ErrorSchema


def _health_blueprint(service: str, checks: Mapping[str, ReadinessCheck],
                      informational: Mapping[str, ReadinessCheck]) -> Blueprint:
    blp = Blueprint("health", __name__, description="Sức khỏe của dịch vụ")

    @blp.route("/healthz")
    class Health(MethodView):
        @blp.response(200, HealthSchema)
        def get(self):
            """Tiến trình còn sống"""
            return {"status": "ok", "service": service}

    @blp.route("/readyz")
    class Ready(MethodView):
        @blp.response(200, ReadinessSchema)
        @blp.alt_response(503, schema=ReadinessSchema)
        def get(self):
            """Các thành phần dịch vụ sử dụng đều truy cập được"""
            results: dict[str, str] = {}
            for name, check in {**checks, **informational}.items():
                try:
                    check()
                    results[name] = "ok"
                except Exception as exc:  # any failure of a required check: not ready
                    results[name] = f"error: {type(exc).__name__}"
            ready = all(results[name] == "ok" for name in checks)
            body = {"status": "ready" if ready else "not_ready", "service": service,
                    "checks": results}
            return body, (200 if ready else 503)

    return blp


JSON_TYPE = "application/json"
MULTIPART_TYPE = "multipart/form-data"
# flask-smorest argument locations read from a multipart body (form fields and files).
MULTIPART_LOCATIONS = {"form", "files"}


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", "").lower()


def argument_locations(view: Callable | None, method: str) -> set[str]:
    """Where the view answering ``method`` reads its ``@blp.arguments`` from ("json", "form",
    "files", "query"...), as flask-smorest records it on the view function for the docs.

    ``view`` is the function Flask routes to: a ``MethodView``'s method is looked up on its
    class. Decorators made with ``functools.wraps`` (``require_auth``) keep the record.
    """
    view_class = getattr(view, "view_class", None)
    function = getattr(view_class, method.lower(), None) if view_class else view
    parameters = getattr(function, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return {parameter["in"] for parameter in parameters}


def _accepts_multipart(app: Flask) -> bool:
    """Whether the endpoint of this request takes form fields or files (an upload): only
    those may receive a multipart body."""
    view = app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(argument_locations(view, request.method) & MULTIPART_LOCATIONS)


def _body_type_refused(app: Flask) -> bool:
    if not _has_body() or request.mimetype == JSON_TYPE:
        return False
    # Anything else would be read as an empty JSON object: a PATCH applying nothing, a 200.
    return request.mimetype != MULTIPART_TYPE or not _accepts_multipart(app)


def _install_request_context(app: Flask, service: str, json_bodies_only: bool) -> None:
    @app.before_request
    def start_request():
        g.request_id = accept_request_id(request.headers.get("X-Request-ID"))
        g.correlation_token = set_correlation_id(g.request_id)
        g.started = time.perf_counter()
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and (request.content_length or 0) > limit:
            return error_response(413)  # refused before anything reads the body
        if json_bodies_only and _body_type_refused(app):
            return error_response(415, "Dữ liệu phải gửi dưới dạng JSON (application/json).")

    @app.after_request
    def finish_request(response):
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers["X-Request-ID"] = request_id
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        started = getattr(g, "started", None)
        if started is not None and endpoint != "/metrics":
            elapsed = time.perf_counter() - started
            REQUESTS.labels(service, request.method, endpoint, response.status_code).inc()
            LATENCY.labels(service, request.method, endpoint).observe(elapsed)
            if endpoint not in {"/healthz", "/readyz"}:
                log.info("request", extra=log_fields(
                    method=request.method, path=endpoint, status=response.status_code,
                    ms=round(elapsed * 1000, 1)))
        return response

    @app.teardown_request
    def end_request(_exc):
        token = g.pop("correlation_token", None)
        if token is not None:
            reset_correlation_id(token)


def readiness_policy(db, bus=None, **stores: ReadinessCheck) -> dict[str, dict]:
    """The one readiness policy, as ``create_service_app`` keyword arguments.

    Hard (``/readyz`` 503 when down): the database and every store a request writes to
    (``stores``, e.g. ``s3=store.check``). Informational: the broker — every service publishes
    through the outbox, so requests keep being answered while it is down and the relay
    catches up after.
    """
    from servicekit.bus import check_broker
    from servicekit.mongo import ping

    return {"readiness": {"mongo": lambda: ping(db), **stores},
            "informational": {"rabbitmq": lambda: check_broker(bus)} if bus else {}}


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    version: str = "1.0.0",
    readiness: Mapping[str, ReadinessCheck] | None = None,
    informational: Mapping[str, ReadinessCheck] | None = None,
    description: str = "",
    import_name: str | None = None,
    json_bodies_only: bool = True,
) -> tuple[Flask, Api]:
    """Build a Flask app and its flask-smorest ``Api`` with everything services share.

    ``readiness`` checks decide ``/readyz`` (200 or 503); ``informational`` ones are only
    reported — e.g. the broker, since the outbox lets the API keep answering while it is
    down, and taking every web pod out of service then would turn a degraded platform into
    a dead one. ``import_name`` (usually the caller's ``__name__``) locates templates.
    With ``json_bodies_only`` (services) a body that is not JSON is a 415, except a
    multipart body sent to an upload endpoint (one with ``@blp.arguments(...,
    location="form"/"files")``); the gateway, which serves HTML forms and passes bodies
    through, turns it off.
    """
    configure_logging(settings.service_name, settings.log_level)
    use_vietnamese_messages()
    app = Flask(import_name or settings.service_name)
    app.config.update(
        API_TITLE=title,
        API_VERSION=version,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=settings.docs_ui_url,
        API_SPEC_OPTIONS={
            "info": {"description": description},
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        },
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False
    app.extensions["settings"] = settings
    api = ServiceApi(app)
    register_error_handlers(app)
    _install_request_context(app, settings.service_name, json_bodies_only)
    api.register_blueprint(_health_blueprint(settings.service_name, readiness or {},
                                             informational or {}))
    app.add_url_rule("/metrics", "metrics", metrics_view)
    # request.remote_addr is the client, from X-Forwarded-For only behind TRUSTED_PROXIES.
    app.wsgi_app = TrustedProxies(app.wsgi_app, settings.trusted_proxy_networks)

    @app.errorhandler(413)
    def too_large(_error):
        return error_response(413)

    return app, api
