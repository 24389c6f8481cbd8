"""The catalog web app: ``gunicorn 'catalog.app:create_app()'``."""

from __future__ import annotations

from flask import Flask

from catalog.api.routes import BLUEPRINTS
from catalog.config import CatalogSettings
from catalog.domain.errors import Conflict, InvalidInput, NotFound
from catalog.storage import TemplateStorage
from servicekit.auth import TokenVerifier, init_auth
from servicekit.bus import EventBus, check_broker
from servicekit.errors import error_response
from servicekit.mongo import connect, ping
from servicekit.web import create_service_app


def _register_domain_errors(app: Flask) -> None:
    """Each kind of catalog error becomes its HTTP status in the one error shape."""
    app.register_error_handler(InvalidInput, lambda e: error_response(422, str(e), e.errors))
    app.register_error_handler(NotFound, lambda e: error_response(404, str(e)))
    app.register_error_handler(Conflict, lambda e: error_response(409, str(e)))


def create_app(settings: CatalogSettings | None = None) -> Flask:
    settings = settings or CatalogSettings.from_env()
    db = connect(settings)
    bus = EventBus.from_settings(settings)
    storage = TemplateStorage.from_settings(settings)
    app, api = create_service_app(
        settings,
        title="motcua catalog — Danh mục thủ tục hành chính",
        description="Cơ quan, thủ tục (mức độ 1–4), biểu mẫu điện tử, tìm kiếm.",
        readiness={"mongo": lambda: ping(db), "s3": storage.check},
        # reported only: with the outbox the API keeps answering while the broker is down
        informational={"rabbitmq": lambda: check_broker(bus)},
        import_name=__name__,
    )
    app.extensions["db"] = db
    app.extensions["template_storage"] = storage
    init_auth(app, TokenVerifier.from_settings(settings))
    _register_domain_errors(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    return app
