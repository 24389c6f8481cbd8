"""The gateway web app: ``gunicorn 'gateway.app:create_app()'``."""
from __future__ import annotations

from flask import Flask

from gateway import routes
from gateway.access import authenticate, init_rate_limits
from gateway.config import GatewaySettings
from gateway.docs import init_docs
from gateway.headers import init_headers
from gateway.portal import init_portal
from gateway.proxy import Upstreams
from servicekit.auth import TokenVerifier, init_auth
from servicekit.web import create_service_app


def create_app(settings: GatewaySettings | None = None) -> Flask:
    settings = settings or GatewaySettings.from_env()
    app, api = create_service_app(
        settings,
        title="motcua gateway",
        description="Một cửa vào mọi dịch vụ: /api/<dịch vụ>/...",
        import_name=__name__,
        json_bodies_only=False,  # HTML forms of the portal; services judge proxied bodies
    )
    app.extensions["upstreams"] = Upstreams(settings.upstreams(), settings.pool_size,
                                            settings.idempotent_retries)
    init_auth(app, TokenVerifier.from_settings(settings))
    api.register_blueprint(routes.blp)
    routes.register_mounts(app)
    app.before_request(authenticate)
    init_rate_limits(app, settings)
    init_headers(app, settings.allowed_origins, hsts_max_age=settings.hsts_max_age)
    init_docs(app)
    init_portal(app, settings)
    return app
