"""The catalog web app: ``gunicorn 'catalog.app:create_app()'``."""

from __future__ import annotations

from flask import Flask
from servicekit.auth import TokenVerifier, init_auth
from servicekit.bus import EventBus, check_broker
from servicekit.mongo import connect, ping
from servicekit.web import create_service_app

from catalog.config import CatalogSettings


def create_app(settings: CatalogSettings | None = None) -> Flask:
    settings = settings or CatalogSettings.from_env()
    db = connect(settings)
    bus = EventBus.from_settings(settings)
    app, api = create_service_app(
        settings,
        title="motcua catalog — Danh mục thủ tục hành chính",
        description="Cơ quan, thủ tục (mức độ 1–4), biểu mẫu điện tử, tìm kiếm.",
        readiness={"mongo": lambda: ping(db), "rabbitmq": lambda: check_broker(bus)},
    )
    app.extensions["db"] = db
    init_auth(app, TokenVerifier.from_settings(settings))
    return app
