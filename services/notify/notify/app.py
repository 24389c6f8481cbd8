"""The notify web app: ``gunicorn 'notify.app:create_app()'``."""
from __future__ import annotations

from flask import Flask
from servicekit.auth import TokenVerifier, init_auth
from servicekit.bus import EventBus, check_broker
from servicekit.mongo import connect, ping
from servicekit.web import create_service_app

from notify.config import NotifySettings


def create_app(settings: NotifySettings | None = None) -> Flask:
    settings = settings or NotifySettings.from_env()
    db = connect(settings)
    bus = EventBus.from_settings(settings)
    app, api = create_service_app(
        settings,
        title="motcua notify — Thông báo",
        description="Email, SMS, hộp thư trong ứng dụng, tùy chọn nhận thông báo.",
        readiness={"mongo": lambda: ping(db), "rabbitmq": lambda: check_broker(bus)},
    )
    app.extensions["db"] = db
    init_auth(app, TokenVerifier.from_settings(settings))
    return app
