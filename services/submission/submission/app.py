"""The submission web app: ``gunicorn 'submission.app:create_app()'``."""
from __future__ import annotations

from flask import Flask
from servicekit.auth import TokenVerifier, init_auth
from servicekit.bus import EventBus, check_broker
from servicekit.mongo import connect, ping
from servicekit.web import create_service_app

from submission.config import SubmissionSettings


def create_app(settings: SubmissionSettings | None = None) -> Flask:
    settings = settings or SubmissionSettings.from_env()
    db = connect(settings)
    bus = EventBus.from_settings(settings)
    app, api = create_service_app(
        settings,
        title="motcua submission — Nộp và xử lý hồ sơ",
        description="Hồ sơ trực tuyến, tệp đính kèm, mã hồ sơ, lịch làm việc, quy trình xử lý.",
        readiness={"mongo": lambda: ping(db), "rabbitmq": lambda: check_broker(bus)},
    )
    app.extensions["db"] = db
    init_auth(app, TokenVerifier.from_settings(settings))
    return app
