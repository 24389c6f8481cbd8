"""The gateway web app: ``gunicorn 'gateway.app:create_app()'``."""
from __future__ import annotations

from flask import Flask

from gateway import routes
from gateway.config import GatewaySettings
from gateway.proxy import upstream_session
from servicekit.web import create_service_app


def create_app(settings: GatewaySettings | None = None) -> Flask:
    settings = settings or GatewaySettings.from_env()
    app, api = create_service_app(
        settings,
        title="motcua gateway",
        description="Một cửa vào mọi dịch vụ: /api/<dịch vụ>/...",
        import_name=__name__,
    )
    app.extensions["upstream_session"] = upstream_session(settings.pool_size)
    api.register_blueprint(routes.blp)
    routes.register_mounts(app)
    return app
