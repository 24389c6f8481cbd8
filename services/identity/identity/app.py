"""The identity web app: ``gunicorn 'identity.app:create_app()'``."""
from __future__ import annotations

from flask import Flask
from servicekit.auth import TokenVerifier, init_auth
from servicekit.bus import EventBus, check_broker
from servicekit.mongo import connect, ping
from servicekit.web import create_service_app

from identity.config import IdentitySettings


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
    init_auth(app, TokenVerifier.from_settings(settings))
    return app
