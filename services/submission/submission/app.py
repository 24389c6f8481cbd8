"""The submission web app: ``gunicorn 'submission.app:create_app()'``."""
from __future__ import annotations

import logging

from flask import Flask

from servicekit.auth import TokenVerifier, init_auth
from servicekit.bus import EventBus, check_broker
from servicekit.errors import error_response
from servicekit.mongo import connect, ping
from servicekit.web import create_service_app
from submission import repository
from submission.api import routes
from submission.bootstrap import Services
from submission.config import SubmissionSettings
from submission.domain.errors import (
    ConcurrencyConflict,
    DomainError,
    IdentityPending,
    IllegalTransition,
    InvalidInput,
    NotFound,
    NotPermitted,
    UploadRefused,
)
from submission.scanning import ScannerUnavailable
from submission.storage import AttachmentStore, StorageUnavailable

log = logging.getLogger(__name__)

_STATUS = {InvalidInput: 422, IllegalTransition: 409, ConcurrencyConflict: 409,
           NotPermitted: 403, NotFound: 404}


def domain_error(error: DomainError):
    """Every rule violation becomes the one error shape with its Vietnamese message."""
    if isinstance(error, UploadRefused):
        status = error.http_status
    else:
        status = next((code for cls, code in _STATUS.items() if isinstance(error, cls)), 400)
    return error_response(status, error.message, error.errors or None)


def storage_unavailable(error: StorageUnavailable):
    log.error("attachment store unavailable", extra={"fields": {"error": str(error)}})
    return error_response(503, "Kho lưu trữ tệp tạm thời không truy cập được. "
                               "Vui lòng thử lại sau.", headers={"Retry-After": "30"})


def identity_pending(error: IdentityPending):
    """identity's event with the account's identity is on its way (a just-registered
    account): a short wait, not a failure."""
    return error_response(503, error.message, headers={"Retry-After": "5"})


def scanner_unavailable(error: ScannerUnavailable):
    log.error("virus scanner unavailable", extra={"fields": {"error": str(error)}})
    return error_response(503, "Dịch vụ kiểm tra mã độc tạm thời không hoạt động nên chưa "
                               "nhận được tệp. Vui lòng thử lại sau ít phút.",
                          headers={"Retry-After": "30"})


def create_app(settings: SubmissionSettings | None = None) -> Flask:
    settings = settings or SubmissionSettings.from_env()
    db = connect(settings)
    bus = EventBus.from_settings(settings)
    store = AttachmentStore.from_settings(settings)
    app, api = create_service_app(
        settings,
        title="motcua submission — Nộp và xử lý hồ sơ",
        description="Hồ sơ trực tuyến, tệp đính kèm, mã hồ sơ, lịch làm việc, quy trình xử lý.",
        readiness={"mongo": lambda: ping(db), "rabbitmq": lambda: check_broker(bus),
                   "s3": store.check},
        import_name=__name__,
    )
    app.extensions["db"] = db
    app.extensions["submission"] = Services.from_settings(db, store, settings)
    init_auth(app, TokenVerifier.from_settings(settings))
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(StorageUnavailable, storage_unavailable)
    app.register_error_handler(ScannerUnavailable, scanner_unavailable)
    app.register_error_handler(IdentityPending, identity_pending)
    for blueprint in (routes.blp, routes.officer_blp, routes.admin_blp):
        api.register_blueprint(blueprint)
    _prepare(db, store)
    return app


def _prepare(db, store: AttachmentStore) -> None:
    """Indexes and bucket; a dependency that is down now shows in /readyz, not a crash."""
    try:
        repository.create_indexes(db)
        store.ensure_bucket()
    except Exception as exc:  # noqa: BLE001 - readiness reports it; the worker retries too
        log.warning("start-up preparation failed", extra={"fields": {"error": repr(exc)}})
