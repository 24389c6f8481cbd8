"""The identity web app: ``gunicorn 'identity.app:create_app()'``."""

from __future__ import annotations

import logging

from flask import Flask
from pymongo.errors import PyMongoError

from identity.api import lookup_proof, second_factor
from identity.api.routes import blp
from identity.bootstrap import build_services
from identity.config import IdentitySettings
from identity.domain.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    OtpRejected,
    TooManyAttempts,
    ValidationFailed,
)
from identity.keys import LocalTokenVerifier
from identity.sessions import SessionRecord
from servicekit.auth import init_auth
from servicekit.bus import EventBus, check_broker
from servicekit.errors import error_response
from servicekit.mongo import connect, ping
from servicekit.web import create_service_app

log = logging.getLogger(__name__)

STATUS = {
    ValidationFailed: 422,
    AuthenticationFailed: 401,
    OtpRejected: 400,
    TooManyAttempts: 429,
    Conflict: 409,
    NotFound: 404,
    Forbidden: 403,
}


def domain_error(error: DomainError):
    code = next((c for kind, c in STATUS.items() if isinstance(error, kind)), 400)
    headers = {}
    if isinstance(error, TooManyAttempts) and error.retry_after:
        headers["Retry-After"] = str(error.retry_after)
    return error_response(code, error.message, error.errors or None, headers)


def create_app(settings: IdentitySettings | None = None) -> Flask:
    settings = settings or IdentitySettings.from_env()
    db = connect(settings)
    bus = EventBus.from_settings(settings)
    app, api = create_service_app(
        settings,
        title="motcua identity — Định danh và xác thực",
        description="Đăng ký, đăng nhập OTP, TOTP, token, hồ sơ cá nhân, cán bộ.",
        readiness={"mongo": lambda: ping(db), "rabbitmq": lambda: check_broker(bus)},
    )
    app.extensions["db"] = db
    keys = settings.signing_keys()
    services = build_services(settings, db, keys)
    app.extensions["identity"] = services
    app.extensions["signing_keys"] = keys
    # identity checks its own tokens with its own keys: no HTTP call to itself for the JWKS.
    # and its own record of ended sessions (not the shared Redis list: it holds whatever can
    # take an account over, so its answer never depends on Redis being reachable).
    verifier = LocalTokenVerifier(
        keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        revocations=SessionRecord(services.repo),
    )
    init_auth(app, verifier)
    app.register_error_handler(DomainError, domain_error)
    api.register_blueprint(blp)
    api.register_blueprint(lookup_proof.blp)
    api.register_blueprint(second_factor.blp)
    try:
        services.repo.ensure_indexes()
    except PyMongoError as exc:  # Mongo down at start: /readyz says so; the worker retries
        log.warning("could not create indexes: %s", exc)
    return app
