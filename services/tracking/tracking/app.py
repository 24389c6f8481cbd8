"""The tracking web app: ``gunicorn 'tracking.app:create_app()'``."""
from __future__ import annotations

from flask import Flask

from servicekit.auth import TokenVerifier, init_auth
from servicekit.bus import EventBus, check_broker
from servicekit.mongo import connect, ping
from servicekit.web import create_service_app
from tracking.api import routes
from tracking.api.cccd_access import init_lookup_proofs
from tracking.api.limits import init_limiter
from tracking.config import TrackingSettings


def create_app(settings: TrackingSettings | None = None) -> Flask:
    settings = settings or TrackingSettings.from_env()
    db = connect(settings)
    bus = EventBus.from_settings(settings)
    app, api = create_service_app(
        settings,
        title="motcua tracking — Tra cứu hồ sơ",
        description="Tra cứu theo mã hồ sơ hoặc CCCD, tiến trình, thống kê đúng hạn.",
        readiness={"mongo": lambda: ping(db)},
        informational={"rabbitmq": lambda: check_broker(bus)},
        import_name=__name__,
    )
    app.extensions["db"] = db
    app.extensions["pii_cipher"] = settings.cipher()
    init_auth(app, TokenVerifier.from_settings(settings))
    init_limiter(app, settings)
    init_lookup_proofs(app, settings)
    api.register_blueprint(routes.blp)
    return app

