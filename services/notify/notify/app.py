"""The notify web app: ``gunicorn 'notify.app:create_app()'``."""

from __future__ import annotations

from flask import Flask

from notify.api import routes
from notify.bootstrap import dev_sink
from notify.config import NotifySettings
from notify.repository import MongoRepository, create_indexes
from servicekit.auth import TokenVerifier, init_auth
from servicekit.bus import EventBus, check_broker
from servicekit.mongo import connect, ping
from servicekit.web import create_service_app


def create_app(settings: NotifySettings | None = None) -> Flask:
    settings = settings or NotifySettings.from_env()
    db = connect(settings)
    bus = EventBus.from_settings(settings)
    app, api = create_service_app(
        settings,
        title="motcua notify — Thông báo",
        description="Email, SMS, hộp thư trong ứng dụng, tùy chọn nhận thông báo.",
        readiness={"mongo": lambda: ping(db)},
        informational={"rabbitmq": lambda: check_broker(bus)},
    )
    app.extensions["db"] = db
    app.extensions["notify_repo"] = MongoRepository(db, settings.sealer())
    # Only outside production: the record of what dev providers delivered (OTPs included).
    app.extensions["notify_dev_sink"] = dev_sink(settings, db)
    init_auth(app, TokenVerifier.from_settings(settings))
    api.register_blueprint(routes.blp)

    @app.cli.command("create-indexes")
    def create_indexes_command() -> None:
        """Create notify's MongoDB indexes."""
        create_indexes(db, development=settings.dev_messages_enabled)

    return app
